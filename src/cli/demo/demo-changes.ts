import type Database from 'better-sqlite3';
import { badKeysOf } from './demo-data.js';
import { companyName } from './demo-names.js';
import type { DemoRandom } from './demo-random.js';
import { openDemoDatabase } from './demo-schema.js';
import { dateAt, money, quantity, timestampAt, unitsOf, vatCents } from './demo-values.js';

/** The kinds of change the generator makes, as the summary names them. */
export const DEMO_CHANGE_KINDS = {
  newOrders: 'new orders',
  newOrderLines: 'order lines',
  orderUpdates: 'order updates',
  stockChanges: 'stock moves',
  newInvoices: 'invoices',
  invoiceUpdates: 'invoices paid',
  newCustomers: 'new customers',
  customerEdits: 'customer edits',
  softDeletes: 'soft deletes',
  priceChanges: 'price changes',
} as const;

/** What the change generator has written to the CRM so far, by kind. */
export type DemoChangeCounts = Record<keyof typeof DEMO_CHANGE_KINDS, number>;

/** Options of the change generator. */
export interface DemoChangeOptions {
  /** Milliseconds between two ticks; a new order each tick. Default 200. */
  readonly tickMs?: number;
  /** Called when a tick fails (it is skipped; the next one tries again). */
  readonly onError?: (error: unknown) => void;
  /** Clock, epoch milliseconds. Default Date.now. */
  readonly now?: () => number;
}

const DAY_MS = 86_400_000;

/**
 * Plays the CRM's users: writes to the CRM file directly, as another application would, with
 * `updated_at` set to the current time. Every tick adds an order with lines and moves stock;
 * less often it confirms and ships orders (shipping issues an invoice), marks invoices paid,
 * edits, adds and soft-deletes customers and changes prices. Each tick is one transaction.
 */
export class DemoChangeGenerator {
  readonly counts = Object.fromEntries(
    Object.keys(DEMO_CHANGE_KINDS).map((kind) => [kind, 0]),
  ) as DemoChangeCounts;
  readonly #db: Database.Database;
  readonly #random: DemoRandom;
  readonly #options: DemoChangeOptions;
  readonly #badAccounts = badKeysOf('customers');
  #timer: NodeJS.Timeout | undefined;
  #tick = 0;

  constructor(crmPath: string, random: DemoRandom, options: DemoChangeOptions = {}) {
    this.#db = openDemoDatabase(crmPath);
    this.#random = random;
    this.#options = options;
  }

  /** Starts ticking. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.tick();
    }, this.#options.tickMs ?? 200);
  }

  /** Stops ticking and closes the CRM connection; what was written stays. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#db.open) this.#db.close();
  }

  /** One tick of changes, in one transaction. */
  tick(): void {
    this.#tick += 1;
    const tick = this.#tick;
    const now = timestampAt((this.#options.now ?? Date.now)());
    try {
      this.#db.transaction(() => {
        this.#newOrder(now);
        this.#moveStock(now, 2);
        if (tick % 3 === 0) this.#advanceOrder('open', 'confirmed', now);
        if (tick % 5 === 0) this.#shipOrder(now);
        if (tick % 10 === 0) this.#payInvoice(now);
        if (tick % 10 === 5) this.#editCustomer(now);
        if (tick % 15 === 0) this.#newCustomer(now);
        if (tick % 20 === 10) this.#changePrice(now);
        if (tick % 25 === 12) this.#softDeleteCustomer(now);
      })();
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  #maxId(table: 'accounts' | 'products' | 'orders' | 'order_lines' | 'invoices' | 'stock_levels'): number {
    return Number(this.#db.prepare(`SELECT COALESCE(MAX(id), 0) FROM ${table}`).pluck().get());
  }

  /** A random live customer that is not one of the deliberately bad records. */
  #liveAccount(): number | undefined {
    const maxId = this.#maxId('accounts');
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const id = this.#random.int(1, maxId);
      if (this.#badAccounts.has(id)) continue;
      const row = this.#db.prepare('SELECT is_deleted FROM accounts WHERE id = ?').get(id) as
        { is_deleted: number } | undefined;
      if (row?.is_deleted === 0) return id;
    }
    return undefined;
  }

  #newOrder(now: string): void {
    const accountId = this.#liveAccount() ?? 1;
    const orderId = this.#maxId('orders') + 1;
    let lineId = this.#maxId('order_lines') + 1;
    const productCount = this.#maxId('products');
    const insertLine = this.#db.prepare(
      'INSERT INTO order_lines (id, order_id, line_no, product_id, quantity, unit_price, line_amount, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    let totalCents = 0;
    const lines = this.#random.int(1, 4);
    for (let lineNo = 1; lineNo <= lines; lineNo += 1) {
      const productId = this.#random.int(1, productCount);
      const price = this.#db
        .prepare('SELECT unit_price FROM products WHERE id = ?')
        .pluck()
        .get(productId) as string;
      const priceCents = unitsOf(price, 2);
      const thousandths = this.#random.int(1, 12) * 1_000;
      const amountCents = Math.round((thousandths * priceCents) / 1_000);
      totalCents += amountCents;
      insertLine.run(
        lineId,
        orderId,
        lineNo,
        productId,
        quantity(thousandths),
        money(priceCents),
        money(amountCents),
        now,
      );
      lineId += 1;
      this.counts.newOrderLines += 1;
    }
    this.#db
      .prepare(
        'INSERT INTO orders (id, order_no, account_id, ordered_at, currency, total_amount, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        orderId,
        `SO-${String(orderId).padStart(7, '0')}`,
        accountId,
        now,
        'CNY',
        money(totalCents),
        'open',
        now,
      );
    this.counts.newOrders += 1;
  }

  #moveStock(now: string, rows: number): void {
    const maxId = this.#maxId('stock_levels');
    const select = this.#db.prepare('SELECT on_hand, reserved FROM stock_levels WHERE id = ?');
    const update = this.#db.prepare(
      'UPDATE stock_levels SET on_hand = ?, reserved = ?, updated_at = ? WHERE id = ?',
    );
    for (let count = 0; count < rows; count += 1) {
      const id = this.#random.int(1, maxId);
      const row = select.get(id) as { on_hand: string; reserved: string } | undefined;
      if (row === undefined) continue;
      const onHand = Math.max(0, unitsOf(row.on_hand, 3) + this.#random.int(-40, 60) * 1_000);
      const reserved = Math.min(onHand, this.#random.int(0, 200) * 1_000);
      update.run(quantity(onHand), quantity(reserved), now, id);
      this.counts.stockChanges += 1;
    }
  }

  #advanceOrder(from: string, to: string, now: string): number | undefined {
    const id = this.#db
      .prepare('SELECT id FROM orders WHERE status = ? ORDER BY id LIMIT 1')
      .pluck()
      .get(from) as number | bigint | undefined;
    if (id === undefined) return undefined;
    this.#db.prepare('UPDATE orders SET status = ?, updated_at = ? WHERE id = ?').run(to, now, id);
    this.counts.orderUpdates += 1;
    return Number(id);
  }

  #shipOrder(now: string): void {
    const orderId = this.#advanceOrder('confirmed', 'shipped', now);
    if (orderId === undefined) return;
    const order = this.#db
      .prepare('SELECT account_id, total_amount FROM orders WHERE id = ?')
      .get(orderId) as { account_id: number; total_amount: string };
    const netCents = unitsOf(order.total_amount, 2);
    const taxCents = vatCents(netCents);
    const invoiceId = this.#maxId('invoices') + 1;
    const today = (this.#options.now ?? Date.now)();
    this.#db
      .prepare(
        `INSERT INTO invoices (id, invoice_no, order_id, account_id, net_amount, tax_amount, gross_amount, issued_on, due_on, status, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        invoiceId,
        `INV-${String(invoiceId).padStart(7, '0')}`,
        orderId,
        order.account_id,
        money(netCents),
        money(taxCents),
        money(netCents + taxCents),
        dateAt(today),
        dateAt(today + 30 * DAY_MS),
        'issued',
        now,
      );
    this.counts.newInvoices += 1;
  }

  #payInvoice(now: string): void {
    const result = this.#db
      .prepare(
        "UPDATE invoices SET status = 'paid', updated_at = ? WHERE id = (SELECT id FROM invoices WHERE status = 'issued' ORDER BY id LIMIT 1)",
      )
      .run(now);
    this.counts.invoiceUpdates += result.changes;
  }

  #editCustomer(now: string): void {
    const id = this.#liveAccount();
    if (id === undefined) return;
    const change = this.#random.int(0, 2);
    if (change === 0) {
      const limit = money(this.#random.int(10, 20_000) * 5_000 + this.#random.int(0, 99));
      this.#db
        .prepare('UPDATE accounts SET credit_limit = ?, updated_at = ? WHERE id = ?')
        .run(limit, now, id);
    } else if (change === 1) {
      this.#db
        .prepare(
          "UPDATE accounts SET status = CASE status WHEN 'active' THEN 'inactive' ELSE 'active' END, updated_at = ? WHERE id = ?",
        )
        .run(now, id);
    } else {
      this.#db
        .prepare('UPDATE accounts SET phone = ?, updated_at = ? WHERE id = ?')
        .run(
          `+86 1${this.#random.int(30, 89)} ${this.#random.int(1000, 9999)} ${this.#random.int(1000, 9999)}`,
          now,
          id,
        );
    }
    this.counts.customerEdits += 1;
  }

  #newCustomer(now: string): void {
    const id = this.#maxId('accounts') + 1;
    const company = companyName(this.#random, id);
    this.#db
      .prepare(
        'INSERT INTO accounts (id, code, name, email, phone, city, credit_limit, status, is_deleted, updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, 0, ?)',
      )
      .run(
        id,
        `C${String(id).padStart(6, '0')}`,
        company.name,
        company.email,
        company.city,
        money(this.#random.int(10, 400) * 10_000),
        'active',
        now,
      );
    this.counts.newCustomers += 1;
  }

  #changePrice(now: string): void {
    const id = this.#random.int(1, this.#maxId('products'));
    const price = this.#db.prepare('SELECT unit_price FROM products WHERE id = ?').pluck().get(id) as string;
    const cents = Math.max(1, Math.round((unitsOf(price, 2) * this.#random.int(90, 115)) / 100));
    this.#db
      .prepare('UPDATE products SET unit_price = ?, updated_at = ? WHERE id = ?')
      .run(money(cents), now, id);
    this.counts.priceChanges += 1;
  }

  #softDeleteCustomer(now: string): void {
    const id = this.#liveAccount();
    if (id === undefined) return;
    this.#db.prepare('UPDATE accounts SET is_deleted = 1, updated_at = ? WHERE id = ?').run(now, id);
    this.counts.softDeletes += 1;
  }
}
