import { describe, expect, it } from 'vitest';
import {
  collidingUniqueKeys,
  columnKind,
  cursorIndexOf,
  indexesOf,
  jsonCheckedColumns,
  toColumnInfo,
  uniqueKeysOf,
  type MysqlTableSchema,
} from './mysql-describe.js';

describe('describe', () => {
  it('maps MySQL types to kinds, TINYINT(1) to boolean and MariaDB json_valid LONGTEXT to json', () => {
    expect(columnKind('tinyint', 'tinyint(1)', false)).toBe('boolean');
    expect(columnKind('tinyint', 'tinyint(4)', false)).toBe('integer');
    expect(columnKind('decimal', 'decimal(18,4)', false)).toBe('decimal');
    expect(columnKind('datetime', 'datetime(6)', false)).toBe('timestamp');
    expect(columnKind('timestamp', 'timestamp(6)', false)).toBe('timestamptz');
    expect(columnKind('longtext', 'longtext', true)).toBe('json');
    expect(columnKind('longtext', 'longtext', false)).toBe('string');
    expect(columnKind('varbinary', 'varbinary(16)', false)).toBe('binary');
    expect([...jsonCheckedColumns(['json_valid(`Payload`)', '`n` > 0'])]).toEqual(['payload']);
  });

  it('reads defaults the way MariaDB and MySQL report them', () => {
    const row = {
      name: 'c',
      dataType: 'varchar',
      columnType: 'varchar(255)',
      isNullable: 'YES',
      maxLength: '255',
      precision: null,
      scale: null,
      extra: '',
    };
    expect(toColumnInfo({ ...row, columnDefault: 'NULL' }, new Set()).hasDefault).toBe(false);
    expect(toColumnInfo({ ...row, columnDefault: null }, new Set()).hasDefault).toBe(false);
    expect(toColumnInfo({ ...row, columnDefault: "'NULL'" }, new Set()).hasDefault).toBe(true);
    expect(toColumnInfo({ ...row, columnDefault: null, extra: 'auto_increment' }, new Set()).hasDefault).toBe(
      true,
    );
    expect(toColumnInfo({ ...row, columnDefault: 'NULL' }, new Set()).maxLength).toBe(255);
  });

  it('ignores prefix indexes as unique keys and flags other unique keys an upsert could collide with', () => {
    const indexes = indexesOf([
      { indexName: 'PRIMARY', nonUnique: '0', columnName: 'id', subPart: null },
      { indexName: 'crm', nonUnique: '0', columnName: 'crm_id', subPart: null },
      { indexName: 'code', nonUnique: 0, columnName: 'code', subPart: null },
      { indexName: 'name5', nonUnique: '0', columnName: 'name', subPart: '5' },
      { indexName: 'by_time', nonUnique: '1', columnName: 'updated_at', subPart: null },
    ]);
    const keys = uniqueKeysOf(indexes);
    expect(keys).toEqual([['id'], ['crm_id'], ['code']]);
    const schema: MysqlTableSchema = {
      table: 't',
      columns: [],
      uniqueKeys: keys,
      autoIncrementColumns: ['id'],
      indexes,
    };
    expect(collidingUniqueKeys(schema, 'crm_id')).toEqual([['code']]);
    expect(collidingUniqueKeys({ ...schema, uniqueKeys: [['id'], ['crm_id']] }, 'crm_id')).toEqual([]);
  });

  it('finds the index serving ORDER BY cursor, key, counting the primary key InnoDB appends', () => {
    const indexes = indexesOf([
      { indexName: 'PRIMARY', nonUnique: '0', columnName: 'id', subPart: null },
      { indexName: 'by_time', nonUnique: '1', columnName: 'updated_at', subPart: null },
      { indexName: 'by_version', nonUnique: '1', columnName: 'version', subPart: null },
      { indexName: 'by_version', nonUnique: '1', columnName: 'code', subPart: null },
    ]);
    const schema: MysqlTableSchema = {
      table: 't',
      columns: [],
      uniqueKeys: [['id']],
      autoIncrementColumns: [],
      indexes,
    };
    expect(cursorIndexOf(schema, 'updated_at', 'id')).toBe('by_time');
    expect(cursorIndexOf(schema, 'version', 'code')).toBe('by_version');
    expect(cursorIndexOf(schema, 'version', 'id')).toBeUndefined();
    expect(cursorIndexOf(schema, 'updated_at', 'code')).toBeUndefined();
    expect(cursorIndexOf(schema, 'id', 'id')).toBe('PRIMARY');
  });
});
