import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/state-store.js';
import { createWorkspace, jsonOutput, synclineIn, type BoundCli, type Workspace } from '../support/cli.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';

// `syncline resync` of key and cursor ranges through the CLI, PostgreSQL CRM → MariaDB ERP, and
// its trail in `syncline audit`. A trigger logs every row the ERP's customers table gets written.

let db: CrmErpDatabases;
let workspace: Workspace;
let syncline: BoundCli;

const ROWS = 12;
const ACTOR = 'ops-alice';

const CONFIG = `state: sqlite:\${STATE_PATH}
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: mysql, url: \${ERP_URL} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id }
    fields:
      name: name
      city: city
    cadence: { every: 1h }
`;

/** Account `id` last changed at noon (+08:00) on March `id`, 2026. */
function changedAt(id: number): string {
  return `2026-03-${String(id).padStart(2, '0')}T12:00:00+08:00`;
}

async function drift(keys: readonly number[]): Promise<void> {
  await db.erp.query("UPDATE customers SET name = 'drifted' WHERE crm_id IN (?)", [keys]);
  await db.erp.query('DELETE FROM customer_writes');
}

/** Keys whose ERP row differs from the CRM's, in key order. */
async function driftedKeys(): Promise<number[]> {
  const rows = await db.erpRows("SELECT crm_id FROM customers WHERE name = 'drifted' ORDER BY crm_id");
  return rows.map((row) => Number(row.crm_id));
}

/** Keys of the ERP rows written since the last `drift`, once each, in key order. */
async function writtenKeys(): Promise<number[]> {
  const rows = await db.erpRows('SELECT DISTINCT crm_id FROM customer_writes ORDER BY crm_id');
  return rows.map((row) => Number(row.crm_id));
}

async function audit(): Promise<AuditEntry[]> {
  return (jsonOutput(await syncline('audit', '--json')) as { audit: AuditEntry[] }).audit;
}

beforeAll(async () => {
  db = await createCrmErpDatabases('resyncrange');
});

afterAll(async () => {
  workspace.remove();
  await db.drop();
});

beforeEach(async () => {
  (workspace as Workspace | undefined)?.remove();
  workspace = createWorkspace();
  workspace.writeConfig(CONFIG);
  syncline = synclineIn(workspace, {
    CRM_URL: db.crmUrl,
    ERP_URL: db.erpUrl,
    STATE_PATH: join(workspace.dir, 'state.db'),
    SYNCLINE_ACTOR: ACTOR,
  });
  await db.crm.query(`DROP TABLE IF EXISTS accounts;
    CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, city text, updated_at timestamptz NOT NULL)`);
  for (let id = 1; id <= ROWS; id++)
    await db.crm.query('INSERT INTO accounts VALUES ($1, $2, $3, $4)', [
      id,
      `Customer ${id}`,
      id % 2 === 0 ? '上海' : 'Berlin',
      changedAt(id),
    ]);
  await db.erp.query('DROP TABLE IF EXISTS customers, customer_writes');
  await db.erp.query(`CREATE TABLE customers (crm_id bigint PRIMARY KEY, name varchar(120) NOT NULL,
    city varchar(60)) CHARACTER SET utf8mb4`);
  await db.erp.query('CREATE TABLE customer_writes (crm_id bigint NOT NULL)');
  await db.erp.query(`CREATE TRIGGER customers_written AFTER UPDATE ON customers FOR EACH ROW
    INSERT INTO customer_writes VALUES (NEW.crm_id)`);
  const run = await syncline('run', '--once');
  expect(run.code, run.stderr).toBe(0);
});

describe('syncline resync of a range (PostgreSQL → MariaDB)', () => {
  it('--from-key/--to-key rewrites exactly the rows of that key range, restoring their drift, and no row outside it', async () => {
    await drift([2, 5, 9, 12]);
    // 4..10 compares as numbers: as text, "4" > "10" and the range would be empty.
    const result = await syncline('resync', '--flow', 'customers', '--from-key', '4', '--to-key', '10');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('customers: resync succeeded: 7 read, 7 written');
    expect(await driftedKeys()).toEqual([2, 12]);
    expect(await writtenKeys()).toEqual([4, 5, 6, 7, 8, 9, 10]);
    const rows = await db.erpRows('SELECT name, city FROM customers WHERE crm_id IN (5, 9) ORDER BY crm_id');
    expect(rows).toEqual([
      { name: 'Customer 5', city: 'Berlin' },
      { name: 'Customer 9', city: 'Berlin' },
    ]);
  });

  it('--since/--until rewrites exactly the rows whose cursor lies in that time range', async () => {
    await drift([3, 6, 7, 11]);
    const result = await syncline(
      'resync',
      '--flow',
      'customers',
      '--since',
      '2026-03-04T14:00:00+09:00', // 13:00 +08:00: after row 4's change
      '--until',
      '2026-03-07T12:00:00+08:00', // row 7's change, inclusive
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('customers: resync succeeded: 3 read, 3 written');
    expect(await driftedKeys()).toEqual([3, 11]);
    expect(await writtenKeys()).toEqual([5, 6, 7]);
  });

  it('records each resync in the audit log with actor, action, subject and result', async () => {
    await drift([5]);
    expect((await syncline('resync', '--flow', 'customers', '--from-key', '4', '--to-key', '6')).code).toBe(
      0,
    );
    expect(
      (await syncline('resync', '--flow', 'customers', '--since', changedAt(2), '--until', changedAt(3)))
        .code,
    ).toBe(0);
    const entries = await audit();
    expect(
      entries.map(({ actor, action, flow, subject, result }) => ({ actor, action, flow, subject, result })),
    ).toEqual([
      {
        actor: ACTOR,
        action: 'resync',
        flow: 'customers',
        subject: `changed ${changedAt(2)} to ${changedAt(3)}`,
        result: 'succeeded',
      },
      { actor: ACTOR, action: 'resync', flow: 'customers', subject: 'keys 4 to 6', result: 'succeeded' },
    ]);
    expect(entries[1]?.outcome).toBe('succeeded: 3 read, 3 written, 0 dead-lettered, 0 not found');
  });

  it('refuses --key together with a range, and a resync without keys or range, with exit 2 and writes nothing', async () => {
    await drift([5]);
    for (const args of [
      ['--key', '5', '--from-key', '4', '--to-key', '6'],
      ['--key', '5', '--since', changedAt(1)],
      [],
    ]) {
      const result = await syncline('resync', '--flow', 'customers', ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('resync needs exactly one of: --key KEY (repeatable), a range');
    }
    expect(await writtenKeys()).toEqual([]);
    expect(await driftedKeys()).toEqual([5]);
    expect(await audit()).toEqual([]);
  });
});
