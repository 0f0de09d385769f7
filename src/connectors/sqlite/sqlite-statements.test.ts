import { describe, expect, it } from 'vitest';
import type { TargetRecord, TargetSpec } from '../../core/connector.js';
import type { SqliteColumn, SqliteTable } from './sqlite-schema.js';
import {
  MAX_PARAMETERS,
  countPageStatement,
  selectPageStatement,
  updateStatement,
  upsertStatement,
  type SourceNames,
} from './sqlite-statements.js';
import { planWrites } from './sqlite-write-plan.js';

const names: SourceNames = {
  table: { schema: 'main', name: 'accounts' },
  key: 'id',
  cursor: 'updated_at',
  columns: ['id', 'updated_at', 'name'],
};
const FROM = 'SELECT "id", "updated_at", "name" FROM "main"."accounts"';

describe('keyset page statements', () => {
  it('scans in key order after a key', () => {
    expect(selectPageStatement(names, { order: 'key', afterKey: 10, limit: 100 })).toEqual({
      sql: `${FROM} WHERE "id" > ? ORDER BY "id" LIMIT ?`,
      params: [10, 100],
    });
  });

  it('continues after a (cursor, key) position with a row-value comparison', () => {
    expect(selectPageStatement(names, { order: 'cursor', after: { cursor: 'c', key: 7 }, limit: 5 })).toEqual(
      {
        sql: `${FROM} WHERE ("updated_at", "id") > (?, ?) ORDER BY "updated_at", "id" LIMIT ?`,
        params: ['c', 7, 5],
      },
    );
  });

  it('re-reads from the lookback start, and skips NULL cursors when reading everything', () => {
    expect(selectPageStatement(names, { order: 'cursor', fromCursor: 'c', limit: 5 }).sql).toContain(
      'WHERE "updated_at" >= ?',
    );
    expect(selectPageStatement(names, { order: 'cursor', limit: 5 }).sql).toContain(
      'WHERE "updated_at" IS NOT NULL',
    );
  });

  it('ANDs inclusive range bounds into the page, bound in order', () => {
    expect(
      selectPageStatement(names, {
        order: 'key',
        afterKey: 3,
        bounds: { fromKey: 2, toCursor: 'z' },
        limit: 5,
      }),
    ).toEqual({
      sql: `${FROM} WHERE "id" > ? AND "id" >= ? AND "updated_at" <= ? ORDER BY "id" LIMIT ?`,
      params: [3, 2, 'z', 5],
    });
  });

  it('counts pending rows up to the limit', () => {
    expect(countPageStatement(names, { order: 'key', limit: 50 })).toEqual({
      sql: 'SELECT COUNT(*) AS "pending" FROM (SELECT 1 FROM "main"."accounts" LIMIT ?)',
      params: [50],
    });
  });
});

describe('upserts', () => {
  it('updates only the given columns on a key conflict, and does nothing when only the key is given', () => {
    const table = { schema: 'main', name: 'customers' };
    expect(
      upsertStatement(
        table,
        'id',
        ['id', 'name'],
        [
          [1, 'a'],
          [2, 'b'],
        ],
      ),
    ).toEqual({
      sql: 'INSERT INTO "main"."customers" ("id", "name") VALUES (?, ?), (?, ?) ON CONFLICT ("id") DO UPDATE SET "name" = excluded."name"',
      params: [1, 'a', 2, 'b'],
    });
    expect(upsertStatement(table, 'id', ['id'], [[1]]).sql).toMatch(/ON CONFLICT \("id"\) DO NOTHING$/);
  });
});

describe('updates', () => {
  const table = { schema: 'main', name: 'customers' };

  it('sets only the given columns of the row of one key, and the key to itself when it is alone', () => {
    expect(updateStatement(table, 'id', ['id', 'name', 'code'], [7, 'a', null])).toEqual({
      sql: 'UPDATE "main"."customers" SET "name" = ?, "code" = ? WHERE "id" = ?',
      params: ['a', null, 7],
    });
    expect(updateStatement(table, 'id', ['id'], [7])).toEqual({
      sql: 'UPDATE "main"."customers" SET "id" = "id" WHERE "id" = ?',
      params: [7],
    });
  });
});

describe('planWrites', () => {
  const columns = ['id', 'code', 'name', 'amount'];
  const table: SqliteTable = {
    table: 'customers',
    columns: [],
    columnsByName: new Map(
      columns.map((name): [string, SqliteColumn] => [
        name,
        {
          name,
          nativeType: 'TEXT',
          kind: 'string',
          nullable: true,
          hasDefault: false,
          hasNumericAffinity: false,
        },
      ]),
    ),
    uniqueKeys: [['id']],
  };
  const target: TargetSpec = {
    flow: 'f',
    table: 'customers',
    key: 'id',
    columns,
    types: {},
    onDelete: { mode: 'hard' },
  };
  const tableName = { schema: 'main', name: 'customers' };

  it('keeps every statement under SQLite bound-parameter limit', () => {
    const records: TargetRecord[] = Array.from({ length: 17_000 }, (_, index) => ({
      key: String(index),
      op: 'upsert',
      values: { id: index, code: `C${index}`, name: 'n', amount: '1.5' },
    }));
    const steps = planWrites(target, records, table, tableName);
    expect(steps.reduce((sum, step) => sum + step.keys.length, 0)).toBe(17_000);
    for (const step of steps) expect(step.statement.params.length).toBeLessThanOrEqual(MAX_PARAMETERS);
  });

  it('keeps the order of upserts and deletes of one batch, and groups records by the columns they carry', () => {
    const steps = planWrites(
      target,
      [
        { key: '1', op: 'upsert', values: { id: 1, name: 'a' } },
        { key: '2', op: 'upsert', values: { id: 2, name: 'b' } },
        { key: '1', op: 'delete', values: { id: 1 } },
        { key: '3', op: 'upsert', values: { id: 3, code: 'c' } },
      ],
      table,
      tableName,
    );
    expect(steps.map((step) => [step.statement.sql.split(' ')[0], step.keys])).toEqual([
      ['INSERT', ['1', '2']],
      ['DELETE', ['1']],
      ['INSERT', ['3']],
    ]);
    expect(steps[2]?.statement.sql).toContain('("id", "code")');
  });

  it('writes updates one statement per record, in the batch order', () => {
    const steps = planWrites(
      target,
      [
        { key: '1', op: 'update', values: { id: 1, name: 'a' } },
        { key: '2', op: 'update', values: { id: 2, name: 'b' } },
        { key: '1', op: 'upsert', values: { id: 1, code: 'c' } },
      ],
      table,
      tableName,
    );
    expect(steps.map((step) => [step.op, step.statement.sql.split(' ')[0], step.keys])).toEqual([
      ['update', 'UPDATE', ['1']],
      ['update', 'UPDATE', ['2']],
      ['upsert', 'INSERT', ['1']],
    ]);
  });
});
