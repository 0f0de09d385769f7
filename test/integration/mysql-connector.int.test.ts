import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Change,
  ChangeBatch,
  Checkpoint,
  Connector,
  SourceSpec,
  TargetRecord,
  TargetSpec,
} from '../../src/core/connector.js';
import { ConnectorError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Row } from '../../src/core/values.js';
import { mysqlConnector } from '../../src/connectors/mysql/index.js';
import { cursorIndexOf, describeMysqlTable } from '../../src/connectors/mysql/mysql-describe.js';
import { buildPageQuery, parseTableName, type PageQuery } from '../../src/connectors/mysql/mysql-sql.js';
import { createMysqlHarness, type MysqlHarness } from './harness/mysql-harness.js';

const signal = new AbortController().signal;
let harness: MysqlHarness;

beforeAll(async () => {
  harness = await createMysqlHarness({ label: 'mysqlread' });
});
afterAll(async () => {
  await harness.close();
});

function source(table: string, overrides: Partial<SourceSpec> = {}): SourceSpec {
  return {
    flow: 'customers',
    table,
    key: 'id',
    cursor: 'updated_at',
    deleted: undefined,
    columns: ['id', 'updated_at', 'name'],
    batchSize: 1_000,
    lookback: 0,
    ...overrides,
  };
}

function target(table: string, columns: readonly string[], overrides: Partial<TargetSpec> = {}): TargetSpec {
  return {
    flow: 'customers',
    table,
    key: 'id',
    columns,
    types: {},
    onDelete: { mode: 'hard' },
    ...overrides,
  };
}

function upserts(rows: readonly Row[]): TargetRecord[] {
  return rows.map((values) => ({ key: JSON.stringify(values.id), op: 'upsert', values }));
}

async function readAll(connector: Connector, spec: SourceSpec, since?: Checkpoint): Promise<ChangeBatch[]> {
  const batches: ChangeBatch[] = [];
  for await (const batch of connector.readChanges(spec, since, signal)) batches.push(batch);
  return batches;
}

function changesOf(batches: readonly ChangeBatch[]): Change[] {
  return batches.flatMap((batch) => batch.changes);
}

/** The last change of each key, in key order of first appearance (the reader re-reads the high-water mark). */
function latestRows(batches: readonly ChangeBatch[]): Row[] {
  return [...new Map(changesOf(batches).map((change) => [change.key, change.row])).values()];
}

async function rawRows(sql: string): Promise<Record<string, unknown>[]> {
  const [rows] = await harness.admin.query(sql);
  return rows as Record<string, unknown>[];
}

describe('mysql connector: describe and values', () => {
  it('describes native types, kinds, lengths, defaults and unique keys from information_schema', async () => {
    await harness.execute(`CREATE TABLE described (
      id BIGINT AUTO_INCREMENT PRIMARY KEY, crm_id VARCHAR(64) NOT NULL UNIQUE, name VARCHAR(255) NOT NULL,
      credit DECIMAL(18,4) NULL, active BOOLEAN NOT NULL DEFAULT TRUE, payload JSON NULL,
      updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), seen_at TIMESTAMP(6) NULL,
      doubled INT AS (id * 2) VIRTUAL, photo BLOB NULL, KEY by_name (name))`);
    const schema = await harness.connector.describeTable('described', signal);
    const byName = new Map(schema?.columns.map((column) => [column.name, column]));
    expect(byName.get('credit')).toEqual({
      name: 'credit',
      nativeType: 'decimal(18,4)',
      kind: 'decimal',
      nullable: true,
      precision: 18,
      scale: 4,
      hasDefault: false,
    });
    expect(byName.get('name')).toMatchObject({
      nativeType: 'varchar(255)',
      kind: 'string',
      nullable: false,
      maxLength: 255,
      hasDefault: false,
    });
    expect(byName.get('id')).toMatchObject({ kind: 'integer', hasDefault: true });
    expect(byName.get('active')).toMatchObject({ kind: 'boolean', hasDefault: true });
    expect(byName.get('payload')?.kind).toBe('json');
    expect(byName.get('updated_at')).toMatchObject({ kind: 'timestamp', hasDefault: true });
    expect(byName.get('seen_at')?.kind).toBe('timestamptz');
    expect(byName.get('doubled')?.hasDefault).toBe(true);
    expect(byName.get('photo')?.kind).toBe('binary');
    expect(schema?.uniqueKeys).toEqual([['id'], ['crm_id']]);
    const qualified = await harness.connector.describeTable(`${harness.database.name}.described`, signal);
    expect(qualified?.columns).toEqual(schema?.columns);
    expect(await harness.connector.describeTable('no_such_table', signal)).toBeUndefined();
  });

  it('round-trips decimal(18,4) extremes, NULLs, Chinese and emoji, JSON, booleans and bytes exactly', async () => {
    await harness.execute(`CREATE TABLE exact (id BIGINT PRIMARY KEY, updated_at DATETIME(6) NOT NULL, name VARCHAR(255) NULL,
      amount DECIMAL(18,4) NULL, is_vip BOOLEAN NULL, payload JSON NULL, photo VARBINARY(16) NULL, big BIGINT NULL)`);
    const rows: Row[] = [
      {
        id: 1,
        updated_at: '2026-01-01T00:00:00.000001',
        name: '张三 🚀 Zoë',
        amount: '99999999999999.9999',
        is_vip: true,
        payload: { 城市: '上海', tags: ['a', 1, null] },
        photo: Buffer.from([0, 1, 255]),
        big: '9223372036854775807',
      },
      {
        id: 2,
        updated_at: '2026-01-01T00:00:00.000002',
        name: null,
        amount: '-99999999999999.9999',
        is_vip: false,
        payload: null,
        photo: null,
        big: '-9223372036854775808',
      },
      {
        id: 3,
        updated_at: '2026-01-01T00:00:00.000003',
        name: '',
        amount: '0.0001',
        is_vip: null,
        payload: [],
        photo: Buffer.alloc(0),
        big: 9007199254740991,
      },
      {
        id: 4,
        updated_at: '2026-01-01T00:00:00.000004',
        name: 'null',
        amount: null,
        is_vip: null,
        payload: 'just text',
        photo: null,
        big: null,
      },
    ];
    const columns = ['id', 'updated_at', 'name', 'amount', 'is_vip', 'payload', 'photo', 'big'];
    await harness.connector.writeBatch(target('exact', columns), upserts(rows), signal);
    expect(latestRows(await readAll(harness.connector, source('exact', { columns })))).toEqual(rows);
    expect(await rawRows('SELECT HEX(name) AS hex FROM exact WHERE id = 1')).toEqual([
      { hex: Buffer.from('张三 🚀 Zoë', 'utf8').toString('hex').toUpperCase() },
    ]);
  });

  it('writes zoned timestamps exactly, with microseconds, in the configured zone for DATETIME and UTC for TIMESTAMP', async () => {
    await harness.execute(
      'CREATE TABLE stamps (id INT PRIMARY KEY, local_at DATETIME(6) NULL, zoned_at TIMESTAMP(6) NULL)',
    );
    const shanghai = harness.createConnector({ timezone: 'Asia/Shanghai' });
    const values = { local_at: '2026-11-10T16:00:01.123456Z', zoned_at: '2026-11-11T00:00:01.999999+08:00' };
    await harness.connector.writeBatch(
      target('stamps', ['id', 'local_at', 'zoned_at']),
      upserts([{ id: 1, ...values }]),
      signal,
    );
    await shanghai.writeBatch(
      target('stamps', ['id', 'local_at', 'zoned_at']),
      upserts([{ id: 2, ...values }]),
      signal,
    );
    expect(await rawRows('SELECT id, local_at, zoned_at FROM stamps ORDER BY id')).toEqual([
      { id: 1, local_at: '2026-11-10 16:00:01.123456', zoned_at: '2026-11-10 16:00:01.999999' },
      { id: 2, local_at: '2026-11-11 00:00:01.123456', zoned_at: '2026-11-10 16:00:01.999999' },
    ]);
    const read = await harness.connector.readByKeys(
      source('stamps', { cursor: 'zoned_at', columns: ['id', 'local_at', 'zoned_at'] }),
      ['2'],
      signal,
    );
    expect(read[0]?.row).toEqual({
      id: 2,
      local_at: '2026-11-11T00:00:01.123456',
      zoned_at: '2026-11-10T16:00:01.999999+00:00',
    });
  });

  it('stores an SQL injection attempt literally', async () => {
    await harness.execute('CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(255) NULL)');
    const name = "'); DROP TABLE customers; --";
    await harness.connector.writeBatch(
      target('customers', ['id', 'name']),
      upserts([{ id: 1, name }]),
      signal,
    );
    expect(await rawRows('SELECT name FROM customers')).toEqual([{ name }]);
    const found = await harness.connector.readByKeys(
      source('customers', { cursor: 'id', columns: ['id', 'name'] }),
      ["1' OR '1'='1", '1'],
      signal,
    );
    expect(found.map((change) => change.row)).toEqual([{ id: 1, name }]);
  });

  it('rejects identifiers that are not plain names with a ConnectorError naming them, before any SQL runs', async () => {
    await harness.execute('CREATE TABLE x (id INT PRIMARY KEY)');
    const bad = 'accounts; drop table x';
    await expect(
      harness.connector.writeBatch(target(bad, ['id']), upserts([{ id: 1 }]), signal),
    ).rejects.toThrow(/"accounts; drop table x"/);
    await expect(readAll(harness.connector, source(bad))).rejects.toBeInstanceOf(ConnectorError);
    await expect(harness.connector.describeTable(bad, signal)).rejects.toBeInstanceOf(ConnectorError);
    await expect(
      readAll(harness.connector, source('x', { cursor: 'id`; drop table x; --' })),
    ).rejects.toThrow(/column name/);
    expect(await rawRows("SHOW TABLES LIKE 'x'")).toHaveLength(1);
  });
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
    const batches = await readAll(harness.connector, source('accounts'), {
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
    const resumed = await readAll(harness.connector, source('accounts'), {
      phase: 'incremental',
      cursor: '2026-03-01T12:00:00.000000',
      key: 1_000,
    });
    expect(changesOf(resumed)).toHaveLength(1_500);
  });

  it('answers the compound keyset page with a range scan of the (cursor, key) index, even where all rows share a cursor', async () => {
    const table = parseTableName('accounts');
    const query = async (sql: string, params: unknown[]) => rawRows(mysql.format(sql, params as string[]));
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
    const plan = await rawRows(`EXPLAIN ${mysql.format(statement.sql, statement.params as string[])}`);
    expect(plan[0]).toMatchObject({ key: 'by_cursor', type: 'range' });
    expect(plan[0]?.Extra).not.toMatch(/filesort/);
  });

  it('scans in key order first, then hands over to the cursor, and counts what is pending', async () => {
    const spec = source('accounts', {
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
    expect(await harness.connector.countPending(spec, checkpoint, 10_000, signal)).toBe(1);
    expect(await harness.connector.countPending(spec, undefined, 100, signal)).toBe(100);
    const after = await readAll(harness.connector, spec, checkpoint);
    expect(changesOf(after).map((change) => [change.key, change.op])).toEqual([['7', 'delete']]);
    expect(await harness.connector.maxCursor(spec, signal)).toBe('2026-03-02T00:00:00.000000');
  });

  it('reads a transaction that commits late with an older cursor value on a later read with lookback', async () => {
    await harness.execute(
      'CREATE TABLE orders (id INT PRIMARY KEY, updated_at DATETIME(6) NOT NULL, name VARCHAR(50) NULL)',
    );
    await harness.insertRows('orders', [{ id: 1, updated_at: '2026-05-01T10:00:00', name: 'first' }]);
    const spec = source('orders', { lookback: 5_000 });
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
    const spec = source('ledger', { cursor: 'updated_at' });
    const found = await harness.connector.readByKeys(spec, ['18446744073709551614', '5'], signal);
    expect(found.map((change) => change.row)).toEqual([
      { id: '18446744073709551614', updated_at: 2, name: 'max-1' },
    ]);
  });

  it('probes the server, and reports a down server without its password', async () => {
    expect(await harness.connector.probe(signal)).toMatchObject({
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
    const result = await down.probe(signal);
    await down.close();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/127\.0\.0\.1:1\/erp.*ECONNREFUSED.*check that the server is running/);
    expect(result.message).not.toContain('s3cr3t-pw');
  });
});
