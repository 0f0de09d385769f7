import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { mysqlConnector } from '../../src/connectors/mysql/index.js';
import { cursorIndexOf, describeMysqlTable } from '../../src/connectors/mysql/mysql-describe.js';
import { buildPageQuery, parseTableName, type PageQuery } from '../../src/connectors/mysql/mysql-sql.js';
import { createMysqlHarness, type MysqlHarness } from './harness/mysql-harness.js';
import { changesOf, latestRows, mysqlSource, neverAborted, rawRows, readAll } from './harness/mysql-specs.js';

let harness: MysqlHarness;

beforeAll(async () => {
  harness = await createMysqlHarness({ label: 'mysqlread' });
});
afterAll(async () => {
  await harness.close();
});

describe('mysql connector: reading changes', () => {
  beforeAll(async () => {
    await harness.execute(`CREATE TABLE accounts (id BIGINT PRIMARY KEY, updated_at DATETIME(6) NOT NULL, name VARCHAR(255) NULL,
      is_deleted BOOLEAN NOT NULL DEFAULT FALSE, KEY by_cursor (updated_at, id))`);
    const rows = Array.from({ length: 2_500 }, (_, index) => [
      index + 1,
      '2026-03-01 12:00:00.000000',
      `account ${index + 1}`,
    ]);
    await harness.execute('INSERT INTO accounts (id, updated_at, name) VALUES ?', [rows]);
  });

  it('reads 2,500 rows sharing one cursor value completely in batches of 1,000', async () => {
    const batches = await readAll(harness.connector, mysqlSource('accounts'), {
      phase: 'incremental',
      cursor: null,
      key: null,
    });
    expect(batches.map((batch) => batch.changes.length)).toEqual([1_000, 1_000, 500]);
    const keys = new Set(changesOf(batches).map((change) => change.key));
    expect(keys.size).toBe(2_500);
    expect(batches.at(-1)?.checkpoint).toEqual({
      phase: 'incremental',
      cursor: '2026-03-01T12:00:00.000000',
      key: 2_500,
    });
    const resumed = await readAll(harness.connector, mysqlSource('accounts'), {
      phase: 'incremental',
      cursor: '2026-03-01T12:00:00.000000',
      key: 1_000,
    });
    expect(changesOf(resumed)).toHaveLength(1_500);
  });

  it('answers the compound keyset page with a range scan of the (cursor, key) index, even where all rows share a cursor', async () => {
    const table = parseTableName('accounts');
    const query = async (sql: string, params: unknown[]) =>
      rawRows(harness, mysql.format(sql, params as string[]));
    const schema = await describeMysqlTable(query, table, true);
    const pageQuery: PageQuery = {
      table,
      columns: ['id', 'name'],
      key: 'id',
      cursor: 'updated_at',
      bind: (_column, value) => value,
      cursorIndex: schema === undefined ? undefined : cursorIndexOf(schema, 'updated_at', 'id'),
    };
    expect(pageQuery.cursorIndex).toBe('by_cursor');
    const statement = buildPageQuery(pageQuery, {
      order: 'cursor',
      after: { cursor: '2026-03-01 12:00:00', key: 1_000 },
      limit: 1_000,
    });
    const plan = await rawRows(
      harness,
      `EXPLAIN ${mysql.format(statement.sql, statement.params as string[])}`,
    );
    expect(plan[0]).toMatchObject({ key: 'by_cursor', type: 'range' });
    expect(plan[0]?.Extra).not.toMatch(/filesort/);
  });

  it('scans in key order first, then hands over to the cursor, and counts what is pending', async () => {
    const spec = mysqlSource('accounts', {
      deleted: 'is_deleted',
      columns: ['id', 'updated_at', 'name', 'is_deleted'],
    });
    const initial = await readAll(harness.connector, spec);
    expect(latestRows(initial)).toHaveLength(2_500);
    const checkpoint = initial.at(-1)?.checkpoint;
    expect(checkpoint).toEqual({ phase: 'incremental', cursor: '2026-03-01T12:00:00.000000', key: 2_500 });
    await harness.execute(
      "UPDATE accounts SET updated_at = '2026-03-02 00:00:00', is_deleted = TRUE WHERE id = 7",
    );
    expect(await harness.connector.countPending(spec, checkpoint, 10_000, neverAborted)).toBe(1);
    expect(await harness.connector.countPending(spec, undefined, 100, neverAborted)).toBe(100);
    const after = await readAll(harness.connector, spec, checkpoint);
    expect(changesOf(after).map((change) => [change.key, change.op])).toEqual([['7', 'delete']]);
    expect(await harness.connector.maxCursor(spec, neverAborted)).toBe('2026-03-02T00:00:00.000000');
  });

  it('reads a transaction that commits late with an older cursor value on a later read with lookback', async () => {
    await harness.execute(
      'CREATE TABLE orders (id INT PRIMARY KEY, updated_at DATETIME(6) NOT NULL, name VARCHAR(50) NULL)',
    );
    await harness.insertRows('orders', [{ id: 1, updated_at: '2026-05-01T10:00:00', name: 'first' }]);
    const spec = mysqlSource('orders', { lookback: 5_000 });
    const first = await readAll(harness.connector, spec);
    const commit = await harness.openLateTransaction?.(
      "INSERT INTO orders VALUES (2, '2026-05-01 09:59:59.5', 'late')",
    );
    await harness.insertRows('orders', [{ id: 3, updated_at: '2026-05-01T10:00:01', name: 'on time' }]);
    const second = await readAll(harness.connector, spec, first.at(-1)?.checkpoint);
    expect(changesOf(second).map((change) => change.key)).toEqual(['1', '3']);
    await commit?.();
    const third = await readAll(harness.connector, spec, second.at(-1)?.checkpoint);
    expect(changesOf(third).map((change) => change.key)).toContain('2');
  });

  it('reads rows by key, bigint keys beyond 2^53 exactly, and skips missing keys', async () => {
    await harness.execute(
      'CREATE TABLE ledger (id BIGINT UNSIGNED PRIMARY KEY, updated_at INT NOT NULL, name VARCHAR(20))',
    );
    await harness.execute(
      "INSERT INTO ledger VALUES (18446744073709551615, 1, 'max'), (18446744073709551614, 2, 'max-1')",
    );
    const spec = mysqlSource('ledger', { cursor: 'updated_at' });
    const found = await harness.connector.readByKeys(spec, ['18446744073709551614', '5'], neverAborted);
    expect(found.map((change) => change.row)).toEqual([
      { id: '18446744073709551614', updated_at: 2, name: 'max-1' },
    ]);
  });

  it('probes the server, and reports a down server without its password', async () => {
    expect(await harness.connector.probe(neverAborted)).toMatchObject({
      ok: true,
      server: expect.stringMatching(/^MariaDB \d+\.\d+/) as string,
    });
    const down = mysqlConnector.create(
      mysqlConnector.configSchema.parse({ type: 'mysql', url: 'mysql://sync:s3cr3t-pw@127.0.0.1:1/erp' }),
      {
        name: 'down',
        logger: silentLogger,
      },
    );
    const result = await down.probe(neverAborted);
    await down.close();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/127\.0\.0\.1:1\/erp.*ECONNREFUSED.*check that the server is running/);
    expect(result.message).not.toContain('s3cr3t-pw');
  });
});
