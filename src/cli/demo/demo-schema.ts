import Database from 'better-sqlite3';

/**
 * The demo's two systems as SQLite files. The ERP follows its own data dictionary: other table
 * and column names, one-letter status codes, no foreign keys (flows run on their own cadences,
 * so an order may arrive before its customer).
 *
 * Money and quantities are declared `DECIMAL TEXT(p,s)`: SQLite gives a plain `DECIMAL(p,s)`
 * NUMERIC affinity and would round a value beyond 15 significant digits to a binary float;
 * the TEXT affinity keeps `1234567890123456.78` exact while the type still reads as a decimal.
 * Booleans are 0/1 integers, timestamps ISO 8601 text with their offset (`+08:00`).
 */
const CRM_DDL = `
CREATE TABLE accounts (
  id           INTEGER PRIMARY KEY,
  code         VARCHAR(20)  NOT NULL UNIQUE,
  name         VARCHAR(200) NOT NULL,
  email        VARCHAR(120),
  phone        VARCHAR(30),
  city         VARCHAR(40),
  credit_limit DECIMAL TEXT(18,2),
  status       VARCHAR(10)  NOT NULL,
  is_deleted   BOOLEAN      NOT NULL DEFAULT 0,
  updated_at   TIMESTAMPTZ  NOT NULL
);
CREATE TABLE products (
  id         INTEGER PRIMARY KEY,
  sku        VARCHAR(30)  NOT NULL UNIQUE,
  name       VARCHAR(100) NOT NULL,
  unit_price DECIMAL TEXT(18,2) NOT NULL,
  uom        VARCHAR(10)  NOT NULL,
  updated_at TIMESTAMPTZ  NOT NULL
);
CREATE TABLE orders (
  id           INTEGER PRIMARY KEY,
  order_no     VARCHAR(20) NOT NULL UNIQUE,
  account_id   INTEGER     NOT NULL,
  ordered_at   TIMESTAMPTZ NOT NULL,
  currency     CHAR(3)     NOT NULL,
  total_amount DECIMAL TEXT(18,2) NOT NULL,
  status       VARCHAR(12) NOT NULL,
  updated_at   TIMESTAMPTZ NOT NULL
);
CREATE TABLE order_lines (
  id          INTEGER PRIMARY KEY,
  order_id    INTEGER NOT NULL,
  line_no     INTEGER NOT NULL,
  product_id  INTEGER NOT NULL,
  quantity    DECIMAL TEXT(18,3) NOT NULL,
  unit_price  DECIMAL TEXT(18,2) NOT NULL,
  line_amount DECIMAL TEXT(18,2) NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL
);
CREATE TABLE invoices (
  id           INTEGER PRIMARY KEY,
  invoice_no   VARCHAR(20) NOT NULL UNIQUE,
  order_id     INTEGER     NOT NULL,
  account_id   INTEGER     NOT NULL,
  net_amount   DECIMAL TEXT(18,2) NOT NULL,
  tax_amount   DECIMAL TEXT(18,2) NOT NULL,
  gross_amount DECIMAL TEXT(18,2) NOT NULL,
  issued_on    DATE        NOT NULL,
  due_on       DATE        NOT NULL,
  status       VARCHAR(10) NOT NULL,
  updated_at   TIMESTAMPTZ NOT NULL
);
CREATE TABLE stock_levels (
  id         INTEGER PRIMARY KEY,
  product_id INTEGER     NOT NULL,
  warehouse  VARCHAR(20) NOT NULL,
  on_hand    DECIMAL TEXT(18,3) NOT NULL,
  reserved   DECIMAL TEXT(18,3) NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  UNIQUE (product_id, warehouse)
);
CREATE INDEX accounts_changes     ON accounts (updated_at, id);
CREATE INDEX products_changes     ON products (updated_at, id);
CREATE INDEX orders_changes       ON orders (updated_at, id);
CREATE INDEX orders_status        ON orders (status, id);
CREATE INDEX order_lines_changes  ON order_lines (updated_at, id);
CREATE INDEX invoices_changes     ON invoices (updated_at, id);
CREATE INDEX stock_levels_changes ON stock_levels (updated_at, id);
`;

const ERP_DDL = `
CREATE TABLE erp_customer (
  crm_id       INTEGER PRIMARY KEY,
  cust_code    VARCHAR(20)  NOT NULL,
  cust_name    VARCHAR(100) NOT NULL,
  email        VARCHAR(120),
  phone        VARCHAR(30),
  city         VARCHAR(40),
  credit_limit DECIMAL TEXT(18,2),
  status       CHAR(1)      NOT NULL,
  is_deleted   BOOLEAN      NOT NULL DEFAULT 0
);
CREATE TABLE erp_item (
  crm_id     INTEGER PRIMARY KEY,
  item_no    VARCHAR(30)  NOT NULL,
  item_desc  VARCHAR(100) NOT NULL,
  list_price DECIMAL TEXT(18,2) NOT NULL,
  base_uom   CHAR(3)      NOT NULL
);
CREATE TABLE erp_sales_order (
  crm_id      INTEGER PRIMARY KEY,
  so_no       VARCHAR(20) NOT NULL,
  cust_crm_id INTEGER     NOT NULL,
  order_time  TIMESTAMPTZ NOT NULL,
  curr        CHAR(3)     NOT NULL,
  net_amount  DECIMAL TEXT(18,2) NOT NULL,
  so_status   CHAR(1)     NOT NULL
);
CREATE TABLE erp_sales_order_line (
  crm_id      INTEGER PRIMARY KEY,
  so_crm_id   INTEGER NOT NULL,
  pos_no      INTEGER NOT NULL,
  item_crm_id INTEGER NOT NULL,
  qty         DECIMAL TEXT(18,3) NOT NULL,
  price       DECIMAL TEXT(18,2) NOT NULL,
  amount      DECIMAL TEXT(18,2) NOT NULL
);
CREATE TABLE erp_invoice (
  crm_id      INTEGER PRIMARY KEY,
  inv_no      VARCHAR(20) NOT NULL,
  so_crm_id   INTEGER     NOT NULL,
  cust_crm_id INTEGER     NOT NULL,
  net         DECIMAL TEXT(18,2) NOT NULL,
  vat         DECIMAL TEXT(18,2) NOT NULL,
  gross       DECIMAL TEXT(18,2) NOT NULL,
  inv_date    DATE        NOT NULL,
  due_date    DATE        NOT NULL,
  inv_status  CHAR(1)     NOT NULL
);
CREATE TABLE erp_stock (
  crm_id       INTEGER PRIMARY KEY,
  item_crm_id  INTEGER NOT NULL,
  whse         CHAR(4) NOT NULL,
  qty_on_hand  DECIMAL TEXT(18,3) NOT NULL,
  qty_reserved DECIMAL TEXT(18,3) NOT NULL
);
`;

/** One synced table pair: the flow, its CRM source table and its ERP target table. */
export interface DemoTablePair {
  readonly flow: string;
  readonly crmTable: string;
  readonly erpTable: string;
}

/** Every flow of the demo with its tables, in the order the summary lists them. */
export const DEMO_TABLE_PAIRS: readonly DemoTablePair[] = [
  { flow: 'orders', crmTable: 'orders', erpTable: 'erp_sales_order' },
  { flow: 'order_lines', crmTable: 'order_lines', erpTable: 'erp_sales_order_line' },
  { flow: 'stock', crmTable: 'stock_levels', erpTable: 'erp_stock' },
  { flow: 'invoices', crmTable: 'invoices', erpTable: 'erp_invoice' },
  { flow: 'customers', crmTable: 'accounts', erpTable: 'erp_customer' },
  { flow: 'products', crmTable: 'products', erpTable: 'erp_item' },
];

/** File names inside the demo directory. */
export const DEMO_FILES = {
  crm: 'crm.db',
  erp: 'erp.db',
  state: 'state.db',
  config: 'syncline.yaml',
} as const;

/** Opens a demo database for writing, in WAL mode like the connector, so readers never block it. */
export function openDemoDatabase(path: string): Database.Database {
  const db = new Database(path, { timeout: 5_000 });
  db.pragma('journal_mode = WAL');
  return db;
}

/** Creates both database files with their tables; the files must not exist yet. */
export function createDemoDatabases(crmPath: string, erpPath: string): void {
  for (const [path, ddl] of [
    [crmPath, CRM_DDL],
    [erpPath, ERP_DDL],
  ] as const) {
    const db = openDemoDatabase(path);
    try {
      db.exec(ddl);
    } finally {
      db.close();
    }
  }
}
