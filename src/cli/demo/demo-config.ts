/** The tier of a demo flow, for the live summary. */
export interface DemoTier {
  /** Short label: `1 realtime`. */
  readonly label: string;
  /** The cadence this flow would have in production, which the demo's short one stands for. */
  readonly production: string;
}

/** Tiers of the demo's flows, by flow name. */
export const DEMO_TIERS: Readonly<Record<string, DemoTier>> = {
  orders: { label: '1 realtime', production: 'realtime' },
  order_lines: { label: '1 realtime', production: 'realtime' },
  stock: { label: '2 frequent', production: 'every 5m' },
  invoices: { label: '3 batched', production: 'hourly' },
  customers: { label: '4 nightly', production: 'nightly' },
  products: { label: '4 nightly', production: 'nightly' },
};

/** Absolute paths the config names. */
export interface DemoConfigPaths {
  readonly crm: string;
  readonly erp: string;
  readonly state: string;
}

/**
 * The demo's syncline.yaml, in the documented config format, with comments that explain each
 * choice. Paths are absolute because the sqlite connector and the state store resolve relative
 * paths against the directory syncline runs in, not against this file.
 */
export function demoConfigText(paths: DemoConfigPaths): string {
  const quoted = (text: string): string => JSON.stringify(text);
  return `# Syncline demo: a sample CRM synced into a sample ERP, both SQLite files.
# Written by "syncline demo"; rerunning the demo wipes and rewrites this directory.
#
# Four tiers of cadence. A demo lasts about 30 seconds, so each tier runs far faster than it
# would in production, but still at its own pace, so the tiers are visible side by side:
#   tier 1  orders, order lines   realtime (poll every 1s)   production: realtime
#   tier 2  stock                 every 10s                  production: every 5m, faster in a sales peak
#   tier 3  invoices              every 15s, batches of 500  production: hourly, in batches
#   tier 4  customers, products   every 20s                  production: nightly, cron "0 2 * * *"
state: ${quoted(`sqlite:${paths.state}`)}

connections:
  crm: { type: sqlite, path: ${quoted(paths.crm)} }
  erp: { type: sqlite, path: ${quoted(paths.erp)} }

flows:
  # Tier 1. New orders arrive every ~200 ms. "realtime" polls the CRM every second; the lookback
  # re-reads the last 2 seconds each cycle to catch rows committed late with an older updated_at
  # (the production default is 5m; the demo's writer commits at once, so 2s is plenty).
  orders:
    description: Sales orders, CRM → ERP, within about a second
    source: { connection: crm, table: orders, key: id, cursor: updated_at, lookback: 2s }
    target: { connection: erp, table: erp_sales_order, key: crm_id }
    fields:
      so_no: order_no
      cust_crm_id: account_id
      order_time: { from: ordered_at, type: timestamp }
      curr: currency
      net_amount: { from: total_amount, type: decimal }
      so_status: { from: status, map: { open: O, confirmed: C, shipped: S, cancelled: X } }
    cadence: { realtime: true }

  order_lines:
    description: Order lines, with quantities exact to a thousandth
    source: { connection: crm, table: order_lines, key: id, cursor: updated_at, lookback: 2s }
    target: { connection: erp, table: erp_sales_order_line, key: crm_id }
    fields:
      so_crm_id: order_id
      pos_no: line_no
      item_crm_id: product_id
      qty: { from: quantity, type: decimal }
      price: { from: unit_price, type: decimal }
      amount: { from: line_amount, type: decimal }
    validate:
      qty: { required: true, min: 0.001 }          # a line of nothing is a data-entry error
    cadence: { realtime: true }

  # Tier 2. Stock moves constantly; the ERP needs it every few minutes (here: every 10s).
  stock:
    description: Stock per product and warehouse
    source: { connection: crm, table: stock_levels, key: id, cursor: updated_at }
    target: { connection: erp, table: erp_stock, key: crm_id }
    fields:
      item_crm_id: product_id
      whse: { from: warehouse, map: { Shanghai: SH01, Beijing: BJ01, Shenzhen: SZ01 } }
      qty_on_hand: { from: on_hand, type: decimal }
      qty_reserved: { from: reserved, type: decimal }
    cadence: { every: 10s }

  # Tier 3. Invoices go to accounting in batches (here: every 15s, at most 500 per batch).
  invoices:
    description: Invoices, in batches for accounting
    source: { connection: crm, table: invoices, key: id, cursor: updated_at }
    target: { connection: erp, table: erp_invoice, key: crm_id }
    batch: 500
    fields:
      inv_no: invoice_no
      so_crm_id: order_id
      cust_crm_id: account_id
      net: { from: net_amount, type: decimal }
      vat: { from: tax_amount, type: decimal }
      gross: { from: gross_amount, type: decimal }
      inv_date: { from: issued_on, type: date }
      due_date: { from: due_on, type: date }
      inv_status: { from: status, map: { issued: O, paid: P, cancelled: X } }
    cadence: { every: 15s }

  # Tier 4. Master data changes rarely; production syncs it nightly:
  #   cadence: { cron: "0 2 * * *", timezone: Asia/Shanghai }
  # The demo runs it every 20s so you can watch it happen.
  customers:
    description: Customer master data; the CRM's accounts are the ERP's customers
    source: { connection: crm, table: accounts, key: id, cursor: updated_at, deleted: is_deleted }
    target: { connection: erp, table: erp_customer, key: crm_id, onDelete: { soft: is_deleted } }
    fields:
      cust_code: code
      cust_name: { from: name, trim: true }
      email: email
      phone: phone
      city: city
      credit_limit: { from: credit_limit, type: decimal }     # exact: 1234567890123456.78 stays that
      status: { from: status, map: { active: A, inactive: I }, default: I }
    validate:                                               # failures go to the dead-letter queue
      cust_name: { required: true, maxLength: 100 }         # the ERP's name column holds 100 characters
      email: { pattern: "^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$" }
      credit_limit: { min: 0 }
    cadence: { every: 20s }

  products:
    description: Products; the ERP calls them items
    source: { connection: crm, table: products, key: id, cursor: updated_at }
    target: { connection: erp, table: erp_item, key: crm_id }
    fields:
      item_no: sku
      item_desc: name
      list_price: { from: unit_price, type: decimal }
      base_uom: { from: uom, map: { piece: PCS, box: BOX, carton: CTN, kg: KG } }
    validate:
      item_desc: { required: true, maxLength: 100 }
    cadence: { every: 20s }
`;
}
