import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/cli/engine.js';
import { runCycle } from '../../src/core/cycle.js';
import { silentLogger } from '../../src/core/logger.js';
import type { RunCounts } from '../../src/core/state-store.js';
import { runCli } from '../support/cli.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';

// Computed fields (`expr`) and a row filter (`filter`), PostgreSQL CRM → MariaDB ERP and → SQLite:
// a full name from two columns, a prefixed code, a conditional tier, only won deals; a deal that
// leaves the filter is soft-deleted at the target, one that enters it is written.

let dir: string;
let databases: CrmErpDatabases;
let sqlite: Database.Database;

const FIELDS = `    filter: "status = 'won' and not is_test"
    fields:
      full_name: { expr: "trim(concat(first_name, ' ', last_name))" }
      code: { expr: "'CRM-' || upper(code)" }
      tier: { expr: "case when amount >= 1000 then 'gold' when amount is null then 'unknown' else 'standard' end" }
      amount: { from: amount, type: decimal }`;

function config(fullNameExpr = "trim(concat(first_name, ' ', last_name))"): string {
  return `
state: sqlite:${join(dir, 'state.db')}
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: mysql, url: \${ERP_URL} }
  books: { type: sqlite, path: ${join(dir, 'books.db')} }
flows:
  deals_erp:
    source: { connection: crm, table: deals, key: id, cursor: updated_at }
    target: { connection: erp, table: erp_deals, key: crm_id, onDelete: { soft: is_deleted } }
${FIELDS.replace("trim(concat(first_name, ' ', last_name))", fullNameExpr)}
  deals_books:
    source: { connection: crm, table: deals, key: id, cursor: updated_at }
    target: { connection: books, table: book_deals, key: crm_id, onDelete: { soft: is_deleted } }
${FIELDS}
`;
}

function env(): Record<string, string> {
  return { CRM_URL: databases.crmUrl, ERP_URL: databases.erpUrl };
}

async function openWith(yaml: string): Promise<Engine> {
  const path = join(dir, 'syncline.yaml');
  writeFileSync(path, yaml);
  Object.assign(process.env, env());
  return openEngine(path, () => silentLogger);
}

async function cycle(engine: Engine, flowName: string): Promise<RunCounts> {
  const flow = engine.flow(flowName);
  const result = await runCycle(flow, engine.context.portsFor(flow), {
    trigger: 'manual',
    signal: new AbortController().signal,
  });
  if (result.status !== 'succeeded')
    throw new Error(`cycle ${result.status}: ${result.error?.message ?? ''}`);
  return result.counts;
}

async function erpRows(): Promise<Record<string, unknown>[]> {
  return databases.erpRows(
    'SELECT crm_id, full_name, code, tier, amount, is_deleted FROM erp_deals ORDER BY crm_id',
  );
}

function bookRows(): unknown[] {
  return sqlite
    .prepare('SELECT crm_id, full_name, code, tier, amount, is_deleted FROM book_deals ORDER BY crm_id')
    .all();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-computed-'));
  databases = await createCrmErpDatabases('computed');
  await databases.crm.query(`
    CREATE TABLE deals (id integer PRIMARY KEY, first_name text, last_name text, code text,
      amount numeric(12,2), status text NOT NULL, is_test boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp());
    INSERT INTO deals (id, first_name, last_name, code, amount, status, is_test) VALUES
      (1, 'Ada', 'Lovelace', 'a-1', 1500.00, 'won', false),
      (2, 'Grace', NULL, 'g-2', 99.50, 'won', false),
      (3, 'Alan', 'Turing', 't-3', NULL, 'lost', false),
      (4, 'Test', 'Deal', 'x-4', 5.00, 'won', true);`);
  await databases.erp.query(`
    CREATE TABLE erp_deals (crm_id varchar(20) PRIMARY KEY, full_name varchar(100), code varchar(20),
      tier varchar(10), amount decimal(12,2), is_deleted tinyint(1) NOT NULL DEFAULT 0)`);
  sqlite = new Database(join(dir, 'books.db'));
  sqlite.exec(`CREATE TABLE book_deals (crm_id TEXT PRIMARY KEY, full_name TEXT, code TEXT, tier TEXT,
    amount DECIMAL TEXT(12,2), is_deleted BOOLEAN NOT NULL DEFAULT 0)`);
});

afterAll(async () => {
  sqlite.close();
  await databases.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('computed fields and a row filter', () => {
  it('writes computed values of the rows inside the filter only, to MariaDB and SQLite', async () => {
    const engine = await openWith(config());
    try {
      for (const flow of ['deals_erp', 'deals_books']) {
        // Rows outside the filter count as unchanged: nothing was written for them.
        const counts = await cycle(engine, flow);
        expect(counts).toMatchObject({ written: 2, quarantined: 0, deleted: 0 });
        expect(counts.unchanged).toBe(counts.read - 2);
      }
      const expected = [
        {
          crm_id: '1',
          full_name: 'Ada Lovelace',
          code: 'CRM-A-1',
          tier: 'gold',
          amount: '1500.00',
          is_deleted: 0,
        },
        {
          crm_id: '2',
          full_name: 'Grace',
          code: 'CRM-G-2',
          tier: 'standard',
          amount: '99.50',
          is_deleted: 0,
        },
      ];
      expect(await erpRows()).toEqual(expected);
      expect(bookRows()).toEqual(expected);
      // Read again within the lookback: nothing to write.
      expect(await cycle(engine, 'deals_erp')).toMatchObject({ written: 0, unchanged: 4 });
    } finally {
      await engine.close();
    }
  });

  it('soft-deletes a row that leaves the filter and writes one that enters it', async () => {
    await databases.crm.query(`
      UPDATE deals SET status = 'lost', updated_at = clock_timestamp() WHERE id = 1;
      UPDATE deals SET status = 'won', updated_at = clock_timestamp() WHERE id = 3;`);
    const engine = await openWith(config());
    try {
      for (const flow of ['deals_erp', 'deals_books']) {
        expect(await cycle(engine, flow)).toMatchObject({ written: 2, deleted: 1, quarantined: 0 });
        expect(await cycle(engine, flow)).toMatchObject({ written: 0 });
      }
      const expected = [
        {
          crm_id: '1',
          full_name: 'Ada Lovelace',
          code: 'CRM-A-1',
          tier: 'gold',
          amount: '1500.00',
          is_deleted: 1,
        },
        {
          crm_id: '2',
          full_name: 'Grace',
          code: 'CRM-G-2',
          tier: 'standard',
          amount: '99.50',
          is_deleted: 0,
        },
        {
          crm_id: '3',
          full_name: 'Alan Turing',
          code: 'CRM-T-3',
          tier: 'unknown',
          amount: null,
          is_deleted: 0,
        },
      ];
      expect(await erpRows()).toEqual(expected);
      expect(bookRows()).toEqual(expected);
    } finally {
      await engine.close();
    }
  });

  it('reconciles rows outside the filter as absent at the target, and repairs one found live there', async () => {
    writeFileSync(join(dir, 'syncline.yaml'), config());
    const reconcile = (...args: string[]) =>
      runCli(['-c', join(dir, 'syncline.yaml'), 'reconcile', '--flow', 'deals_erp', ...args], {
        cwd: dir,
        env: env(),
      });
    const agreeing = await reconcile('--json');
    expect(agreeing.code).toBe(0);
    expect(JSON.parse(agreeing.stdout)).toMatchObject({
      mode: 'full',
      comparison: { missing: 0, extra: 0, different: 0 },
    });

    await databases.erp.query("UPDATE erp_deals SET is_deleted = 0 WHERE crm_id = '1'");
    const found = await reconcile('--json');
    expect(found.code).toBe(1);
    expect(JSON.parse(found.stdout)).toMatchObject({
      comparison: { missing: 0, extra: 1, different: 0 },
      differences: [{ key: '1', kind: 'extra', note: "outside the flow's filter but still at the target" }],
    });
    expect((await reconcile('--repair')).code).toBe(0);
    expect(await databases.erpRows("SELECT is_deleted FROM erp_deals WHERE crm_id = '1'")).toEqual([
      { is_deleted: 1 },
    ]);
  });

  it('quarantines a record whose expression cannot be computed, naming the field', async () => {
    const engine = await openWith(config("case when code > 5 then 'x' else first_name end"));
    try {
      await databases.crm.query(`UPDATE deals SET updated_at = clock_timestamp() WHERE id = 2`);
      expect(await cycle(engine, 'deals_erp')).toMatchObject({ quarantined: 2 });
      const letters = await engine.state.listDeadLetters({ flow: 'deals_erp', status: 'open', limit: 10 });
      expect(letters.map((letter) => [letter.key, letter.field, letter.reason]).sort()).toEqual([
        [
          '2',
          'full_name',
          `expr "case when code > 5 then 'x' else first_name end": cannot compare text "g-2" with number 5`,
        ],
        [
          '3',
          'full_name',
          `expr "case when code > 5 then 'x' else first_name end": cannot compare text "t-3" with number 5`,
        ],
      ]);
    } finally {
      await engine.close();
    }
  });

  it('validate rejects an expression naming a missing column, with its path', async () => {
    writeFileSync(join(dir, 'typo.yaml'), config("concat(frist_name, ' ', last_name)"));
    const result = await runCli(['-c', join(dir, 'typo.yaml'), 'validate'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(
      'flows.deals_erp.fields.full_name.expr: source column "frist_name" does not exist in deals',
    );
    expect(result.stdout).not.toContain('flows.deals_books.fields.full_name.expr');
  });
});
