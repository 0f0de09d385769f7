import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowConfig } from '../../src/config/config-schema.js';
import { mysqlConnector } from '../../src/connectors/mysql/index.js';
import { postgresConnector } from '../../src/connectors/postgres/index.js';
import { sqliteConnector } from '../../src/connectors/sqlite/index.js';
import type { Connector } from '../../src/core/connector.js';
import { runCycle } from '../../src/core/cycle.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';

// Issue 15, acceptance: a PostgreSQL source holding NaN and ±Infinity doubles, an `infinity`
// timestamp, a JSON null document, an over-long text and a number beyond a DECIMAL's range among
// good rows flows into MariaDB and into SQLite. Every cycle succeeds, the good rows arrive exactly,
// each bad row is one dead letter naming its field, and nothing changes silently: the JSON null
// stays a JSON null, distinct from SQL NULL. SQLite enforces neither lengths nor DECIMAL ranges,
// so there the long text and the large number are held exactly instead.

let databases: CrmErpDatabases;
let dir: string;

const LONG_NOTE = 'x'.repeat(70);

/** The source rows; `bad` names the field each refused row is dead-lettered for. */
const ROWS = [
  {
    id: 1,
    score: '1.5',
    opened: '2026-01-02 03:04:05.123456+00',
    doc: '{"a": [1, "x"]}',
    note: 'ok',
    amount: '9999.50',
  },
  { id: 2, score: 'NaN', bad: 'score' },
  { id: 3, score: 'Infinity', bad: 'score' },
  { id: 4, score: '-Infinity', bad: 'score' },
  { id: 5, opened: 'infinity', bad: 'opened_at' },
  { id: 6, doc: 'null' },
  { id: 7, note: LONG_NOTE, bad: 'note', mysqlOnly: true },
  { id: 8, score: '-0.25', doc: '"text"', note: '' },
  { id: 9, amount: '123456.50', bad: 'amount', mysqlOnly: true },
] as const;

function flowConfig(): FlowConfig {
  return {
    source: {
      connection: 'crm',
      table: 'accounts',
      key: 'id',
      cursor: 'version',
      lookback: { ms: 0, appliesTo: 'any' },
    },
    target: { connection: 'erp', table: 'customers', key: 'crm_id' },
    batch: 3,
    fields: {
      name: 'name',
      score: 'score',
      opened_at: { from: 'opened_at', type: 'timestamp' },
      doc: 'doc',
      note: 'note',
      amount: 'amount',
    },
    retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 5 },
  };
}

beforeAll(async () => {
  databases = await createCrmErpDatabases('valueflows');
  dir = mkdtempSync(join(tmpdir(), 'syncline-values-'));
  await databases.crm.query(`CREATE TABLE accounts (
    id int PRIMARY KEY, name text NOT NULL, score double precision, opened_at timestamptz,
    doc jsonb, note text, amount numeric, version bigint NOT NULL)`);
  for (const row of ROWS) {
    const values = row as { score?: string; opened?: string; doc?: string; note?: string; amount?: string };
    await databases.crm.query('INSERT INTO accounts VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      row.id,
      `Customer ${row.id}`,
      values.score ?? null,
      values.opened ?? null,
      values.doc ?? null,
      values.note ?? null,
      values.amount ?? null,
      row.id,
    ]);
  }
  await databases.erp.query(`CREATE TABLE customers (
    crm_id int PRIMARY KEY, name varchar(50) NOT NULL, score double, opened_at datetime(6),
    doc json, note varchar(20), amount decimal(6,2))`);
});

afterAll(async () => {
  await databases.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `cycles` cycles of the flow into `target` and returns the open dead letters (key → field). */
async function flowInto(target: Connector, label: string, cycles: number): Promise<Map<string, string>> {
  const source = postgresConnector.create(
    postgresConnector.configSchema.parse({ type: 'postgres', url: databases.crmUrl }),
    { name: 'crm', logger: silentLogger },
  );
  const state = new SqliteStateStore(join(dir, `${label}-state.db`));
  await state.init();
  const flow = compileFlow('customers', flowConfig());
  try {
    for (let cycle = 0; cycle < cycles; cycle += 1) {
      const result = await runCycle(
        flow,
        { source, target, state, logger: silentLogger },
        {
          trigger: 'manual',
          signal: AbortSignal.timeout(60_000),
        },
      );
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('succeeded');
    }
    const letters = await state.listDeadLetters({ flow: 'customers', status: 'open', limit: 50 });
    expect(letters.every((letter) => letter.occurrences === 1)).toBe(true);
    return new Map(letters.map((letter) => [letter.key, letter.field ?? '']));
  } finally {
    await Promise.allSettled([source.close(), target.close(), state.close()]);
  }
}

function expectedLetters(target: 'mysql' | 'sqlite'): Map<string, string> {
  return new Map(
    ROWS.filter((row) => 'bad' in row && (target === 'mysql' || !('mysqlOnly' in row))).map((row) => [
      String(row.id),
      'bad' in row ? row.bad : '',
    ]),
  );
}

describe('value fidelity: PostgreSQL into MariaDB and SQLite', () => {
  it('into MariaDB: every cycle succeeds, good rows arrive exactly, each bad row is one dead letter naming its field', async () => {
    const target = mysqlConnector.create(
      mysqlConnector.configSchema.parse({ type: 'mysql', url: databases.erpUrl }),
      { name: 'erp', logger: silentLogger },
    );
    expect(await flowInto(target, 'mysql', 2)).toEqual(expectedLetters('mysql'));
    const rows = await databases.erpRows(
      'SELECT crm_id, score, opened_at, doc IS NULL AS is_sql_null, CAST(doc AS CHAR) AS doc, note FROM customers ORDER BY crm_id',
    );
    expect(rows).toEqual([
      {
        crm_id: 1,
        score: 1.5,
        opened_at: '2026-01-02 03:04:05.123456',
        is_sql_null: 0,
        doc: '{"a":[1,"x"]}',
        note: 'ok',
      },
      { crm_id: 6, score: null, opened_at: null, is_sql_null: 0, doc: 'null', note: null },
      { crm_id: 8, score: -0.25, opened_at: null, is_sql_null: 0, doc: '"text"', note: '' },
    ]);
    // 123456.50 is out of DECIMAL(6,2)'s range: a dead letter, not a clipped 9999.99.
    expect(await databases.erpRows('SELECT crm_id, amount FROM customers WHERE amount IS NOT NULL')).toEqual([
      { crm_id: 1, amount: '9999.50' },
    ]);
  });

  it('into SQLite: every cycle succeeds, good rows arrive exactly, each bad row is one dead letter naming its field', async () => {
    const path = join(dir, 'erp.db');
    const erp = new Database(path);
    erp.exec(`CREATE TABLE customers (
      crm_id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, opened_at TEXT, doc JSON, note TEXT, amount DECIMAL TEXT(6,2))`);
    const target = sqliteConnector.create({ type: 'sqlite', path }, { name: 'erp', logger: silentLogger });
    expect(await flowInto(target, 'sqlite', 2)).toEqual(expectedLetters('sqlite'));
    // SQLite enforces no DECIMAL range either: the amount is held exactly as text.
    const amounts = erp.prepare('SELECT crm_id, amount FROM customers WHERE amount IS NOT NULL').all();
    const rows = erp
      .prepare(
        'SELECT crm_id, score, opened_at, doc IS NULL AS is_sql_null, doc, note FROM customers ORDER BY crm_id',
      )
      .all();
    erp.close();
    // SQLite declares no length, so the long note is held exactly rather than refused.
    expect(rows).toEqual([
      {
        crm_id: 1,
        score: 1.5,
        opened_at: '2026-01-02T03:04:05.123456+00:00',
        is_sql_null: 0,
        doc: '{"a":[1,"x"]}',
        note: 'ok',
      },
      { crm_id: 6, score: null, opened_at: null, is_sql_null: 0, doc: 'null', note: null },
      { crm_id: 7, score: null, opened_at: null, is_sql_null: 1, doc: null, note: LONG_NOTE },
      { crm_id: 8, score: -0.25, opened_at: null, is_sql_null: 0, doc: '"text"', note: '' },
      { crm_id: 9, score: null, opened_at: null, is_sql_null: 1, doc: null, note: null },
    ]);
    expect(amounts).toEqual([
      { crm_id: 1, amount: '9999.50' },
      { crm_id: 9, amount: '123456.50' },
    ]);
  });
});
