import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/cli/engine.js';
import { runCycle } from '../../src/core/cycle.js';
import type { ConflictInput } from '../../src/core/state-store.js';
import { silentLogger } from '../../src/core/logger.js';
import { runCli } from '../support/cli.js';

// Two-way sync on the embedded stack (SQLite CRM and ERP files, SQLite state): flags kept in
// INTEGER columns, validation on the way back, dead-letter replay toward the source, and a
// parked conflict that closes once both sides agree.

let dir: string;
let crm: Database.Database;
let erp: Database.Database;

function config(conflict: string): string {
  return `
state: sqlite:${join(dir, 'state.db')}
connections:
  crm: { type: sqlite, path: ${join(dir, 'crm.db')} }
  erp: { type: sqlite, path: ${join(dir, 'erp.db')} }
flows:
  customers:
    direction: both
    conflict: ${conflict}
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 100 }
    target: { connection: erp, table: customers, key: crm_id, cursor: version, id: id }
    fields:
      name: name
      vip: { from: vip, type: boolean }
    validate:
      name: { required: true, maxLength: 20 }
`;
}

async function open(conflict = 'source-wins'): Promise<Engine> {
  const path = join(dir, `syncline-${conflict.replace(/\W/g, '')}.yaml`);
  writeFileSync(path, config(conflict));
  return openEngine(path, () => silentLogger);
}

async function cycles(
  engine: Engine,
  count: number,
  onConflict?: (conflict: ConflictInput) => void,
): Promise<number> {
  const flow = engine.flow('customers');
  let written = 0;
  for (let index = 0; index < count; index++) {
    const result = await runCycle(flow, engine.context.portsFor(flow), {
      trigger: 'manual',
      signal: new AbortController().signal,
      ...(onConflict === undefined ? {} : { onConflict }),
    });
    if (result.status !== 'succeeded')
      throw new Error(`cycle ${result.status}: ${result.error?.message ?? ''}`);
    written += result.counts.written;
  }
  return written;
}

/** Each side's triggers raise `version` from one shared counter, as an application would. */
function schema(db: Database.Database, table: string, key: string): void {
  db.exec(`
    CREATE TABLE ${table} (${key === 'id' ? 'id INTEGER PRIMARY KEY' : 'id INTEGER PRIMARY KEY, crm_id TEXT UNIQUE'},
      name TEXT, vip INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE clock (n INTEGER NOT NULL); INSERT INTO clock VALUES (0);
    CREATE TRIGGER ${table}_insert AFTER INSERT ON ${table} BEGIN
      UPDATE clock SET n = n + 1; UPDATE ${table} SET version = (SELECT n FROM clock) WHERE id = NEW.id; END;
    CREATE TRIGGER ${table}_update AFTER UPDATE OF name, vip ON ${table} BEGIN
      UPDATE clock SET n = n + 1; UPDATE ${table} SET version = (SELECT n FROM clock) WHERE id = NEW.id; END;
  `);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-two-way-sqlite-'));
  crm = new Database(join(dir, 'crm.db'));
  erp = new Database(join(dir, 'erp.db'));
  schema(crm, 'accounts', 'id');
  schema(erp, 'customers', 'crm_id');
  const insert = crm.prepare('INSERT INTO accounts (id, name, vip) VALUES (?, ?, ?)');
  for (let id = 1; id <= 30; id++) insert.run(id, `客户 ${id}`, id % 3 === 0 ? 1 : 0);
});

afterAll(() => {
  crm.close();
  erp.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('two-way sync on SQLite', () => {
  it('writes a flag into an INTEGER column and never echoes it back (invariant 8)', async () => {
    const engine = await open();
    try {
      expect(await cycles(engine, 1)).toBe(30);
      expect(erp.prepare("SELECT vip FROM customers WHERE crm_id = '3'").get()).toEqual({ vip: 1 });
      expect(await cycles(engine, 100)).toBe(0);
      erp.prepare("UPDATE customers SET vip = 1 WHERE crm_id = '4'").run();
      expect(await cycles(engine, 5)).toBe(1);
      expect(crm.prepare('SELECT vip FROM accounts WHERE id = 4').get()).toEqual({ vip: 1 });
    } finally {
      await engine.close();
    }
  });

  it('holds a target value to the flow rules before it reaches the source, and replays it there once fixed', async () => {
    const engine = await open();
    try {
      erp.prepare("UPDATE customers SET name = 'a name far too long for the rule' WHERE crm_id = '5'").run();
      expect(await cycles(engine, 2)).toBe(0);
      expect(crm.prepare('SELECT name FROM accounts WHERE id = 5').get()).toEqual({ name: '客户 5' });
      const [letter] = await engine.state.listDeadLetters({ flow: 'customers', status: 'open', limit: 10 });
      expect(letter).toMatchObject({ key: '5', kind: 'validation', field: 'name' });
      expect(letter?.reason).toMatch(/^back to the source: name /);

      erp.prepare("UPDATE customers SET name = 'fixed in ERP' WHERE crm_id = '5'").run();
      await engine.close();
      const replay = await runCli(['-c', join(dir, 'syncline-sourcewins.yaml'), 'dlq', 'replay'], {
        cwd: dir,
      });
      expect(replay.code).toBe(0);
      expect(crm.prepare('SELECT name FROM accounts WHERE id = 5').get()).toEqual({ name: 'fixed in ERP' });
    } finally {
      await engine.close();
    }
  });

  it('closes a parked conflict by itself once both sides hold the same record', async () => {
    const engine = await open('manual');
    try {
      crm.prepare("UPDATE accounts SET name = 'CRM side' WHERE id = 7").run();
      erp.prepare("UPDATE customers SET name = 'ERP side' WHERE crm_id = '7'").run();
      const told: ConflictInput[] = [];
      expect(await cycles(engine, 2, (conflict) => told.push(conflict))).toBe(0);
      expect(await engine.state.listConflicts({ flow: 'customers', status: 'open', limit: 5 })).toHaveLength(
        1,
      );
      // The cycle's observer hears of the parked conflict once its commit went through.
      expect(told.length).toBeGreaterThan(0);
      expect(told[0]).toMatchObject({ key: '7', fields: ['name'] });

      crm.prepare("UPDATE accounts SET name = 'ERP side' WHERE id = 7").run();
      expect(await cycles(engine, 2)).toBe(0);
      expect(await engine.state.listConflicts({ flow: 'customers', status: 'open', limit: 5 })).toEqual([]);
      const [closed] = await engine.state.listConflicts({ flow: 'customers', status: 'resolved', limit: 5 });
      expect(closed).toMatchObject({ key: '7', resolution: 'agree', resolvedBy: 'sync' });
    } finally {
      await engine.close();
    }
  });
});
