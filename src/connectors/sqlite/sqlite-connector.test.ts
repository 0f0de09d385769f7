import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Connector, TargetSpec } from '../../core/connector.js';
import { SyncError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { sqliteConnector } from './index.js';
import { resolveDatabasePath } from './sqlite-config.js';

const directory = mkdtempSync(join(tmpdir(), 'syncline-sqlite-unit-'));
const signal = new AbortController().signal;
const open: Connector[] = [];
const handles: Database.Database[] = [];
let counter = 0;

afterEach(async () => {
  await Promise.all(open.splice(0).map((connector) => connector.close()));
  for (const db of handles.splice(0)) db.close();
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** A new database file made with `ddl`, and the connector on it. */
function databaseWith(
  ddl: string,
  options: { readonly?: boolean } = {},
): { connector: Connector; db: Database.Database } {
  const path = join(directory, `unit-${++counter}.db`);
  const db = new Database(path);
  db.exec(ddl);
  handles.push(db);
  const config = sqliteConnector.configSchema.parse({ type: 'sqlite', path, ...options });
  const connector = sqliteConnector.create(config, { name: 'erp', logger: silentLogger });
  open.push(connector);
  return { connector, db };
}

function target(table: string, columns: string[]): TargetSpec {
  return { flow: 'customers', table, key: 'id', columns, types: {}, onDelete: { mode: 'hard' } };
}

async function failure(promise: Promise<unknown>): Promise<SyncError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SyncError);
  return error as SyncError;
}

describe('sqlite config', () => {
  it('accepts a path and readonly flag and refuses unknown keys', () => {
    expect(
      sqliteConnector.configSchema.safeParse({ type: 'sqlite', path: 'erp.db', readonly: true }).success,
    ).toBe(true);
    expect(sqliteConnector.configSchema.safeParse({ type: 'sqlite', path: 'erp.db', url: 'x' }).success).toBe(
      false,
    );
    expect(sqliteConnector.configSchema.safeParse({ type: 'sqlite' }).success).toBe(false);
  });

  it('resolves a relative path against the working directory and keeps :memory:', () => {
    expect(resolveDatabasePath({ type: 'sqlite', path: 'data/erp.db' }, '/srv/syncline')).toBe(
      resolve('/srv/syncline/data/erp.db'),
    );
    expect(resolveDatabasePath({ type: 'sqlite', path: ':memory:' })).toBe(':memory:');
  });
});

describe('SqliteConnector', () => {
  it('probes a missing file as not ok, naming the path, without throwing', async () => {
    const missing = join(directory, 'missing.db');
    const connector = sqliteConnector.create(
      { type: 'sqlite', path: missing },
      { name: 'erp', logger: silentLogger },
    );
    const result = await connector.probe(signal);
    expect(result.ok).toBe(false);
    expect(result.message).toContain(missing);
  });

  it('opened read-only, can be a source but refuses to be a target', async () => {
    const { connector } = databaseWith('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)', {
      readonly: true,
    });
    expect(connector.capabilities).toMatchObject({ source: true, target: false });
    const error = await failure(connector.writeBatch(target('t', ['id', 'v']), [], signal));
    expect(error.message).toContain('read-only');
  });

  it('describes an INTEGER PRIMARY KEY, unique indexes, generated columns and defaults', async () => {
    const { connector } = databaseWith(`
      CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, email TEXT, tag TEXT DEFAULT 'x',
        upper_code TEXT GENERATED ALWAYS AS (upper(code)) VIRTUAL);
      CREATE UNIQUE INDEX t_code ON t (code);
      CREATE UNIQUE INDEX t_email_lower ON t (lower(email));
      CREATE UNIQUE INDEX t_tag_partial ON t (tag) WHERE tag IS NOT NULL;`);
    const schema = await connector.describeTable('main.t', signal);
    expect(schema?.uniqueKeys).toEqual([['id'], ['code']]);
    const byName = new Map(schema?.columns.map((column) => [column.name, column]));
    expect(byName.get('id')).toMatchObject({ kind: 'integer', nullable: false, hasDefault: true });
    expect(byName.get('tag')).toMatchObject({ hasDefault: true });
    expect(byName.get('upper_code')).toMatchObject({ hasDefault: true });
    expect(byName.get('code')).toMatchObject({ hasDefault: false, nullable: true });
  });

  it('refuses a decimal that a DECIMAL(18,4) column of NUMERIC affinity would round, naming record and column', async () => {
    const { connector, db } = databaseWith('CREATE TABLE t (id INTEGER PRIMARY KEY, amount DECIMAL(18,4))');
    const spec = target('t', ['id', 'amount']);
    const error = await failure(
      connector.writeBatch(
        spec,
        [{ key: '7', op: 'upsert', values: { id: 7, amount: '99999999999999.9999' } }],
        signal,
      ),
    );
    expect(error).toMatchObject({ code: 'CONNECTOR_VALUE_REJECTED', retryable: false, key: '7' });
    expect(error.message).toContain('t.amount');
    await connector.writeBatch(
      spec,
      [{ key: '8', op: 'upsert', values: { id: 8, amount: '12.5000' } }],
      signal,
    );
    expect(db.prepare('SELECT amount FROM t').all()).toEqual([{ amount: 12.5 }]);
  });

  it('names the record at fault when one record of a batch breaks a constraint, and writes none', async () => {
    const { connector, db } = databaseWith('CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT NOT NULL)');
    const records = [1, 2, 3, 4].map((id) => ({
      key: String(id),
      op: 'upsert' as const,
      values: { id, code: id === 3 ? null : `C${id}` },
    }));
    const error = await failure(connector.writeBatch(target('t', ['id', 'code']), records, signal));
    expect(error).toMatchObject({ code: 'CONNECTOR_CONSTRAINT_VIOLATION', key: '3', flow: 'customers' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
  });

  it('reads and writes 64-bit integers beyond 2^53 exactly', async () => {
    const { connector, db } = databaseWith(
      'CREATE TABLE t (id INTEGER PRIMARY KEY, big BIGINT, version INTEGER)',
    );
    await connector.writeBatch(
      target('t', ['id', 'big', 'version']),
      [{ key: '1', op: 'upsert', values: { id: 1, big: '9223372036854775807', version: 1 } }],
      signal,
    );
    expect(db.prepare('SELECT CAST(big AS TEXT) AS big FROM t').get()).toEqual({
      big: '9223372036854775807',
    });
    const source = {
      flow: 'customers',
      table: 't',
      key: 'id',
      cursor: 'version',
      deleted: undefined,
      columns: ['id', 'big', 'version'],
      batchSize: 10,
      lookback: 0,
    };
    const [change] = await connector.readByKeys(source, ['1'], signal);
    expect(change?.row).toEqual({ id: 1, big: '9223372036854775807', version: 1 });
  });

  it('sees a column added after the first read', async () => {
    const { connector, db } = databaseWith('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    expect((await connector.describeTable('t', signal))?.columns).toHaveLength(1);
    db.exec('ALTER TABLE t ADD COLUMN name TEXT');
    expect((await connector.describeTable('t', signal))?.columns).toHaveLength(2);
  });
});
