import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, createWorkspace, runCli, spawnCli, type Workspace } from '../support/cli.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  type TestDatabase,
  postgresTestPool,
} from '../support/databases.js';

// End to end through the documented CLI and config: PostgreSQL CRM → MariaDB ERP.

let crm: TestDatabase;
let erp: TestDatabase;
let source: pg.Pool;
let target: mysql.Pool;
let workspace: Workspace;

const CONFIG = (options: { batch?: number; lookback?: string; table?: string; lanes?: number } = {}) => `
state: sqlite:\${STATE_PATH}
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: mysql, url: \${ERP_URL} }
flows:
  customers:
    source: { connection: crm, table: ${options.table ?? 'accounts'}, key: id, cursor: updated_at, deleted: is_deleted${options.lookback === undefined ? '' : `, lookback: ${options.lookback}`} }
    target: { connection: erp, table: customers, key: crm_id, onDelete: { soft: is_deleted } }
    batch: ${options.batch ?? 1000}${
      options.lanes === undefined
        ? ''
        : `
    backfill: { lanes: ${options.lanes} }`
    }
    fields:
      code: external_code
      name: name
      email: email
      credit_limit: { from: credit_limit, type: decimal }
      status: { from: status, map: { active: A, inactive: I }, default: I }
      note: note
      opened_at: { from: opened_at, type: timestamp }
    validate:
      name: { required: true, maxLength: 120 }
      email: { pattern: "^[^@\\\\s]+@[^@\\\\s]+$" }
    cadence: { every: 1h }
`;

/** The flow's partitioned-backfill checkpoints as the state file holds them (plan and lanes). */
function backfillCheckpoints(): { flow: string; after: unknown }[] {
  const db = new Database(join(workspace.dir, 'state.db'), { readonly: true });
  try {
    const rows = db
      .prepare<[], { flow: string; checkpoint: string }>(
        "SELECT flow, checkpoint FROM checkpoints WHERE flow LIKE 'customers:lane%' ORDER BY flow",
      )
      .all();
    return rows.map((row) => ({
      flow: row.flow,
      after: (JSON.parse(row.checkpoint) as { after?: unknown }).after,
    }));
  } finally {
    db.close();
  }
}

function env(): Record<string, string> {
  return { CRM_URL: crm.url, ERP_URL: erp.url, STATE_PATH: join(workspace.dir, 'state.db') };
}

async function syncline(...args: string[]) {
  return runCli(['-c', workspace.configPath, ...args], { cwd: workspace.dir, env: env() });
}

interface SourceRow {
  id: number;
  external_code: string | null;
  name: string | null;
  email: string | null;
  credit_limit: string | null;
  status: string | null;
  note: string | null;
  opened_at: string | null;
  is_deleted?: boolean;
}

async function insertAccounts(rows: readonly SourceRow[], updatedAt = 'now()'): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    const chunk = rows.slice(start, start + 1000);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const base = params.length;
      params.push(
        row.id,
        row.external_code,
        row.name,
        row.email,
        row.credit_limit,
        row.status,
        row.note,
        row.opened_at,
        row.is_deleted ?? false,
      );
      return `(${Array.from({ length: 9 }, (_, i) => `$${base + i + 1}`).join(', ')}, ${updatedAt})`;
    });
    await source.query(
      `INSERT INTO accounts (id, external_code, name, email, credit_limit, status, note, opened_at, is_deleted, updated_at) VALUES ${tuples.join(', ')}`,
      params,
    );
  }
}

function plainRow(id: number): SourceRow {
  return {
    id,
    external_code: `C${id}`,
    name: `Customer ${id}`,
    email: `c${id}@example.com`,
    credit_limit: `${id}.5000`,
    status: id % 3 === 0 ? 'inactive' : 'active',
    note: null,
    opened_at: '2026-01-02T03:04:05.123456+00:00',
  };
}

/** Per-row digests of the target, keyed by crm_id, in a form comparable with the source's. */
async function targetDigests(): Promise<Map<string, string>> {
  const [rows] = await target.query<mysql.RowDataPacket[]>(
    'SELECT crm_id, code, name, email, credit_limit, status, note, opened_at, is_deleted FROM customers ORDER BY crm_id',
  );
  return new Map(
    rows.map((row) => [
      String(row.crm_id),
      digest([
        row.code,
        row.name,
        row.email,
        row.credit_limit,
        row.status,
        row.note,
        row.opened_at === null ? null : String(row.opened_at).replace(' ', 'T'),
        Boolean(row.is_deleted),
      ]),
    ]),
  );
}

async function expectedDigests(): Promise<Map<string, string>> {
  const { rows } = await source.query<Record<string, unknown>>(
    `SELECT id, external_code, name, email, credit_limit::text AS credit_limit, status, note,
            to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS opened_at, is_deleted FROM accounts ORDER BY id`,
  );
  return new Map(
    rows.map((row) => [
      String(row.id),
      digest([
        row.external_code,
        row.name,
        row.email,
        row.credit_limit,
        row.status === 'active' ? 'A' : 'I',
        row.note,
        row.opened_at,
        Boolean(row.is_deleted),
      ]),
    ]),
  );
}

function digest(values: unknown[]): string {
  return createHash('md5').update(JSON.stringify(values)).digest('hex');
}

beforeAll(async () => {
  [crm, erp] = await Promise.all([createPostgresDatabase('e2e_crm'), createMysqlDatabase('e2e_erp')]);
  source = postgresTestPool({ connectionString: crm.url, max: 4 });
  target = mysql.createPool({
    uri: erp.url,
    connectionLimit: 4,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
  });
});

afterAll(async () => {
  await source.end();
  await target.end();
  await Promise.all([crm.drop(), erp.drop()]);
});

beforeEach(async () => {
  (workspace as Workspace | undefined)?.remove();
  workspace = createWorkspace();
  workspace.writeConfig(CONFIG());
  await source.query('DROP TABLE IF EXISTS accounts');
  await source.query(`CREATE TABLE accounts (
    id bigint PRIMARY KEY, external_code varchar(32), name varchar(255), email text,
    credit_limit numeric(18,4), status varchar(16), note text, opened_at timestamptz,
    is_deleted boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT now())`);
  await source.query('CREATE INDEX accounts_cursor ON accounts (updated_at, id)');
  await target.query('DROP TABLE IF EXISTS customers');
  await target.query(`CREATE TABLE customers (
    crm_id bigint PRIMARY KEY, code varchar(32), name varchar(255) NOT NULL, email varchar(255),
    credit_limit decimal(18,4), status char(1), note text, opened_at datetime(6),
    is_deleted tinyint(1) NOT NULL DEFAULT 0) CHARACTER SET utf8mb4`);
});

describe('syncline run (PostgreSQL → MariaDB)', () => {
  it('delivers all 2,500 rows that share one cursor value with batch size 1,000 (invariant 1)', async () => {
    await insertAccounts(
      Array.from({ length: 2_500 }, (_, i) => plainRow(i + 1)),
      "'2026-11-11T00:00:00+08:00'",
    );
    const result = await syncline('run', '--once');
    expect(result.code, result.stderr).toBe(0);
    expect(await targetDigests()).toEqual(await expectedDigests());
  });

  it('delivers a row committed late with an older cursor value in a later cycle (invariant 1)', async () => {
    await insertAccounts([plainRow(1), plainRow(2)]);
    expect((await syncline('run', '--once')).code).toBe(0);
    const late = await source.connect();
    try {
      await late.query('BEGIN');
      // now() is the transaction's start time: this row gets an older cursor value than row 2 below.
      await late.query("UPDATE accounts SET name = 'committed late', updated_at = now() WHERE id = 1");
      await new Promise((resolve) => setTimeout(resolve, 50));
      await source.query("UPDATE accounts SET name = 'committed first', updated_at = now() WHERE id = 2");
      expect((await syncline('run', '--once')).code).toBe(0);
      const [before] = await target.query<mysql.RowDataPacket[]>(
        'SELECT name FROM customers WHERE crm_id = 1',
      );
      expect(before[0]?.name).toBe('Customer 1');
      await late.query('COMMIT');
    } finally {
      late.release();
    }
    expect((await syncline('run', '--once')).code).toBe(0);
    const [rows] = await target.query<mysql.RowDataPacket[]>(
      'SELECT crm_id, name FROM customers ORDER BY crm_id',
    );
    expect(rows.map((row) => row.name as unknown)).toEqual(['committed late', 'committed first']);
  });

  it('round-trips extreme decimals, NULLs, Chinese and emoji text, zoned timestamps and SQL-looking text exactly (invariants 5, 6)', async () => {
    const rows: SourceRow[] = [
      {
        id: 1,
        external_code: 'MAX',
        name: '上海华联超市有限公司',
        email: 'max@example.com',
        credit_limit: '99999999999999.9999',
        status: 'active',
        note: '🚀 emoji ✓ 中文',
        opened_at: '2026-11-11T00:00:00.000001+08:00',
      },
      {
        id: 2,
        external_code: 'MIN',
        name: 'Acme GmbH',
        email: null,
        credit_limit: '-99999999999999.9999',
        status: 'inactive',
        note: "'); DROP TABLE customers; --",
        opened_at: '1999-12-31T23:59:59.999999-05:00',
      },
      {
        id: 3,
        external_code: null,
        name: 'Tiny',
        email: 'tiny@example.com',
        credit_limit: '0.0001',
        status: null,
        note: null,
        opened_at: null,
      },
    ];
    await insertAccounts(rows);
    expect((await syncline('run', '--once')).code).toBe(0);
    expect(await targetDigests()).toEqual(await expectedDigests());
    const [stored] = await target.query<mysql.RowDataPacket[]>(
      'SELECT crm_id, credit_limit, note, opened_at FROM customers ORDER BY crm_id',
    );
    expect(stored.map((row) => row.credit_limit as unknown)).toEqual([
      '99999999999999.9999',
      '-99999999999999.9999',
      '0.0001',
    ]);
    expect(stored[1]?.note).toBe("'); DROP TABLE customers; --");
    expect(stored[0]?.opened_at).toBe('2026-11-10 16:00:00.000001');
    const [tables] = await target.query<mysql.RowDataPacket[]>("SHOW TABLES LIKE 'customers'");
    expect(tables).toHaveLength(1);
  });

  it('quarantines a bad record with its reason while the rest of its batch arrives, and replays it after a fix (invariant 4)', async () => {
    await insertAccounts([
      plainRow(1),
      { ...plainRow(2), email: 'not-an-email' },
      { ...plainRow(3), name: 'x'.repeat(150) },
      plainRow(4),
    ]);
    const run = await syncline('run', '--once');
    expect(run.code).toBe(0);
    const [rows] = await target.query<mysql.RowDataPacket[]>('SELECT crm_id FROM customers ORDER BY crm_id');
    expect(rows.map((row) => Number(row.crm_id))).toEqual([1, 4]);
    const list = await syncline('dlq', 'list', '--json');
    const letters = (
      JSON.parse(list.stdout) as { deadLetters: { key: string; field: string; reason: string }[] }
    ).deadLetters;
    expect(letters.map((letter) => [letter.key, letter.field]).sort()).toEqual([
      ['2', 'email'],
      ['3', 'name'],
    ]);
    expect(letters.find((letter) => letter.key === '3')?.reason).toMatch(
      /150 characters long, more than the maximum 120/,
    );

    await source.query("UPDATE accounts SET email = 'fixed@example.com' WHERE id = 2");
    const replay = await syncline('dlq', 'replay');
    expect(replay.code).toBe(1); // key 3 still fails
    expect(replay.stdout).toMatch(/1 still failing/);
    const [after] = await target.query<mysql.RowDataPacket[]>(
      'SELECT crm_id, email FROM customers ORDER BY crm_id',
    );
    expect(after.map((row) => [Number(row.crm_id), row.email as unknown])).toEqual([
      [1, 'c1@example.com'],
      [2, 'fixed@example.com'],
      [4, 'c4@example.com'],
    ]);
  });

  it('does not write unchanged records again, propagates soft deletes, and resyncs one record by hand (invariant 2)', async () => {
    await insertAccounts([plainRow(1), plainRow(2)]);
    expect((await syncline('run', '--once')).code).toBe(0);
    await source.query('UPDATE accounts SET updated_at = now() WHERE id = 1'); // touched, content unchanged
    await source.query('UPDATE accounts SET is_deleted = true, updated_at = now() WHERE id = 2');
    expect((await syncline('run', '--once')).code).toBe(0);
    const status = JSON.parse((await syncline('status', '--json')).stdout) as {
      flows: { lastRun: { counts: { written: number; unchanged: number } } }[];
    };
    expect(status.flows[0]?.lastRun.counts.written).toBe(1);
    const [rows] = await target.query<mysql.RowDataPacket[]>(
      'SELECT crm_id, is_deleted FROM customers ORDER BY crm_id',
    );
    expect(rows.map((row) => Number(row.is_deleted))).toEqual([0, 1]);

    await target.query("UPDATE customers SET name = 'drifted' WHERE crm_id = 1");
    const resync = await syncline('resync', '--flow', 'customers', '--key', '1');
    expect(resync.code, resync.stderr).toBe(0);
    const [fixed] = await target.query<mysql.RowDataPacket[]>('SELECT name FROM customers WHERE crm_id = 1');
    expect(fixed[0]?.name).toBe('Customer 1');
  });

  it.each([1, 3])(
    'converges to a target identical to the source after kill -9 mid-backfill and a restart, in %i lane(s) (invariant 3)',
    async (lanes) => {
      const total = 60_000;
      await source.query(`INSERT INTO accounts (id, external_code, name, email, credit_limit, status, note, opened_at, updated_at)
      SELECT g, 'C' || g, '客户 ' || g, 'c' || g || '@example.com', (g * 1.2345)::numeric(18,4),
             CASE WHEN g % 3 = 0 THEN 'inactive' ELSE 'active' END, NULL, now() - (g || ' seconds')::interval,
             now() - ((g % 1000) || ' milliseconds')::interval
      FROM generate_series(1, ${total}) g`);
      workspace.writeConfig(CONFIG({ batch: 500, ...(lanes > 1 ? { lanes } : {}) }));
      const child = spawnCli(['-c', workspace.configPath, 'run', '--once'], {
        cwd: workspace.dir,
        env: env(),
      });
      const outcome = collect(child);
      let written = 0;
      for (let i = 0; i < 600 && written < total / 10; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const [count] = await target.query<mysql.RowDataPacket[]>('SELECT count(*) AS n FROM customers');
        written = Number(count[0]?.n);
      }
      child.kill('SIGKILL');
      const killed = await outcome;
      expect(killed.signal).toBe('SIGKILL');
      const [partial] = await target.query<mysql.RowDataPacket[]>('SELECT count(*) AS n FROM customers');
      expect(Number(partial[0]?.n)).toBeLessThan(total);
      // In lanes, the kill left the plan and each lane's own progress in the state store.
      if (lanes > 1) {
        const stored = backfillCheckpoints();
        expect(stored.map((entry) => entry.flow)).toContain('customers:lanes');
        expect(stored.some((entry) => entry.flow.startsWith('customers:lane-') && entry.after !== null)).toBe(
          true,
        );
      }

      const restart = await syncline('--log-level', 'info', 'run', '--once');
      expect(restart.code, restart.stderr).toBe(0);
      const [actual, expected] = await Promise.all([targetDigests(), expectedDigests()]);
      expect(actual.size).toBe(total);
      expect(actual).toEqual(expected);
      expect(backfillCheckpoints()).toEqual([]);
      // The CLI runs the lanes in worker threads, each with its own connections.
      if (lanes > 1)
        expect(`${restart.stdout}${restart.stderr}`).toMatch(/backfill lanes run in worker threads/);
    },
  );
});

describe('syncline config errors', () => {
  it('rejects a table named "accounts; drop table x" with exit 2 before any SQL runs (invariant 6)', async () => {
    workspace.writeConfig(CONFIG({ table: '"accounts; drop table x"' }));
    const result = await syncline('run', '--once');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /flows\.customers\.source\.table: must not contain spaces or control characters/,
    );
    expect(existsSync(join(workspace.dir, 'state.db'))).toBe(false);
    const { rows } = await source.query(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'accounts'",
    );
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('rejects a typo with its key path and exit 2', async () => {
    workspace.writeConfig(CONFIG().replace('batch:', 'bacth:'));
    const result = await syncline('validate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('flows.customers.bacth: unknown key; did you mean "batch"?');
  });

  it('validate compares each mapped column pair with the live schemas', async () => {
    await target.query('ALTER TABLE customers MODIFY code varchar(8), MODIFY credit_limit decimal(10,2)');
    const result = await syncline('validate');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /fields\.code: accounts\.external_code character varying\(32\) allows 32 characters but customers\.code varchar\(8\) only 8/,
    );
    expect(result.stdout).toMatch(/fields\.credit_limit: .* 14 digits before the point but .* only 8/);
    expect(result.stdout).toMatch(
      /fields\.credit_limit: .* 4 decimal places but .* 2: values will be rounded/,
    );
  });

  it('validate fails with exit 2 naming a column that does not exist', async () => {
    workspace.writeConfig(CONFIG().replace('note: note', 'note: remarks'));
    const result = await syncline('validate');
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /flows\.customers\.fields\.note: source column "remarks" does not exist in accounts/,
    );
  });
});
