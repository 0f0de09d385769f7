import type Database from 'better-sqlite3';
import { companyName, productName, WAREHOUSES } from './demo-names.js';
import type { DemoRandom } from './demo-random.js';
import { dateAt, money, quantity, timestampAt, vatCents } from './demo-values.js';

/** How much sample data the CRM starts with. */
export const DEMO_SEED_SIZES = { accounts: 2_000, products: 300, orders: 5_000 } as const;

const DAY_MS = 86_400_000;
const ORDER_STATUSES = [
  'open',
  'confirmed',
  'shipped',
  'shipped',
  'shipped',
  'shipped',
  'shipped',
  'cancelled',
] as const;

/** A record seeded to break a validation rule, so the dead-letter queue has something to show. */
export interface DemoBadRecord {
  readonly flow: string;
  /** Source key, as the dead letter names it. */
  readonly key: string;
  /** The mapped target field whose rule it breaks. */
  readonly field: string;
  /** What is wrong, in words. */
  readonly problem: string;
}

/** Customers everyone should recognise on the ERP side, and the exact-decimal showcase. */
export const DEMO_SHOWCASE_ACCOUNTS = [
  {
    id: 1,
    name: '上海华联超市有限公司',
    email: 'caigou@hualian.example.cn',
    city: 'Shanghai',
    creditLimit: '500000.00',
  },
  {
    id: 2,
    name: '北京京东世纪贸易有限公司',
    email: 'b2b@jd-trade.example.cn',
    city: 'Beijing',
    creditLimit: '2000000.00',
  },
  {
    id: 3,
    name: 'Acme Trading GmbH',
    email: 'einkauf@acme-trading.example.de',
    city: 'Frankfurt',
    creditLimit: '75000.50',
  },
  // 18 significant digits: a binary float would turn this into 1234567890123456.8.
  {
    id: 4,
    name: '华夏远洋航运集团有限公司',
    email: 'finance@huaxia-shipping.example.cn',
    city: 'Shanghai',
    creditLimit: '1234567890123456.78',
  },
] as const;

const LONG_NAME =
  'Shenzhen Oriental Precision Electronics Manufacturing and International Import & Export Trading Company Limited (South China Division)';

/** The deliberately bad records of the seed. */
export const DEMO_BAD_RECORDS: readonly DemoBadRecord[] = [
  { flow: 'customers', key: '17', field: 'email', problem: 'e-mail address without "@"' },
  { flow: 'customers', key: '404', field: 'cust_name', problem: 'empty customer name' },
  {
    flow: 'customers',
    key: '1234',
    field: 'cust_name',
    problem: `name of ${LONG_NAME.length} characters, the ERP holds 100`,
  },
  { flow: 'order_lines', key: '777', field: 'qty', problem: 'order line with quantity 0' },
];

/** Keys of bad records per source table, so the change generator leaves them alone. */
export function badKeysOf(flow: string): Set<number> {
  return new Set(
    DEMO_BAD_RECORDS.filter((record) => record.flow === flow).map((record) => Number(record.key)),
  );
}

/** A moment in the past `maxDaysAgo` days, at least a minute before `now`. */
function pastMoment(random: DemoRandom, now: number, maxDaysAgo: number): number {
  return now - 60_000 - Math.floor(random.next() * maxDaysAgo * DAY_MS);
}

function seedAccounts(db: Database.Database, random: DemoRandom, now: number): void {
  const insert = db.prepare(
    'INSERT INTO accounts (id, code, name, email, phone, city, credit_limit, status, is_deleted, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (let id = 1; id <= DEMO_SEED_SIZES.accounts; id += 1) {
    const company = companyName(random, id);
    const showcase = DEMO_SHOWCASE_ACCOUNTS.find((account) => account.id === id);
    let name: string = showcase?.name ?? company.name;
    let email: string | null = showcase?.email ?? (random.chance(0.05) ? null : company.email);
    if (id === 17) email = 'li.na#huaxin.example.cn';
    if (id === 404) name = '';
    if (id === 1234) name = LONG_NAME;
    const creditLimit =
      showcase?.creditLimit ??
      (random.chance(0.03) ? null : money(random.int(10, 20_000) * 5_000 + random.int(0, 99)));
    const phone = random.chance(0.1)
      ? null
      : `+86 1${random.int(30, 89)} ${random.int(1000, 9999)} ${random.int(1000, 9999)}`;
    const isDeleted = showcase === undefined && random.chance(0.01) ? 1 : 0;
    insert.run(
      id,
      `C${String(id).padStart(6, '0')}`,
      name,
      email,
      phone,
      showcase?.city ?? company.city,
      creditLimit,
      showcase !== undefined || random.chance(0.85) ? 'active' : 'inactive',
      isDeleted,
      timestampAt(pastMoment(random, now, 365)),
    );
  }
}

/** Seeds products and stock levels; returns each product's list price in cents. */
function seedProducts(db: Database.Database, random: DemoRandom, now: number): number[] {
  const insert = db.prepare(
    'INSERT INTO products (id, sku, name, unit_price, uom, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const stock = db.prepare(
    'INSERT INTO stock_levels (id, product_id, warehouse, on_hand, reserved, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const prices = [0];
  let stockId = 1;
  for (let id = 1; id <= DEMO_SEED_SIZES.products; id += 1) {
    const product = productName(random);
    prices.push(product.priceCents);
    insert.run(
      id,
      `SKU-${String(id).padStart(5, '0')}`,
      product.name,
      money(product.priceCents),
      product.uom,
      timestampAt(pastMoment(random, now, 365)),
    );
    for (const warehouse of WAREHOUSES) {
      const onHand = random.int(0, 5_000) * 1_000 + (product.uom === 'kg' ? random.int(0, 999) : 0);
      stock.run(
        stockId,
        id,
        warehouse,
        quantity(onHand),
        quantity(Math.floor(onHand * random.next() * 0.3)),
        timestampAt(pastMoment(random, now, 30)),
      );
      stockId += 1;
    }
  }
  return prices;
}

function seedOrders(db: Database.Database, random: DemoRandom, now: number, prices: readonly number[]): void {
  const order = db.prepare(
    'INSERT INTO orders (id, order_no, account_id, ordered_at, currency, total_amount, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const line = db.prepare(
    'INSERT INTO order_lines (id, order_id, line_no, product_id, quantity, unit_price, line_amount, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const invoice = db.prepare(
    `INSERT INTO invoices (id, invoice_no, order_id, account_id, net_amount, tax_amount, gross_amount, issued_on, due_on, status, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let lineId = 1;
  let invoiceId = 1;
  for (let id = 1; id <= DEMO_SEED_SIZES.orders; id += 1) {
    const orderedAt = pastMoment(random, now, 90);
    const updatedAt = Math.min(orderedAt + random.int(0, 2 * DAY_MS), now - 60_000);
    const lines = random.int(1, 5);
    let totalCents = 0;
    for (let lineNo = 1; lineNo <= lines; lineNo += 1) {
      const productId = random.int(1, DEMO_SEED_SIZES.products);
      const priceCents = prices[productId] ?? 0;
      const thousandths = lineId === 777 ? 0 : random.int(1, 20) * 1_000;
      const amountCents = Math.round((thousandths * priceCents) / 1_000);
      totalCents += amountCents;
      line.run(
        lineId,
        id,
        lineNo,
        productId,
        quantity(thousandths),
        money(priceCents),
        money(amountCents),
        timestampAt(orderedAt),
      );
      lineId += 1;
    }
    const accountId = random.int(1, DEMO_SEED_SIZES.accounts);
    const status = random.pick(ORDER_STATUSES);
    order.run(
      id,
      `SO-${String(id).padStart(7, '0')}`,
      accountId,
      timestampAt(orderedAt),
      'CNY',
      money(totalCents),
      status,
      timestampAt(updatedAt),
    );
    if (status === 'shipped') {
      const issuedAt = Math.min(orderedAt + DAY_MS, now - 60_000);
      const tax = vatCents(totalCents);
      const isPaid = now - issuedAt > 30 * DAY_MS || random.chance(0.3);
      invoice.run(
        invoiceId,
        `INV-${String(invoiceId).padStart(7, '0')}`,
        id,
        accountId,
        money(totalCents),
        money(tax),
        money(totalCents + tax),
        dateAt(issuedAt),
        dateAt(issuedAt + 30 * DAY_MS),
        isPaid ? 'paid' : 'issued',
        timestampAt(issuedAt),
      );
      invoiceId += 1;
    }
  }
}

/**
 * Fills the sample CRM: customers with Chinese and English names (a few deliberately bad),
 * products with stock in three warehouses, orders with lines, and invoices for shipped orders.
 * Every timestamp lies in the past, so the first cycle of each flow is the initial load.
 */
export function seedCrm(db: Database.Database, random: DemoRandom, now: number): void {
  db.transaction(() => {
    seedAccounts(db, random, now);
    const prices = seedProducts(db, random, now);
    seedOrders(db, random, now, prices);
  })();
}
