import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncConfigSchema, type SyncConfigInput } from '../../src/config/config-schema.js';
import { postgresConnector } from '../../src/connectors/postgres/index.js';
import type { Connector } from '../../src/core/connector.js';
import { runCycle } from '../../src/core/cycle.js';
import { compileFlow, type Flow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { OutcomeTarget } from '../support/outcome-target.js';

// Issue 12, part 1: records with lines in one flow. A PostgreSQL CRM's orders and order_lines
// become sales with their lines at a target that writes a record and its lines as one unit (the
// SQLite-backed OutcomeTarget; the Tryton connector proves a real ERP). Lines are mapped like
// fields, refs translated through the products flow's key map; an edited, added or removed line
// reaches the target once the order's cursor moves, and an unchanged order is skipped by its hash.

const config: SyncConfigInput = {
  connections: { crm: { type: 'postgres' }, erp: { type: 'test' } },
  flows: {
    customers: {
      source: { connection: 'crm', table: 'accounts', key: 'id', cursor: 'updated_at', lookback: 0 },
      target: { connection: 'erp', model: 'party', key: 'code' },
      fields: { name: 'name' },
    },
    products: {
      source: { connection: 'crm', table: 'products', key: 'id', cursor: 'updated_at', lookback: 0 },
      target: { connection: 'erp', model: 'product', key: 'code' },
      fields: { name: 'name' },
    },
    orders: {
      source: { connection: 'crm', table: 'orders', key: 'id', cursor: 'updated_at', lookback: 0 },
      target: { connection: 'erp', model: 'sale', key: 'reference' },
      fields: { party: { from: 'account_id', ref: 'customers' }, description: 'note' },
      lines: {
        lines: {
          source: { table: 'order_lines', key: 'id', parent: 'order_id' },
          target: { key: 'note' },
          fields: {
            product: { from: 'product_id', ref: 'products' },
            quantity: { from: 'qty', type: 'decimal' },
            unit_price: { from: 'unit_price', type: 'decimal' },
          },
          validate: { quantity: { min: 1 } },
        },
      },
    },
  },
};

let database: TestDatabase;
let crm: pg.Client;
let source: Connector;
let target: OutcomeTarget;
let state: SqliteStateStore;
let dir: string;
const flows = new Map<string, Flow>();

beforeAll(async () => {
  database = await createPostgresDatabase('lines');
  crm = new pg.Client({ connectionString: database.url });
  await crm.connect();
  await crm.query(`
    CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE TABLE orders (id int PRIMARY KEY, account_id int NOT NULL, note text,
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE TABLE order_lines (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders, product_id int NOT NULL,
      qty numeric(12,3) NOT NULL, unit_price numeric(12,2) NOT NULL);
    INSERT INTO accounts (id, name) VALUES (1, 'Ada'), (2, 'Bob');
    INSERT INTO products (id, name) VALUES (10, 'Bolt'), (11, 'Nut'), (12, 'Washer');
    INSERT INTO orders (id, account_id, note) VALUES (100, 1, 'first'), (101, 2, 'second'), (102, 2, NULL);
    INSERT INTO order_lines VALUES (1000, 100, 10, 2, 1.50), (1001, 100, 11, 5, 0.20),
      (1002, 101, 12, 1, 0.05), (1003, 101, 10, 3, 1.50), (1004, 101, 11, 4, 0.20);`);
  const url = database.url;
  source = postgresConnector.create(postgresConnector.configSchema.parse({ type: 'postgres', url }), {
    name: 'crm',
    logger: silentLogger,
  });
  dir = mkdtempSync(join(tmpdir(), 'syncline-lines-'));
  target = new OutcomeTarget(join(dir, 'erp.db'));
  target.db.exec(`
    CREATE TABLE party (id INTEGER PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL);
    CREATE TABLE product (id INTEGER PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL);
    INSERT INTO product (id, code, name) VALUES (500, 'legacy', 'Legacy');
    CREATE TABLE sale (id INTEGER PRIMARY KEY, reference TEXT NOT NULL, party INTEGER NOT NULL, description TEXT);
    CREATE TABLE sale_lines (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL, note TEXT NOT NULL,
      product INTEGER NOT NULL, quantity TEXT NOT NULL, unit_price TEXT NOT NULL);`);
  state = new SqliteStateStore(join(dir, 'state.db'));
  await state.init();
  const parsed = syncConfigSchema.parse(config);
  for (const [name, flow] of Object.entries(parsed.flows)) flows.set(name, compileFlow(name, flow));
});

afterAll(async () => {
  await Promise.allSettled([source.close(), target.close(), state.close(), crm.end()]);
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function cycle(name: string) {
  const flow = flows.get(name);
  if (flow === undefined) throw new Error(`no flow ${name}`);
  const result = await runCycle(
    flow,
    { source, target, state, logger: silentLogger },
    {
      trigger: 'manual',
      signal: new AbortController().signal,
    },
  );
  expect(result.error?.message).toBeUndefined();
  return result;
}

/** The target's sales with their lines, ids replaced by the CRM keys they stand for. */
function sales(): Record<string, { party: string; description: string | null; lines: string[] }> {
  const code = (table: string, id: unknown): string =>
    String(target.db.prepare(`SELECT code FROM ${table} WHERE id = ?`).pluck().get(id));
  const result: Record<string, { party: string; description: string | null; lines: string[] }> = {};
  const rows = target.db.prepare('SELECT * FROM sale ORDER BY reference').all() as Record<string, unknown>[];
  for (const row of rows) {
    const lines = target.db
      .prepare('SELECT * FROM sale_lines WHERE parent = ? ORDER BY CAST(note AS INTEGER)')
      .all(row.id) as Record<string, unknown>[];
    result[String(row.reference)] = {
      party: code('party', row.party),
      description: row.description as string | null,
      lines: lines.map(
        (line) =>
          `${String(line.note)}:${code('product', line.product)}x${String(line.quantity)}@${String(line.unit_price)}`,
      ),
    };
  }
  return result;
}

describe('records with lines, PostgreSQL → a target that writes a record and its lines as one unit', () => {
  it('syncs each order with all its lines, refs translated through the other flows', async () => {
    await cycle('customers');
    await cycle('products');
    const result = await cycle('orders');
    expect(result.counts).toMatchObject({ written: 3, failed: 0, quarantined: 0 });
    expect(sales()).toEqual({
      '100': { party: '1', description: 'first', lines: ['1000:10x2.000@1.50', '1001:11x5.000@0.20'] },
      '101': {
        party: '2',
        description: 'second',
        lines: ['1002:12x1.000@0.05', '1003:10x3.000@1.50', '1004:11x4.000@0.20'],
      },
      '102': { party: '2', description: null, lines: [] },
    });
  });

  it('skips an order whose record and lines are unchanged although its cursor moved', async () => {
    const calls = target.writeCalls;
    await crm.query('UPDATE orders SET updated_at = clock_timestamp() WHERE id = 100');
    const result = await cycle('orders');
    expect(result.counts).toMatchObject({ written: 0, unchanged: result.counts.read });
    expect(target.writeCalls).toBe(calls);
  });

  it('carries an edited, an added and a removed line to the target', async () => {
    await crm.query(`UPDATE order_lines SET qty = 7 WHERE id = 1001;
      DELETE FROM order_lines WHERE id = 1003;
      INSERT INTO order_lines VALUES (1005, 102, 12, 9, 0.05);
      UPDATE orders SET updated_at = clock_timestamp() WHERE id IN (100, 101, 102);`);
    const result = await cycle('orders');
    expect(result.counts).toMatchObject({ written: 3, failed: 0 });
    expect(sales()).toEqual({
      '100': { party: '1', description: 'first', lines: ['1000:10x2.000@1.50', '1001:11x7.000@0.20'] },
      '101': { party: '2', description: 'second', lines: ['1002:12x1.000@0.05', '1004:11x4.000@0.20'] },
      '102': { party: '2', description: null, lines: ['1005:12x9.000@0.05'] },
    });
  });

  it('quarantines an order whose line breaks a line rule, naming the line, and writes the others', async () => {
    await crm.query(`UPDATE order_lines SET qty = 0 WHERE id = 1002;
      UPDATE order_lines SET qty = 6 WHERE id = 1000;
      UPDATE orders SET updated_at = clock_timestamp() WHERE id IN (100, 101);`);
    const result = await cycle('orders');
    expect(result.counts).toMatchObject({ written: 1, quarantined: 1 });
    const [letter] = await state.listDeadLetters({ flow: 'orders', status: 'open', limit: 10 });
    expect(letter).toMatchObject({ key: '101', kind: 'validation', field: 'lines[1002].quantity' });
    expect(sales()['100']?.lines).toEqual(['1000:10x6.000@1.50', '1001:11x7.000@0.20']);
    expect(sales()['101']?.lines).toEqual(['1002:12x1.000@0.05', '1004:11x4.000@0.20']);
  });

  it('reads an order with its lines by key (resync, replay)', async () => {
    const flow = flows.get('orders');
    if (flow === undefined) throw new Error('no orders flow');
    const [change] = await source.readByKeys(flow.source, ['100'], new AbortController().signal);
    expect(change?.lines?.lines?.map((line) => [line.key, line.row.product_id])).toEqual([
      ['1000', 10],
      ['1001', 11],
    ]);
  });
});
