import { describe, expect, it } from 'vitest';
import type { ColumnInfo, TargetRecord, TargetSpec } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import type { ColumnKind } from '../../core/values.js';
import type { MysqlTableSchema } from './mysql-describe.js';
import { toConnectorError } from './mysql-errors.js';
import { parseTableName } from './mysql-sql.js';
import { groupByColumns, type WritePlan } from './mysql-upserts.js';
import { assertFormattable, fromMysqlValue, toMysqlValue, UnstorableMysqlValue } from './mysql-values.js';
import { JSON_NULL } from '../../core/values.js';
import { contentHash } from '../../core/content-hash.js';

function column(name: string, kind: ColumnKind): ColumnInfo {
  return { name, nativeType: 'x', kind, nullable: true, hasDefault: false };
}

const target: TargetSpec = {
  flow: 'customers',
  table: 'customers',
  key: 'crm_id',
  columns: ['crm_id', 'score'],
  types: {},
  onDelete: { mode: 'hard' },
};

const schema: MysqlTableSchema = {
  table: 'customers',
  columns: [column('crm_id', 'integer'), column('score', 'float')],
  uniqueKeys: [['crm_id']],
  autoIncrementColumns: [],
  indexes: [],
};

const plan: WritePlan = {
  target,
  table: parseTableName('customers'),
  schema,
  timezone: 'UTC',
  upsertSyntax: 'values-function',
  maxStatementBytes: 1_000_000,
  isChecked: false,
  secrets: [],
};

function record(key: number, score: number): TargetRecord {
  return { key: String(key), op: 'upsert', values: { crm_id: key, score } };
}

describe('non-finite numbers into MySQL', () => {
  it.each([NaN, Infinity, -Infinity])('refuses %s in value conversion, never as a bare word', (value) => {
    expect(() => toMysqlValue(column('score', 'float'), value, 'UTC')).toThrow(UnstorableMysqlValue);
    expect(() => toMysqlValue(column('note', 'string'), value, 'UTC')).toThrow(UnstorableMysqlValue);
    expect(toMysqlValue(column('score', 'float'), 1.5, 'UTC')).toBe(1.5);
  });

  it('refuses -0, which MySQL/MariaDB would store as 0 without a word', () => {
    expect(() => toMysqlValue(column('score', 'float'), -0, 'UTC')).toThrow(/negative zero/);
    expect(toMysqlValue(column('score', 'float'), 0, 'UTC')).toBe(0);
  });

  it('refuses text that is not valid Unicode instead of letting the driver write U+FFFD', () => {
    expect(() => toMysqlValue(column('note', 'string'), 'lone \ud800', 'UTC')).toThrow(/not valid Unicode/);
    expect(toMysqlValue(column('note', 'string'), 'pair 🚀', 'UTC')).toBe('pair 🚀');
  });

  it('refuses the record before any statement is built, naming the column and the key', () => {
    let thrown: unknown;
    try {
      groupByColumns(plan, [record(1, 2.5), record(2, NaN)]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConnectorError);
    expect(thrown).toMatchObject({
      code: 'CONNECTOR_VALUE_REJECTED',
      key: '2',
      field: 'score',
      retryable: false,
    });
    expect(groupByColumns(plan, [record(1, 2.5)])[0]?.rows[0]?.values).toEqual([1, 2.5]);
  });

  it('guards every statement parameter, nested row and IN lists included', () => {
    expect(() => {
      assertFormattable([[[1, NaN]]]);
    }).toThrow(UnstorableMysqlValue);
    expect(() => {
      assertFormattable([[1, 2], 'NaN', -Infinity]);
    }).toThrow(UnstorableMysqlValue);
    expect(() => {
      assertFormattable([[[1, 'x', null, 2.5]], [3, 4]]);
    }).not.toThrow();
    expect(toConnectorError(new UnstorableMysqlValue('NaN is not finite')).code).toBe(
      'CONNECTOR_VALUE_REJECTED',
    );
  });
});

describe('JSON null documents in MySQL', () => {
  it('writes JSON_NULL as the JSON text null and reads a JSON null back as JSON_NULL, not SQL NULL', () => {
    expect(toMysqlValue(column('doc', 'json'), JSON_NULL, 'UTC')).toBe('null');
    expect(toMysqlValue(column('note', 'string'), JSON_NULL, 'UTC')).toBe('null');
    expect(fromMysqlValue(column('doc', 'json'), 'null')).toBe(JSON_NULL);
    expect(fromMysqlValue(column('doc', 'json'), null)).toBeNull();
  });

  it('hashes a JSON null apart from SQL NULL, so a change between them is written', () => {
    const hashOf = (doc: typeof JSON_NULL | null): string =>
      contentHash({ key: '1', op: 'upsert', values: { crm_id: 1, doc } }, ['crm_id', 'doc']);
    expect(hashOf(JSON_NULL)).not.toBe(hashOf(null));
  });
});
