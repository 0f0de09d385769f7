import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Conflict } from '../../src/core/state-store.js';
import { createWorkspace, jsonOutput, synclineIn, type BoundCli, type Workspace } from '../support/cli.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';

// `syncline conflicts list|resolve` on a two-way flow with `conflict: manual`, PostgreSQL CRM ↔
// MariaDB ERP, both keeping updated_at themselves (a trigger; ON UPDATE CURRENT_TIMESTAMP).

let db: CrmErpDatabases;
let workspace: Workspace;
let syncline: BoundCli;

const ACTOR = 'ops-bob';

const CONFIG = `state: sqlite:\${STATE_PATH}
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: mysql, url: \${ERP_URL} }
flows:
  customers:
    direction: both
    conflict: manual
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id, cursor: updated_at, id: id }
    fields:
      name: name
      email: email
      phone: phone
    cadence: { every: 1h }
`;

interface Customer {
  name: string;
  email: string | null;
  phone: string | null;
}

async function crmRow(id: number): Promise<Customer | undefined> {
  const result = await db.crm.query<Customer>('SELECT name, email, phone FROM accounts WHERE id = $1', [id]);
  return result.rows[0];
}

async function erpRow(id: number): Promise<Customer | undefined> {
  const [row] = await db.erpRows('SELECT name, email, phone FROM customers WHERE crm_id = ?', [id]);
  return row as Customer | undefined;
}

/** Both tables' cursor values: they move on every write Syncline makes. */
async function cursors(): Promise<string> {
  const crm = await db.crm.query<{ c: string }>(
    "SELECT string_agg(updated_at::text, ',' ORDER BY id) AS c FROM accounts",
  );
  const [erp] = await db.erpRows('SELECT GROUP_CONCAT(updated_at ORDER BY id) AS c FROM customers');
  return `${crm.rows[0]?.c ?? ''}|${String(erp?.c)}`;
}

async function conflicts(status: 'open' | 'resolved' = 'open'): Promise<Conflict[]> {
  return (
    jsonOutput(await syncline('conflicts', 'list', '--status', status, '--json')) as { conflicts: Conflict[] }
  ).conflicts;
}

async function runOnce(): Promise<number> {
  const result = await syncline('run', '--once');
  expect(result.code, result.stderr).toBe(0);
  const status = jsonOutput(await syncline('status', '--json')) as {
    flows: { lastRun: { counts: { written: number } } }[];
  };
  return status.flows[0]?.lastRun.counts.written ?? Number.NaN;
}

/** Edits one record on both sides, then lets a cycle park it. */
async function parkConflict(id: number, crmSet: string, erpSet: string): Promise<void> {
  await db.crm.query(`UPDATE accounts SET ${crmSet} WHERE id = $1`, [id]);
  await db.erp.query(`UPDATE customers SET ${erpSet} WHERE crm_id = ?`, [id]);
  expect(await runOnce()).toBe(0);
}

function resolve(key: number, take: string) {
  return syncline('conflicts', 'resolve', '--flow', 'customers', '--key', String(key), '--take', take);
}

beforeAll(async () => {
  db = await createCrmErpDatabases('conflictscli');
  workspace = createWorkspace();
  workspace.writeConfig(CONFIG);
  syncline = synclineIn(workspace, {
    CRM_URL: db.crmUrl,
    ERP_URL: db.erpUrl,
    STATE_PATH: join(workspace.dir, 'state.db'),
    SYNCLINE_ACTOR: ACTOR,
  });
  await db.crm.query(`
    CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL, email text, phone text,
      updated_at timestamptz(6) NOT NULL DEFAULT clock_timestamp());
    CREATE FUNCTION touch() RETURNS trigger AS $$
      BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();
    INSERT INTO accounts (name, email, phone)
      SELECT 'Customer ' || g, 'c' || g || '@example.com', '+86 ' || g FROM generate_series(1, 5) g;`);
  await db.erp.query(`CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY, crm_id varchar(20) UNIQUE,
    name varchar(120) NOT NULL, email varchar(200), phone varchar(40),
    updated_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`);
  expect(await runOnce()).toBe(5);
});

afterAll(async () => {
  workspace.remove();
  await db.drop();
});

describe('syncline conflicts (two-way, conflict: manual, PostgreSQL ↔ MariaDB)', () => {
  it('lists a conflict parked by run --once with both versions; --take erp writes the ERP version to the CRM and closes it', async () => {
    await parkConflict(1, "name = 'CRM edit'", "name = 'ERP edit'");
    const [conflict, ...others] = await conflicts();
    expect(others).toEqual([]);
    expect(conflict).toMatchObject({ flow: 'customers', key: '1', fields: ['name'], status: 'open' });
    expect(conflict?.source).toMatchObject({ name: 'CRM edit', email: 'c1@example.com' });
    expect(conflict?.target).toMatchObject({ name: 'ERP edit', email: 'c1@example.com' });
    expect(await crmRow(1)).toMatchObject({ name: 'CRM edit' });
    expect(await erpRow(1)).toMatchObject({ name: 'ERP edit' });

    const result = await resolve(1, 'erp');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('customers key 1: resolved, took target (name)');
    expect(await crmRow(1)).toEqual({ name: 'ERP edit', email: 'c1@example.com', phone: '+86 1' });
    expect(await erpRow(1)).toEqual({ name: 'ERP edit', email: 'c1@example.com', phone: '+86 1' });
    expect(await conflicts()).toEqual([]);
    const [resolved] = await conflicts('resolved');
    expect(resolved).toMatchObject({ key: '1', resolution: 'target', resolvedBy: ACTOR });
    const { audit } = jsonOutput(await syncline('audit', '--json')) as { audit: AuditEntry[] };
    expect(audit[0]).toMatchObject({
      actor: ACTOR,
      action: 'conflict.resolve',
      flow: 'customers',
      subject: 'key 1',
      result: 'succeeded',
    });
    const before = await cursors();
    expect(await runOnce()).toBe(0);
    expect(await cursors()).toBe(before);
  });

  it('refuses to resolve a key without an open conflict with exit 2 and says so', async () => {
    for (const key of [1, 2]) {
      const result = await resolve(key, 'crm');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `Flow "customers" has no open conflict for key ${key}; see syncline conflicts list --flow customers`,
      );
    }
  });

  it('exits 1 with CONFLICT_UNRESOLVED and writes nothing when --take merge meets a field both sides changed', async () => {
    await parkConflict(3, "name = 'CRM 3', phone = '+86 crm'", "name = 'ERP 3'");
    const before = await cursors();
    const result = await resolve(3, 'merge');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^CONFLICT_UNRESOLVED \(flow customers, key 3\): .*both sides changed name/m,
    );
    expect(await cursors()).toBe(before);
    expect(await crmRow(3)).toMatchObject({ name: 'CRM 3', phone: '+86 crm' });
    expect(await erpRow(3)).toMatchObject({ name: 'ERP 3', phone: '+86 3' });
    expect((await conflicts()).map((conflict) => conflict.key)).toEqual(['3']);
    const { audit } = jsonOutput(await syncline('audit', '--json')) as { audit: AuditEntry[] };
    expect(audit[0]).toMatchObject({ action: 'conflict.resolve', subject: 'key 3', result: 'failed' });
  });

  it('merges with --take merge when each field changed on one side only', async () => {
    await parkConflict(4, "phone = '+86 crm'", "email = 'erp@example.com'");
    expect((await conflicts()).find((conflict) => conflict.key === '4')?.fields).toEqual(['email', 'phone']);
    const result = await resolve(4, 'merge');
    expect(result.code, result.stderr).toBe(0);
    const merged = { name: 'Customer 4', email: 'erp@example.com', phone: '+86 crm' };
    expect(await crmRow(4)).toEqual(merged);
    expect(await erpRow(4)).toEqual(merged);
    expect((await conflicts('resolved')).find((conflict) => conflict.key === '4')).toMatchObject({
      resolution: 'merge',
      resolvedBy: ACTOR,
    });
    expect(await runOnce()).toBe(0);
  });
});
