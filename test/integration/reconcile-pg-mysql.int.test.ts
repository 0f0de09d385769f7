import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, runCli, type Workspace } from '../support/cli.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';

// Reconcile through the CLI: a PostgreSQL CRM table of 1,000,000 rows against its MariaDB copy,
// with differences injected behind Syncline's back on both sides.

const ROWS = 1_000_000;

let databases: CrmErpDatabases;
let source: pg.Pool;
let target: mysql.Pool;
let workspace: Workspace;

const CONFIG = `
state: sqlite:\${STATE_PATH}
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: mysql, url: \${ERP_URL} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at, deleted: is_deleted }
    target: { connection: erp, table: customers, key: crm_id, onDelete: hard }
    fields:
      name: name
      email: { from: email, trim: true }
      credit_limit: { from: credit_limit, type: decimal }
      status: { from: status, map: { active: A, inactive: I }, default: I }
      region: { value: CN }
    cadence: { every: 1h }
`;

function env(): Record<string, string> {
  return {
    CRM_URL: databases.crmUrl,
    ERP_URL: databases.erpUrl,
    STATE_PATH: join(workspace.dir, 'state.db'),
  };
}

function syncline(...args: string[]) {
  return runCli(['-c', workspace.configPath, ...args], { cwd: workspace.dir, env: env() });
}

interface Report {
  comparison: {
    sourceRows: number;
    targetRows: number;
    missing: number;
    extra: number;
    different: number;
    transfer: { sourceRows: number; targetRows: number; checksumQueries: number };
  };
  differences: { key: string; kind: string; fields?: string[] }[];
  repair?: { repaired: number; after: { missing: number; extra: number; different: number } };
}

/**
 * An independent check, in each database's own SQL (not Syncline's): the row count and the sum
 * of the first 60 bits of the MD5 of every row's mapped values must be equal on both sides.
 */
async function independentChecksums(): Promise<[string, string]> {
  const a = await source.query<{ digest: string }>(`
    SELECT count(*) || ':' || sum(('x' || substr(md5(concat_ws('|', id, name, btrim(email), trim_scale(credit_limit),
      CASE status WHEN 'active' THEN 'A' ELSE 'I' END)), 1, 15))::bit(60)::bigint) AS digest
    FROM accounts WHERE NOT is_deleted`);
  const [rows] = await target.query(`
    SELECT CONCAT(COUNT(*), ':', SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS('|', crm_id, name, email,
      TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(credit_limit AS CHAR))), status)), 1, 15), 16, 10) AS UNSIGNED)))
      AS digest FROM customers`);
  return [String(a.rows[0]?.digest), String((rows as { digest: string }[])[0]?.digest)];
}

beforeAll(async () => {
  workspace = createWorkspace();
  workspace.writeConfig(CONFIG);
  databases = await createCrmErpDatabases('reconcile');
  source = databases.crm;
  target = databases.erp;
  await source.query(`
    CREATE TABLE accounts (
      id bigint PRIMARY KEY,
      name text NOT NULL,
      email text,
      credit_limit numeric(18,2),
      status text,
      is_deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT '2026-11-01T00:00:00Z'
    );
    INSERT INTO accounts (id, name, email, credit_limit, status)
      SELECT i, 'Customer ' || i, 'c' || i || '@example.com', (i % 100000)::numeric / 100,
             CASE WHEN i % 10 = 0 THEN 'inactive' ELSE 'active' END
      FROM generate_series(1, ${ROWS}) AS i;
  `);
  await target.query(`
    CREATE TABLE customers (
      crm_id bigint PRIMARY KEY,
      name varchar(120) NOT NULL,
      email varchar(200),
      credit_limit decimal(18,4),
      status char(1),
      region char(2)
    )`);
  await target.query(`
    INSERT INTO customers (crm_id, name, email, credit_limit, status, region)
      SELECT seq, CONCAT('Customer ', seq), CONCAT('c', seq, '@example.com'), (seq % 100000) / 100,
             IF(seq % 10 = 0, 'I', 'A'), 'CN'
      FROM seq_1_to_${ROWS}`);
}, 600_000);

afterAll(async () => {
  await databases.drop();
  workspace.remove();
});

describe('syncline reconcile on 1,000,000 rows (PostgreSQL → MariaDB)', () => {
  it('finds no difference when both sides agree, reading no data rows', async () => {
    const result = await syncline('reconcile', '--flow', 'customers', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.comparison).toMatchObject({
      sourceRows: ROWS,
      targetRows: ROWS,
      missing: 0,
      extra: 0,
      different: 0,
    });
    expect(report.comparison.transfer.sourceRows + report.comparison.transfer.targetRows).toBe(0);
  });

  it('finds exactly the injected differences, reading far fewer rows than the tables hold', async () => {
    // Changed behind Syncline's back, at the target and at the source (no cursor change).
    await target.query("UPDATE customers SET name = 'renamed in ERP' WHERE crm_id IN (17, 4242)");
    await target.query('UPDATE customers SET credit_limit = 0.01 WHERE crm_id = 500000');
    await source.query("UPDATE accounts SET email = 'new@example.com' WHERE id IN (99, 777777)");
    // Deleted at the target (missing), hard-deleted at the source (extra), added at the target.
    await target.query('DELETE FROM customers WHERE crm_id IN (123456, 999999)');
    await source.query('DELETE FROM accounts WHERE id = 31337');
    await target.query(
      "INSERT INTO customers (crm_id, name, email, credit_limit, status, region) VALUES (2000001, 'ERP only', NULL, 1, 'A', 'CN'), (2000002, 'ERP only 2', NULL, 2, 'A', 'CN')",
    );

    const result = await syncline('reconcile', '--flow', 'customers', '--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    const found = Object.fromEntries(report.differences.map((d) => [d.key, [d.kind, ...(d.fields ?? [])]]));
    expect(found).toEqual({
      '17': ['different', 'name'],
      '4242': ['different', 'name'],
      '500000': ['different', 'credit_limit'],
      '99': ['different', 'email'],
      '777777': ['different', 'email'],
      '123456': ['missing'],
      '999999': ['missing'],
      '31337': ['extra'],
      '2000001': ['extra'],
      '2000002': ['extra'],
    });
    const { transfer } = report.comparison;
    expect(transfer.sourceRows + transfer.targetRows).toBeLessThan((2 * ROWS) / 10);
  });

  it('repairs every difference so both sides checksum equal, and records it in the audit log', async () => {
    const before = await independentChecksums();
    expect(before[0]).not.toBe(before[1]);

    const result = await syncline('reconcile', '--flow', 'customers', '--repair');
    expect(result.stdout).toContain('repair: 10 repaired');
    expect(result.code).toBe(0);

    const [a, b] = await independentChecksums();
    expect(a).toBe(b);
    const again = JSON.parse((await syncline('reconcile', '--flow', 'customers', '--json')).stdout) as Report;
    expect(again.comparison).toMatchObject({ missing: 0, extra: 0, different: 0 });

    const audit = await syncline('audit', '--flow', 'customers', '--json');
    const entries = (JSON.parse(audit.stdout) as { audit: { action: string; result: string }[] }).audit;
    expect(entries.map((entry) => [entry.action, entry.result])).toEqual([
      ['reconcile', 'succeeded'],
      ['reconcile.repair', 'succeeded'],
      ['reconcile', 'succeeded'],
      ['reconcile', 'succeeded'],
    ]);
  });

  it('agrees with --full after the repair, reading every row of both tables', async () => {
    const result = await syncline('reconcile', '--flow', 'customers', '--full', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.comparison).toMatchObject({ missing: 0, extra: 0, different: 0 });
    expect(report.comparison.transfer.sourceRows).toBe(ROWS - 1);
    expect(report.comparison.transfer.targetRows).toBe(ROWS - 1);
  });
});
