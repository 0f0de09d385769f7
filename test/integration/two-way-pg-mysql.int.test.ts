import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/cli/engine.js';
import { runCycle } from '../../src/core/cycle.js';
import type { CycleResult } from '../../src/core/cycle-ports.js';
import { silentLogger } from '../../src/core/logger.js';
import { resolveParkedConflict } from '../../src/core/two-way/conflict-resolve.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';

// Two-way sync between a PostgreSQL CRM and a MariaDB ERP, both keeping updated_at themselves
// (a trigger; ON UPDATE CURRENT_TIMESTAMP), so Syncline's own writes move the cursors it reads.

let databases: CrmErpDatabases;
let source: pg.Pool;
let target: mysql.Pool;
let dir: string;

const ROWS = 20;

function config(conflict: string): string {
  return `
state: sqlite:${join(dir, 'state.db')}
connections:
  crm: { type: postgres, url: "${databases.crmUrl}" }
  erp: { type: mysql, url: "${databases.erpUrl}" }
flows:
  customers:
    direction: both
    conflict: ${conflict}
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id, cursor: updated_at, id: id }
    fields:
      name: name
      email: email
      credit_limit: { from: credit_limit, type: decimal }
      phone: phone
      status: { from: status, map: { active: A, inactive: I } }
    cadence: { every: 1h }
`;
}

/** Opens the engine on a config with this conflict policy (the state file stays the same). */
async function open(conflict: string): Promise<Engine> {
  const path = join(dir, `syncline-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, config(conflict));
  return openEngine(path, () => silentLogger);
}

async function cycle(engine: Engine): Promise<CycleResult> {
  const flow = engine.flow('customers');
  const result = await runCycle(flow, engine.context.portsFor(flow), {
    trigger: 'manual',
    signal: new AbortController().signal,
  });
  if (result.status !== 'succeeded')
    throw new Error(`cycle ${result.status}: ${result.error?.message ?? ''}`);
  return result;
}

async function cycles(engine: Engine, count: number): Promise<number> {
  let written = 0;
  for (let index = 0; index < count; index++) written += (await cycle(engine)).counts.written;
  return written;
}

async function crmRow(id: number): Promise<Record<string, unknown>> {
  const result = await source.query(
    'SELECT name, email, credit_limit::text AS credit_limit, phone, status FROM accounts WHERE id = $1',
    [id],
  );
  return result.rows[0] as Record<string, unknown>;
}

async function erpRow(id: number): Promise<Record<string, unknown>> {
  const [rows] = await target.query(
    'SELECT name, email, CAST(credit_limit AS CHAR) AS credit_limit, phone, status FROM customers WHERE crm_id = ?',
    [String(id)],
  );
  return (rows as Record<string, unknown>[])[0] ?? {};
}

/** Cursor values of both tables, to prove nothing was written at all. */
async function cursors(): Promise<string> {
  const a = await source.query<{ c: string }>(
    "SELECT string_agg(updated_at::text, ',' ORDER BY id) AS c FROM accounts",
  );
  const [rows] = await target.query('SELECT GROUP_CONCAT(updated_at ORDER BY id) AS c FROM customers');
  return `${String(a.rows[0]?.c)}|${String((rows as { c: string }[])[0]?.c)}`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-two-way-'));
  databases = await createCrmErpDatabases('twoway');
  source = databases.crm;
  target = databases.erp;
  await source.query(`
    CREATE TABLE accounts (
      id serial PRIMARY KEY,
      name text NOT NULL,
      email text,
      credit_limit numeric(18,2),
      phone text,
      status text NOT NULL DEFAULT 'active',
      updated_at timestamptz(6) NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX accounts_sync ON accounts (updated_at, id);
    CREATE FUNCTION touch() RETURNS trigger AS $$
      BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();
  `);
  await target.query(`
    CREATE TABLE customers (
      id int AUTO_INCREMENT PRIMARY KEY,
      crm_id varchar(20) UNIQUE,
      name varchar(120) NOT NULL,
      email varchar(200),
      credit_limit decimal(18,4),
      phone varchar(40),
      status char(1),
      updated_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
      KEY customers_sync (updated_at, id)
    )`);
  for (let id = 1; id <= ROWS; id++) {
    await source.query('INSERT INTO accounts (name, email, credit_limit, phone) VALUES ($1, $2, $3, $4)', [
      `客户 ${id} 😀`,
      `c${id}@example.com`,
      `${id * 100}.50`,
      `+86 ${id}`,
    ]);
  }
});

afterAll(async () => {
  await databases.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('two-way sync PostgreSQL ↔ MariaDB (invariant 8: no echo)', () => {
  it('copies the source to the target on the first cycle and reads back the ids the target gave', async () => {
    const engine = await open('source-wins');
    try {
      expect((await cycle(engine)).counts.written).toBe(ROWS);
      expect(await erpRow(3)).toEqual({
        name: '客户 3 😀',
        email: 'c3@example.com',
        credit_limit: '300.5000',
        phone: '+86 3',
        status: 'A',
      });
      const [ids] = await target.query("SELECT id FROM customers WHERE crm_id = '3'");
      const synced = await engine.state.getSynced('customers', ['3']);
      expect(synced.get('3')?.targetId).toBe(String((ids as { id: number }[])[0]?.id));
    } finally {
      await engine.close();
    }
  });

  it('makes zero writes in 1,000 cycles without edits: no echo, no ping-pong', async () => {
    const engine = await open('source-wins');
    try {
      const before = await cursors();
      expect(await cycles(engine, 1000)).toBe(0);
      expect(await cursors()).toBe(before);
    } finally {
      await engine.close();
    }
  });

  it('makes exactly one write for one edit on either side', async () => {
    const engine = await open('source-wins');
    try {
      await source.query("UPDATE accounts SET phone = '+86 999' WHERE id = 4");
      expect(await cycles(engine, 5)).toBe(1);
      expect(await erpRow(4)).toMatchObject({ phone: '+86 999' });

      await target.query("UPDATE customers SET email = 'erp@example.com', status = 'I' WHERE crm_id = '5'");
      expect(await cycles(engine, 5)).toBe(1);
      expect(await crmRow(5)).toMatchObject({ email: 'erp@example.com', status: 'inactive' });
    } finally {
      await engine.close();
    }
  });

  it('settles concurrent edits by source-wins', async () => {
    const engine = await open('source-wins');
    try {
      await target.query("UPDATE customers SET name = 'ERP name' WHERE crm_id = '6'");
      await source.query("UPDATE accounts SET name = 'CRM name' WHERE id = 6");
      expect(await cycles(engine, 3)).toBe(1);
      expect((await crmRow(6)).name).toBe('CRM name');
      expect((await erpRow(6)).name).toBe('CRM name');
    } finally {
      await engine.close();
    }
  });

  it('settles concurrent edits by target-wins', async () => {
    const engine = await open('target-wins');
    try {
      await source.query("UPDATE accounts SET name = 'CRM name' WHERE id = 7");
      await target.query("UPDATE customers SET name = 'ERP name', credit_limit = 1 WHERE crm_id = '7'");
      expect(await cycles(engine, 3)).toBe(1);
      expect(await crmRow(7)).toMatchObject({ name: 'ERP name', credit_limit: '1.00' });
      expect(await erpRow(7)).toMatchObject({ name: 'ERP name', credit_limit: '1.0000' });
    } finally {
      await engine.close();
    }
  });

  it('settles concurrent edits by newest-wins, whichever side changed last', async () => {
    const engine = await open('newest-wins');
    try {
      await source.query("UPDATE accounts SET name = 'older CRM' WHERE id = 8");
      await target.query("UPDATE customers SET name = 'newer ERP' WHERE crm_id = '8'");
      await target.query("UPDATE customers SET name = 'older ERP' WHERE crm_id = '9'");
      await source.query("UPDATE accounts SET name = 'newer CRM' WHERE id = 9");
      expect(await cycles(engine, 3)).toBe(2);
      expect([(await crmRow(8)).name, (await erpRow(8)).name]).toEqual(['newer ERP', 'newer ERP']);
      expect([(await crmRow(9)).name, (await erpRow(9)).name]).toEqual(['newer CRM', 'newer CRM']);
    } finally {
      await engine.close();
    }
  });

  it('merges per field: one-sided changes from their side, both-sided ones from the owner', async () => {
    const engine = await open('{ fields: { name: crm, credit_limit: erp }, otherwise: manual }');
    try {
      await source.query(
        "UPDATE accounts SET name = 'CRM owns name', credit_limit = 5, email = 'crm@x.cn' WHERE id = 10",
      );
      await target.query(
        "UPDATE customers SET name = 'ERP name', credit_limit = 7777.25, phone = '+86 erp' WHERE crm_id = '10'",
      );
      expect(await cycles(engine, 3)).toBe(1);
      const expected = { name: 'CRM owns name', email: 'crm@x.cn', phone: '+86 erp' };
      expect(await crmRow(10)).toMatchObject({ ...expected, credit_limit: '7777.25' });
      expect(await erpRow(10)).toMatchObject({ ...expected, credit_limit: '7777.2500' });
    } finally {
      await engine.close();
    }
  });

  it('parks a conflict under manual, writes nothing until it is resolved, then takes the chosen side', async () => {
    const engine = await open('manual');
    try {
      await source.query("UPDATE accounts SET name = 'CRM manual' WHERE id = 11");
      await target.query("UPDATE customers SET name = 'ERP manual' WHERE crm_id = '11'");
      expect(await cycles(engine, 3)).toBe(0);
      const [conflict] = await engine.state.listConflicts({ flow: 'customers', status: 'open', limit: 10 });
      expect(conflict).toMatchObject({ key: '11', fields: ['name'] });
      expect(conflict?.source.name).toBe('CRM manual');
      expect(conflict?.target.name).toBe('ERP manual');
      expect((await crmRow(11)).name).toBe('CRM manual');
      expect((await erpRow(11)).name).toBe('ERP manual');

      const flow = engine.flow('customers');
      await resolveParkedConflict(
        flow,
        engine.context.portsFor(flow),
        '11',
        'target',
        'tester',
        AbortSignal.timeout(60_000),
      );
      expect((await crmRow(11)).name).toBe('ERP manual');
      expect(await engine.state.listConflicts({ flow: 'customers', status: 'open', limit: 10 })).toEqual([]);
      const [resolved] = await engine.state.listConflicts({
        flow: 'customers',
        status: 'resolved',
        limit: 10,
      });
      expect(resolved).toMatchObject({ key: '11', resolution: 'target', resolvedBy: 'tester' });
      expect(await cycles(engine, 3)).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('leaves rows made in the target without a link alone', async () => {
    const engine = await open('source-wins');
    try {
      await target.query("INSERT INTO customers (name, status) VALUES ('made in ERP', 'A')");
      expect(await cycles(engine, 2)).toBe(0);
      const count = await source.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM accounts WHERE name = 'made in ERP'",
      );
      expect(count.rows[0]?.n).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
