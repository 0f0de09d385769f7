import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlowConfig } from '../../src/config/config-schema.js';
import { sqliteConnector } from '../../src/connectors/sqlite/index.js';
import type { WriteSample } from '../../src/core/batch-writer.js';
import type { Connector } from '../../src/core/connector.js';
import { runCycle } from '../../src/core/cycle.js';
import { compileFlow, type Flow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { ListingSource } from '../support/listing-source.js';
import { OutcomeTarget } from '../support/outcome-target.js';

// Issue 12, part 1: a target that reports per-record outcomes (recordOutcomes), over a real
// SQLite database that refuses records by its own constraints and generates ids. No halving, no
// read-back: one call's outcomes decide, new ids land in the key map, and a retry after a batch
// that failed half-way writes nothing twice.

const retry = { attempts: 3, initialDelayMs: 1, maxDelayMs: 2 };

function customersConfig(): FlowConfig {
  return {
    source: {
      connection: 'crm',
      table: 'accounts',
      key: 'id',
      cursor: 'version',
      lookback: { ms: 0, appliesTo: 'any' },
    },
    target: { connection: 'erp', table: 'parties', objectKey: 'model', key: 'code' },
    batch: 50,
    fields: { name: 'name' },
    retry,
  };
}

function ordersConfig(): FlowConfig {
  return {
    source: {
      connection: 'crm',
      table: 'orders',
      key: 'id',
      cursor: 'version',
      lookback: { ms: 0, appliesTo: 'any' },
    },
    target: { connection: 'erp', table: 'sales', key: 'reference' },
    batch: 50,
    fields: { party: { from: 'account_id', ref: 'customers' }, total: 'total' },
    retry,
  };
}

let dir: string;
let crm: Database.Database;
let source: Connector;
let target: OutcomeTarget;
let state: SqliteStateStore;
let samples: WriteSample[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-outcomes-'));
  crm = new Database(join(dir, 'crm.db'));
  crm.exec(`CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, version INTEGER NOT NULL);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER, total REAL, version INTEGER NOT NULL);`);
  target = new OutcomeTarget(join(dir, 'erp.db'));
  // No UNIQUE on code: like an ERP whose key field is a plain field, only the connector's
  // upsert by key keeps one party per CRM key, so a doubled write would show as a second row.
  target.db.exec(`CREATE TABLE parties (id INTEGER PRIMARY KEY, code TEXT NOT NULL,
      name TEXT NOT NULL CONSTRAINT name_not_empty CHECK (length(name) > 0));
    CREATE TABLE sales (id INTEGER PRIMARY KEY, reference TEXT NOT NULL, party INTEGER NOT NULL, total REAL);`);
  source = sqliteConnector.create(
    { type: 'sqlite', path: join(dir, 'crm.db') },
    { name: 'crm', logger: silentLogger },
  );
  state = new SqliteStateStore(join(dir, 'state.db'));
  await state.init();
  samples = [];
});

afterEach(async () => {
  await Promise.allSettled([source.close(), target.close(), state.close()]);
  crm.close();
  rmSync(dir, { recursive: true, force: true });
});

function addAccounts(rows: readonly { id: number; name: string }[]): void {
  const insert = crm.prepare('INSERT INTO accounts (id, name, version) VALUES (?, ?, ?)');
  for (const row of rows) insert.run(row.id, row.name, row.id);
}

function cycle(flow: Flow) {
  return runCycle(
    flow,
    { source, target, state, logger: silentLogger },
    {
      trigger: 'manual',
      signal: new AbortController().signal,
      onWrite: (sample) => samples.push(sample),
    },
  );
}

function parties(): { id: number; code: string; name: string }[] {
  return target.db.prepare('SELECT id, code, name FROM parties ORDER BY id').all() as {
    id: number;
    code: string;
    name: string;
  }[];
}

describe('a target with per-record outcomes', () => {
  it('dead-letters a refused record alone, with the system message, in one write call', async () => {
    addAccounts([
      { id: 1, name: 'Ada' },
      { id: 2, name: 'Bob' },
      { id: 3, name: '' },
      { id: 4, name: 'Dee' },
      { id: 5, name: 'Eve' },
    ]);
    const result = await cycle(compileFlow('customers', customersConfig()));
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ written: 4, failed: 1 });
    // One call: the outcomes said which record failed; nothing was halved or sent again.
    expect(target.writeCalls).toBe(1);
    expect(parties().map((party) => party.code)).toEqual(['1', '2', '4', '5']);
    const letters = await state.listDeadLetters({ flow: 'customers', status: 'open', limit: 10 });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ key: '3', kind: 'write', code: 'CONNECTOR_CONSTRAINT_VIOLATION' });
    expect(letters[0]?.reason).toContain('CHECK constraint failed: name_not_empty');
    // The call itself is the target answering well; the refusal is the record's, not target trouble.
    expect(samples.map((sample) => [sample.outcome, sample.rows])).toEqual([
      ['ok', 4],
      ['refused', 1],
    ]);
  });

  it('keeps the new ids in the key map, and a ref uses them without any read-back', async () => {
    addAccounts([
      { id: 1, name: 'Ada' },
      { id: 2, name: 'Bob' },
    ]);
    // An id the target gives is not the CRM key: make them differ.
    target.db.exec(`INSERT INTO parties (id, code, name) VALUES (100, 'other', 'Other')`);
    const customers = compileFlow('customers', customersConfig());
    expect((await cycle(customers)).status).toBe('succeeded');
    const synced = await state.getSynced('customers', ['1', '2']);
    const byCode = new Map(parties().map((party) => [party.code, party.id]));
    expect(synced.get('1')?.targetId).toBe(String(byCode.get('1')));
    expect(synced.get('2')?.targetId).toBe(String(byCode.get('2')));
    expect(byCode.get('1')).toBe(101);

    crm.exec(`INSERT INTO orders (id, account_id, total, version) VALUES (7, 2, 9.5, 1), (8, 1, 3, 2)`);
    const orders = compileFlow('orders', ordersConfig());
    const result = await cycle(orders);
    expect(result.counts).toMatchObject({ written: 2, failed: 0, quarantined: 0 });
    expect(target.db.prepare('SELECT reference, party, total FROM sales ORDER BY reference').all()).toEqual([
      { reference: '7', party: byCode.get('2'), total: 9.5 },
      { reference: '8', party: byCode.get('1'), total: 3 },
    ]);
  });

  it('retries a batch that failed half-way as a whole and writes nothing twice', async () => {
    addAccounts([1, 2, 3, 4, 5].map((id) => ({ id, name: `Customer ${id}` })));
    target.failOnceAfter(2);
    const result = await cycle(compileFlow('customers', customersConfig()));
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ written: 5, failed: 0 });
    // The first call wrote two records, then lost its connection; the retry sent all five again.
    expect(target.writeCalls).toBe(2);
    const rows = parties();
    expect(rows.map((party) => party.code)).toEqual(['1', '2', '3', '4', '5']);
    const synced = await state.getSynced('customers', ['1', '2', '3', '4', '5']);
    for (const party of rows) expect(synced.get(party.code)?.targetId).toBe(String(party.id));
    expect(samples.map((sample) => sample.outcome)).toEqual(['error', 'ok']);
  });

  it('fails the cycle on an error the target throws that is not retryable, dead-lettering nothing', async () => {
    addAccounts([1, 2, 3].map((id) => ({ id, name: `Customer ${id}` })));
    target.db.exec('DROP TABLE parties');
    const flow = compileFlow('customers', customersConfig());
    const failed = await cycle(flow);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toMatch(/no such table: parties/);
    // One attempt, never halved: the error is about the target, not about a record.
    expect(target.writeCalls).toBe(1);
    expect(await state.listDeadLetters({ flow: 'customers', status: 'open', limit: 10 })).toEqual([]);
    // The checkpoint stayed: once the target is back, the next cycle writes every record.
    target.db.exec('CREATE TABLE parties (id INTEGER PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL)');
    expect((await cycle(flow)).counts).toMatchObject({ written: 3, failed: 0 });
    expect(parties().map((party) => party.code)).toEqual(['1', '2', '3']);
  });

  it('skips records the target already holds on the next cycle, by content hash', async () => {
    addAccounts([{ id: 1, name: 'Ada' }]);
    const flow = compileFlow('customers', customersConfig());
    await cycle(flow);
    crm.exec(`UPDATE accounts SET version = 10 WHERE id = 1`);
    const again = await cycle(flow);
    expect(again.counts).toMatchObject({ read: 1, unchanged: 1, written: 0 });
    expect(target.writeCalls).toBe(1);
  });
});

describe('a source without a cursor', () => {
  it('is read whole each cycle, and unchanged records are skipped by content hash', async () => {
    const listing = new ListingSource(join(dir, 'crm.db'));
    try {
      addAccounts([1, 2, 3].map((id) => ({ id, name: `Customer ${id}` })));
      const config = customersConfig();
      const flow = compileFlow('customers', { ...config, source: { ...config.source, cursor: undefined } });
      const ports = { source: listing, target, state, logger: silentLogger };
      const options = { trigger: 'manual' as const, signal: new AbortController().signal };
      expect((await runCycle(flow, ports, options)).counts).toMatchObject({ read: 3, written: 3 });
      crm.exec(`UPDATE accounts SET name = 'Renamed' WHERE id = 2`);
      const second = await runCycle(flow, ports, options);
      expect(second.counts).toMatchObject({ read: 3, written: 1, unchanged: 2 });
      expect(listing.listed).toBe(6);
      expect(parties().map((party) => party.name)).toEqual(['Customer 1', 'Renamed', 'Customer 3']);
      expect(target.writeCalls).toBe(2);
    } finally {
      await listing.close();
    }
  });
});
