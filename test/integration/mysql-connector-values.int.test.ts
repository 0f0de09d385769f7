import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/core/errors.js';
import type { Row } from '../../src/core/values.js';
import { createMysqlHarness, type MysqlHarness } from './harness/mysql-harness.js';
import {
  latestRows,
  mysqlSource,
  mysqlTarget,
  neverAborted,
  rawRows,
  readAll,
  upserts,
} from './harness/mysql-specs.js';

let harness: MysqlHarness;

beforeAll(async () => {
  harness = await createMysqlHarness({ label: 'mysqlvalues' });
});
afterAll(async () => {
  await harness.close();
});

describe('mysql connector: describe and values', () => {
  it('describes native types, kinds, lengths, defaults and unique keys from information_schema', async () => {
    await harness.execute(`CREATE TABLE described (
      id BIGINT AUTO_INCREMENT PRIMARY KEY, crm_id VARCHAR(64) NOT NULL UNIQUE, name VARCHAR(255) NOT NULL,
      credit DECIMAL(18,4) NULL, active BOOLEAN NOT NULL DEFAULT TRUE, payload JSON NULL,
      updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), seen_at TIMESTAMP(6) NULL,
      doubled INT AS (id * 2) VIRTUAL, photo BLOB NULL, KEY by_name (name))`);
    const schema = await harness.connector.describeTable('described', neverAborted);
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
    const qualified = await harness.connector.describeTable(
      `${harness.database.name}.described`,
      neverAborted,
    );
    expect(qualified?.columns).toEqual(schema?.columns);
    expect(await harness.connector.describeTable('no_such_table', neverAborted)).toBeUndefined();
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
    await harness.connector.writeBatch(mysqlTarget('exact', columns), upserts(rows), neverAborted);
    expect(latestRows(await readAll(harness.connector, mysqlSource('exact', { columns })))).toEqual(rows);
    expect(await rawRows(harness, 'SELECT HEX(name) AS hex FROM exact WHERE id = 1')).toEqual([
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
      mysqlTarget('stamps', ['id', 'local_at', 'zoned_at']),
      upserts([{ id: 1, ...values }]),
      neverAborted,
    );
    await shanghai.writeBatch(
      mysqlTarget('stamps', ['id', 'local_at', 'zoned_at']),
      upserts([{ id: 2, ...values }]),
      neverAborted,
    );
    expect(await rawRows(harness, 'SELECT id, local_at, zoned_at FROM stamps ORDER BY id')).toEqual([
      { id: 1, local_at: '2026-11-10 16:00:01.123456', zoned_at: '2026-11-10 16:00:01.999999' },
      { id: 2, local_at: '2026-11-11 00:00:01.123456', zoned_at: '2026-11-10 16:00:01.999999' },
    ]);
    const read = await harness.connector.readByKeys(
      mysqlSource('stamps', { cursor: 'zoned_at', columns: ['id', 'local_at', 'zoned_at'] }),
      ['2'],
      neverAborted,
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
      mysqlTarget('customers', ['id', 'name']),
      upserts([{ id: 1, name }]),
      neverAborted,
    );
    expect(await rawRows(harness, 'SELECT name FROM customers')).toEqual([{ name }]);
    const found = await harness.connector.readByKeys(
      mysqlSource('customers', { cursor: 'id', columns: ['id', 'name'] }),
      ["1' OR '1'='1", '1'],
      neverAborted,
    );
    expect(found.map((change) => change.row)).toEqual([{ id: 1, name }]);
  });

  it('rejects identifiers that are not plain names with a ConnectorError naming them, before any SQL runs', async () => {
    await harness.execute('CREATE TABLE x (id INT PRIMARY KEY)');
    const bad = 'accounts; drop table x';
    await expect(
      harness.connector.writeBatch(mysqlTarget(bad, ['id']), upserts([{ id: 1 }]), neverAborted),
    ).rejects.toThrow(/"accounts; drop table x"/);
    await expect(readAll(harness.connector, mysqlSource(bad))).rejects.toBeInstanceOf(ConnectorError);
    await expect(harness.connector.describeTable(bad, neverAborted)).rejects.toBeInstanceOf(ConnectorError);
    await expect(
      readAll(harness.connector, mysqlSource('x', { cursor: 'id`; drop table x; --' })),
    ).rejects.toThrow(/column name/);
    expect(await rawRows(harness, "SHOW TABLES LIKE 'x'")).toHaveLength(1);
  });
});
