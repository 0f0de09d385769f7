import { describe, expect, it } from 'vitest';
import type { ColumnInfo, TargetRecord, TargetSpec } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import type { ColumnKind } from '../../core/values.js';
import { mysqlConfigSchema } from './mysql-config.js';
import { classifyMysqlError, keyAtFault, toConnectorError } from './mysql-errors.js';
import {
  buildCountQuery,
  buildPageQuery,
  buildUpsert,
  parseTableName,
  quoteColumn,
  type PageQuery,
} from './mysql-sql.js';
import { secretsOf, upsertSyntaxFor } from './mysql-session.js';
import { chunkRows } from './mysql-upserts.js';
import { fromMysqlValue, toMysqlValue, toZoneWallClock } from './mysql-values.js';
import { orderRecords } from './mysql-writer.js';

function column(kind: ColumnKind): ColumnInfo {
  return { name: 'c', nativeType: 'x', kind, nullable: true, hasDefault: false };
}

const target: TargetSpec = {
  flow: 'customers',
  table: 'customers',
  key: 'crm_id',
  columns: ['crm_id', 'name'],
  types: {},
  onDelete: { mode: 'hard' },
};

function record(key: number, name: string | null): TargetRecord {
  return { key: String(key), op: 'upsert', values: { crm_id: key, name } };
}

describe('identifiers', () => {
  it('quotes plain and database-qualified table names with backticks', () => {
    expect(parseTableName('customers').quoted).toBe('`customers`');
    expect(parseTableName('erp.customers')).toMatchObject({
      database: 'erp',
      table: 'customers',
      quoted: '`erp`.`customers`',
    });
  });

  it('rejects a table name that is not a plain identifier, naming it and the flow', () => {
    expect(() => parseTableName('accounts; drop table x', 'customers')).toThrow(ConnectorError);
    expect(() => parseTableName('accounts; drop table x', 'customers')).toThrow(
      /Flow "customers".*"accounts; drop table x"/,
    );
    expect(() => parseTableName('a.b.c')).toThrow(/not a plain MySQL identifier/);
    expect(() => parseTableName('`x`')).toThrow(ConnectorError);
  });

  it('rejects column names with quotes, spaces, a leading digit or more than 64 characters', () => {
    for (const name of ['na`me', 'first name', '1st', 'x'.repeat(65), ''])
      expect(() => quoteColumn(name)).toThrow(ConnectorError);
    expect(quoteColumn('price$usd')).toBe('`price$usd`');
  });
});

describe('statements', () => {
  const query: PageQuery = {
    table: parseTableName('accounts'),
    columns: ['id', 'updated_at'],
    key: 'id',
    cursor: 'updated_at',
    bind: (_column, value) => value,
  };

  it('builds the compound (cursor, key) keyset page with bound values', () => {
    const statement = buildPageQuery(query, {
      order: 'cursor',
      after: { cursor: 'c1', key: 7 },
      limit: 1000,
    });
    expect(statement.sql).toBe(
      'SELECT `id` AS `id`, `updated_at` AS `updated_at` FROM `accounts` ' +
        'WHERE (`updated_at` > ? OR (`updated_at` = ? AND `id` > ?)) ORDER BY `updated_at`, `id` LIMIT ?',
    );
    expect(statement.params).toEqual(['c1', 'c1', 7, 1000]);
  });

  it('builds the key-order, lookback and unbounded page shapes', () => {
    expect(buildPageQuery(query, { order: 'key', limit: 5 }).sql).toMatch(
      /FROM `accounts` ORDER BY `id` LIMIT \?$/,
    );
    expect(buildPageQuery(query, { order: 'key', afterKey: 3, limit: 5 }).sql).toMatch(
      /WHERE `id` > \? ORDER BY `id`/,
    );
    expect(buildPageQuery(query, { order: 'cursor', fromCursor: 'c0', limit: 5 }).sql).toMatch(
      /WHERE `updated_at` >= \? ORDER BY `updated_at`, `id`/,
    );
    expect(buildPageQuery(query, { order: 'cursor', limit: 5 }).sql).toMatch(
      /WHERE `updated_at` IS NOT NULL ORDER BY/,
    );
  });

  it('counts pending rows with the page predicate and a bound limit', () => {
    const statement = buildCountQuery(query, { order: 'cursor', fromCursor: 'c0', limit: 10_000 });
    expect(statement.sql).toBe(
      'SELECT COUNT(*) AS pending FROM (SELECT 1 FROM `accounts` WHERE `updated_at` >= ? LIMIT ?) AS pending_rows',
    );
    expect(statement.params).toEqual(['c0', 10_000]);
  });

  it('builds multi-row upserts in the VALUES() form and the MySQL 8.0.20 row-alias form', () => {
    const table = parseTableName('customers');
    expect(buildUpsert(table, ['crm_id', 'name'], 'crm_id', [[1, 'a']], 'values-function').sql).toBe(
      'INSERT INTO `customers` (`crm_id`, `name`) VALUES ? ON DUPLICATE KEY UPDATE `name` = VALUES(`name`)',
    );
    expect(buildUpsert(table, ['crm_id', 'name'], 'crm_id', [[1, 'a']], 'row-alias').sql).toBe(
      'INSERT INTO `customers` (`crm_id`, `name`) VALUES ? AS incoming ON DUPLICATE KEY UPDATE `name` = incoming.`name`',
    );
  });

  it('uses the row-alias upsert on MySQL 8.0.20 and later only', () => {
    expect(upsertSyntaxFor('10.11.19-MariaDB-0+deb12u1')).toBe('values-function');
    expect(upsertSyntaxFor('8.0.19')).toBe('values-function');
    expect(upsertSyntaxFor('8.0.36')).toBe('row-alias');
    expect(upsertSyntaxFor('8.4.2')).toBe('row-alias');
    expect(upsertSyntaxFor('11.4.2-MariaDB')).toBe('values-function');
  });
});

describe('values', () => {
  it('converts a zoned timestamp to another zone exactly, microseconds kept', () => {
    expect(toZoneWallClock('2026-11-11T00:00:01.123456+08:00', '+00:00')).toBe('2026-11-10 16:00:01.123456');
    expect(toZoneWallClock('2026-11-10T16:00:01.999999Z', 'Asia/Shanghai')).toBe(
      '2026-11-11 00:00:01.999999',
    );
    expect(toZoneWallClock('2026-07-01T12:00:00-04:00', 'Europe/Berlin')).toBe('2026-07-01 18:00:00');
    expect(toZoneWallClock('2026-07-01T12:00:00', '+00:00')).toBeUndefined();
  });

  it('binds zoned timestamps in the configured zone for DATETIME and in UTC for TIMESTAMP', () => {
    expect(toMysqlValue(column('timestamp'), '2026-01-01T08:00:00.000001+08:00', '+05:30')).toBe(
      '2026-01-01 05:30:00.000001',
    );
    expect(toMysqlValue(column('timestamptz'), '2026-01-01T08:00:00.000001+08:00', '+05:30')).toBe(
      '2026-01-01 00:00:00.000001',
    );
    expect(toMysqlValue(column('timestamp'), '2026-01-01T08:00:00.5', '+05:30')).toBe(
      '2026-01-01 08:00:00.5',
    );
  });

  it('binds booleans as 1/0, JSON as text and 64-bit integers as BigInt', () => {
    expect(toMysqlValue(column('boolean'), true, 'UTC')).toBe(1);
    expect(toMysqlValue(column('json'), { a: [1, 'x'] }, 'UTC')).toBe('{"a":[1,"x"]}');
    expect(toMysqlValue(column('json'), 'text', 'UTC')).toBe('"text"');
    expect(toMysqlValue(column('integer'), '9223372036854775807', 'UTC')).toBe(9223372036854775807n);
    expect(toMysqlValue(column('decimal'), '-99999999999999.9999', 'UTC')).toBe('-99999999999999.9999');
  });

  it('reads driver values in canonical form per column kind', () => {
    expect(fromMysqlValue(column('integer'), '9007199254740991')).toBe(9007199254740991);
    expect(fromMysqlValue(column('integer'), '9007199254740993')).toBe('9007199254740993');
    expect(fromMysqlValue(column('decimal'), '0.0001')).toBe('0.0001');
    expect(fromMysqlValue(column('timestamp'), '2026-01-01 10:00:00.123456')).toBe(
      '2026-01-01T10:00:00.123456',
    );
    expect(fromMysqlValue(column('timestamptz'), '2026-01-01 10:00:00')).toBe('2026-01-01T10:00:00+00:00');
    expect(fromMysqlValue(column('boolean'), 0)).toBe(false);
    expect(fromMysqlValue(column('boolean'), Buffer.from([1]))).toBe(true);
    expect(fromMysqlValue(column('json'), '{"a":1}')).toEqual({ a: 1 });
    expect(fromMysqlValue(column('json'), '"x"')).toBe('x');
    expect(fromMysqlValue(column('date'), '2026-02-28')).toBe('2026-02-28');
    expect(fromMysqlValue(column('binary'), Buffer.from([0, 255]))).toEqual(Buffer.from([0, 255]));
  });
});

describe('errors', () => {
  it('classifies deadlocks, lock waits, lost connections and full connection tables as retryable', () => {
    for (const error of [
      { errno: 1213 },
      { errno: 1205 },
      { errno: 1040 },
      { code: 'PROTOCOL_CONNECTION_LOST' },
      { code: 'ECONNRESET' },
      { code: 'ECONNREFUSED' },
      { code: 'ETIMEDOUT' },
      { errno: 2006 },
      { errno: 2013 },
    ]) {
      expect(toConnectorError(error).retryable).toBe(true);
    }
    expect(classifyMysqlError({ errno: 1213, code: 'ER_LOCK_DEADLOCK' })).toBe('CONNECTOR_DEADLOCK');
  });

  it('classifies constraint violations and rejected values as final', () => {
    expect(classifyMysqlError({ errno: 1045 })).toBe('CONNECTOR_AUTH_FAILED');
    expect(classifyMysqlError({ errno: 1146 })).toBe('CONNECTOR_TABLE_NOT_FOUND');
    expect(classifyMysqlError({ errno: 1054 })).toBe('CONNECTOR_COLUMN_NOT_FOUND');
    for (const errno of [1062, 1451, 1452, 1048])
      expect(classifyMysqlError({ errno })).toBe('CONNECTOR_CONSTRAINT_VIOLATION');
    for (const errno of [1406, 1264, 1366, 1292]) {
      expect(classifyMysqlError({ errno })).toBe('CONNECTOR_VALUE_REJECTED');
      expect(toConnectorError({ errno }).retryable).toBe(false);
    }
  });

  it('names the table and key and never the password', () => {
    const error = toConnectorError(
      { errno: 1045, sqlMessage: "Access denied for user 'sync'@'h' (mysql://sync:hunter22@db/erp)" },
      { flow: 'customers', table: 'customers', key: '42', secrets: ['hunter22'] },
    );
    expect(error.message).toMatch(/Flow "customers", MySQL table customers, record "42"/);
    expect(error.message).not.toContain('hunter22');
    expect(error.key).toBe('42');
    expect(secretsOf('mysql://sync:p%40ss@db/erp')).toContain('p@ss');
  });

  it('maps a server row number, a duplicate entry or a NULL column back to the record key', () => {
    const records = [record(1, 'a'), record(2, 'b'), record(3, null)];
    expect(keyAtFault({ sqlMessage: "Data too long for column 'name' at row 2" }, records)).toBe('2');
    expect(keyAtFault({ sqlMessage: "Duplicate entry 'b' for key 'name'" }, records)).toBe('2');
    expect(keyAtFault({ sqlMessage: "Column 'name' cannot be null" }, records)).toBe('3');
    expect(keyAtFault({ sqlMessage: 'Deadlock found' }, records)).toBeUndefined();
  });
});

describe('writing', () => {
  it('orders records by target key and keeps the last record of a key', () => {
    const ordered = orderRecords(target, [record(10, 'x'), record(2, 'y'), record(10, 'z'), record(9, 'w')]);
    expect(ordered.map((each) => each.values)).toEqual([
      { crm_id: 2, name: 'y' },
      { crm_id: 9, name: 'w' },
      { crm_id: 10, name: 'z' },
    ]);
  });

  it('cuts rows into chunks below the byte limit, never leaving a row out', () => {
    expect(chunkRows([5, 5, 5, 20, 1], (n) => n, 10)).toEqual([[5, 5], [5], [20], [1]]);
  });
});

describe('config', () => {
  it('defaults poolSize and timezone, keeps the URL secret and rejects unknown keys', () => {
    const config = mysqlConfigSchema.parse({ type: 'mysql', url: 'mysql://u:pw@h/db' });
    expect(config).toMatchObject({ poolSize: 4, timezone: '+00:00' });
    expect(String(config.url)).toBe('[redacted]');
    expect(mysqlConfigSchema.safeParse({ type: 'mysql', url: 'mysql://h/db', extra: 1 }).success).toBe(false);
    expect(
      mysqlConfigSchema.safeParse({ type: 'mysql', url: 'mysql://h/db', timezone: 'Mars/Base' }).success,
    ).toBe(false);
    expect(
      mysqlConfigSchema.safeParse({ type: 'mysql', url: 'mysql://h/db', timezone: 'Asia/Shanghai' }).success,
    ).toBe(true);
  });
});
