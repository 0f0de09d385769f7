import { describe, expect, it } from 'vitest';
import type { SourceSpec, TargetRecord, TargetSpec } from '../../core/connector.js';
import { silentLogger } from '../../core/logger.js';
import { postgresConnector } from './index.js';
import {
  parseTableName,
  quoteIdentifier,
  readShape,
  selectPageStatement,
  countPageStatement,
  readByKeysStatement,
} from './postgres-sql.js';
import { planWrite, writeShape } from './postgres-write-plan.js';
import { conflictClause, deleteStatement, MAX_PARAMETERS, upsertStatements } from './postgres-write-sql.js';

const source: SourceSpec = {
  flow: 'customers',
  table: 'sales.accounts',
  key: 'id',
  cursor: 'updated_at',
  deleted: 'is_deleted',
  columns: ['id', 'name', 'updated_at'],
  batchSize: 100,
  lookback: 0,
};

const target: TargetSpec = {
  flow: 'customers',
  table: 'customers',
  key: 'crm_id',
  columns: ['crm_id', 'name', 'credit'],
  types: {},
  onDelete: { mode: 'hard' },
};

function upsert(values: TargetRecord['values'] & { crm_id: number }): TargetRecord {
  return { key: String(values.crm_id), op: 'upsert', values };
}

describe('identifiers', () => {
  it('quotes plain names and keeps their case', () => {
    expect(quoteIdentifier('updated_at', { role: 'column' })).toBe('"updated_at"');
    expect(quoteIdentifier('Order$Lines', { role: 'column' })).toBe('"Order$Lines"');
    expect(quoteIdentifier('客户', { role: 'table' })).toBe('"客户"');
  });

  it.each(['accounts; drop table x', 'a"b', 'id --', '1abc', '', 'a b', `x${'y'.repeat(63)}`, '$x'])(
    'refuses %j, naming it and the flow',
    (name) => {
      const refuse = (): string => quoteIdentifier(name, { flow: 'customers', role: 'source table' });
      expect(refuse).toThrow(`Flow "customers": the source table ${JSON.stringify(name)} is not accepted`);
      expect(refuse).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', flow: 'customers' }) as Error);
    },
  );

  it('qualifies a table with the configured schema unless it names its own', () => {
    expect(parseTableName('accounts', 'public', { role: 'table' })).toEqual({
      schema: 'public',
      name: 'accounts',
      sql: '"public"."accounts"',
      display: 'public.accounts',
    });
    expect(parseTableName('sales.accounts', 'public', { role: 'table' }).sql).toBe('"sales"."accounts"');
    expect(() => parseTableName('a.b.c', 'public', { role: 'table' })).toThrow(/"a\.b\.c"/);
    expect(() => parseTableName('sales.', 'public', { role: 'table' })).toThrow(/""/);
  });

  it('validates every column of a source before building SQL', () => {
    expect(() => readShape({ ...source, columns: ['id', 'name; --'] }, 'public')).toThrow(/"name; --"/);
    expect(() => readShape({ ...source, deleted: 'x y' }, 'public')).toThrow(/"x y"/);
  });

  it('refuses a bad schema in the connection config when the connector is created', () => {
    const config = postgresConnector.configSchema.parse({
      type: 'postgres',
      url: 'postgres://h/db',
      schema: 'x; drop',
    });
    expect(() => postgresConnector.create(config, { name: 'crm', logger: silentLogger })).toThrow(
      /schema of connection "crm" "x; drop"/,
    );
  });
});

describe('config', () => {
  it('applies defaults and refuses unknown keys, bad URLs and bad durations', () => {
    const parsed = postgresConnector.configSchema.parse({
      type: 'postgres',
      url: 'postgresql://u:p@h:5432/db',
    });
    expect({ ...parsed, url: parsed.url.reveal() }).toEqual({
      type: 'postgres',
      url: 'postgresql://u:p@h:5432/db',
      schema: 'public',
      poolSize: 4,
    });
    expect(String(parsed.url)).toBe('[redacted]');
    expect(
      postgresConnector.configSchema.parse({
        type: 'postgres',
        url: 'postgres://h/db',
        statementTimeout: '30s',
      }).statementTimeoutMs,
    ).toBe(30_000);
    expect(
      postgresConnector.configSchema.safeParse({
        type: 'postgres',
        url: 'postgres://h/db',
        statementTimeout: 'soon',
      }).success,
    ).toBe(false);
    expect(postgresConnector.configSchema.safeParse({ type: 'postgres', url: 'mysql://h/db' }).success).toBe(
      false,
    );
    expect(
      postgresConnector.configSchema.safeParse({ type: 'postgres', url: 'postgres://h/db', pool: 3 }).success,
    ).toBe(false);
    expect(
      postgresConnector.configSchema.safeParse({ type: 'postgres', url: 'postgres://h/db', poolSize: 1.5 })
        .success,
    ).toBe(false);
  });
});

describe('read statements', () => {
  const shape = readShape(source, 'public');
  const select = '"id", "updated_at", "is_deleted", "name"';

  it('builds the four page shapes with bound values and ORDER BY cursor, key', () => {
    expect(selectPageStatement(shape, { order: 'key', limit: 10 })).toEqual({
      text: `SELECT ${select} FROM "sales"."accounts"  ORDER BY "id" LIMIT $1`,
      values: [10],
    });
    expect(selectPageStatement(shape, { order: 'key', afterKey: 42, limit: 10 })).toEqual({
      text: `SELECT ${select} FROM "sales"."accounts" WHERE "id" > $1 ORDER BY "id" LIMIT $2`,
      values: [42, 10],
    });
    expect(
      selectPageStatement(shape, {
        order: 'cursor',
        after: { cursor: '2026-01-01T00:00:00+00:00', key: 7 },
        limit: 10,
      }),
    ).toEqual({
      text: `SELECT ${select} FROM "sales"."accounts" WHERE ("updated_at" > $1 OR ("updated_at" = $1 AND "id" > $2)) ORDER BY "updated_at", "id" LIMIT $3`,
      values: ['2026-01-01T00:00:00+00:00', 7, 10],
    });
    expect(
      selectPageStatement(shape, { order: 'cursor', fromCursor: '2026-01-01', limit: 5 }).text,
    ).toContain('WHERE "updated_at" >= $1 ORDER BY "updated_at", "id" LIMIT $2');
    expect(selectPageStatement(shape, { order: 'cursor', limit: 5 }).text).toContain(
      'WHERE "updated_at" IS NOT NULL ORDER BY "updated_at", "id"',
    );
  });

  it('ANDs inclusive range bounds into any page shape, each a parameter after the keyset ones', () => {
    const bounds = { fromKey: 10, toKey: 20, fromCursor: '2026-01-01T00:00:00+00:00' };
    expect(selectPageStatement(shape, { order: 'key', afterKey: 12, bounds, limit: 5 })).toEqual({
      text: `SELECT ${select} FROM "sales"."accounts" WHERE "id" > $1 AND "id" >= $2 AND "id" <= $3 AND "updated_at" >= $4 ORDER BY "id" LIMIT $5`,
      values: [12, 10, 20, '2026-01-01T00:00:00+00:00', 5],
    });
    expect(
      selectPageStatement(shape, {
        order: 'cursor',
        after: { cursor: 'c', key: 7 },
        bounds: { toCursor: 'd' },
        limit: 5,
      }),
    ).toEqual({
      text: `SELECT ${select} FROM "sales"."accounts" WHERE ("updated_at" > $1 OR ("updated_at" = $1 AND "id" > $2)) AND "updated_at" <= $3 ORDER BY "updated_at", "id" LIMIT $4`,
      values: ['c', 7, 'd', 5],
    });
  });

  it('counts pending rows with the page predicate, bounded by LIMIT in a subquery', () => {
    expect(countPageStatement(shape, { order: 'cursor', fromCursor: 5, limit: 1000 })).toEqual({
      text: 'SELECT count(*)::int AS n FROM (SELECT 1 FROM "sales"."accounts" WHERE "updated_at" >= $1 LIMIT $2) AS pending',
      values: [5, 1000],
    });
  });

  it('reads by key with one bound array', () => {
    expect(readByKeysStatement(shape, ['1', '2'])).toEqual({
      text: `SELECT ${select} FROM "sales"."accounts" WHERE "id" = ANY($1) ORDER BY "id"`,
      values: ['{"1","2"}'],
    });
  });
});

describe('write statements', () => {
  const shape = writeShape(target, 'public');

  it('updates only the written columns on conflict, and only inserts a record of the key alone', () => {
    expect(conflictClause(shape, ['crm_id', 'name'])).toBe(
      'ON CONFLICT ("crm_id") DO UPDATE SET "name" = EXCLUDED."name"',
    );
    expect(conflictClause(shape, ['crm_id'])).toBe('ON CONFLICT ("crm_id") DO NOTHING');
  });

  it('builds multi-row upserts with numbered parameters', () => {
    const [statement] = upsertStatements(
      shape,
      ['crm_id', 'name'],
      [
        [1, 'a'],
        [2, 'b'],
      ],
    );
    expect(statement).toEqual({
      text: 'INSERT INTO "public"."customers" ("crm_id", "name") VALUES ($1, $2), ($3, $4) ON CONFLICT ("crm_id") DO UPDATE SET "name" = EXCLUDED."name"',
      values: [1, 'a', 2, 'b'],
    });
  });

  it('splits upserts so no statement binds more than 65,535 parameters', () => {
    const columns = ['crm_id', 'name', 'credit'];
    const rows = Array.from({ length: 50_000 }, (_, index) => [index, 'n', '1.5']);
    const statements = upsertStatements(shape, columns, rows);
    expect(statements).toHaveLength(3);
    expect(statements.every((statement) => statement.values.length <= MAX_PARAMETERS)).toBe(true);
    expect(statements.reduce((sum, statement) => sum + statement.values.length, 0)).toBe(150_000);
    expect(statements[1]?.text).toContain('($1, $2, $3)');
  });

  it('deletes by key with one bound array literal', () => {
    expect(deleteStatement(shape, ['1', 'a"b'])).toEqual({
      text: 'DELETE FROM "public"."customers" WHERE "crm_id" = ANY($1)',
      values: ['{"1","a\\"b"}'],
    });
  });
});

describe('planWrite', () => {
  it('groups records by operation and column set, columns in target order', () => {
    const segments = planWrite(target, [
      upsert({ crm_id: 1, name: 'a', credit: '1' }),
      upsert({ credit: '2', crm_id: 2, name: 'b' }),
      upsert({ crm_id: 3, name: 'c' }),
      { key: '4', op: 'delete', values: { crm_id: 4 } },
    ]);
    expect(segments).toHaveLength(1);
    expect(
      segments[0]?.map((group) => [
        group.op,
        group.op === 'upsert' ? group.columns : [],
        group.records.map((r) => r.key),
      ]),
    ).toEqual([
      ['upsert', ['crm_id', 'name', 'credit'], ['1', '2']],
      ['upsert', ['crm_id', 'name'], ['3']],
      ['delete', [], ['4']],
    ]);
  });

  it('starts a new segment when a key comes again, so each record applies after the earlier one', () => {
    const segments = planWrite(target, [
      upsert({ crm_id: 1, name: 'a' }),
      upsert({ crm_id: 2, name: 'b' }),
      { key: '1', op: 'delete', values: { crm_id: '1' } },
      upsert({ crm_id: 1, credit: '5' }),
    ]);
    expect(
      segments.map((groups) =>
        groups.flatMap((group) => group.records.map((record) => `${record.op}:${record.key}`)),
      ),
    ).toEqual([['upsert:1', 'upsert:2'], ['delete:1'], ['upsert:1']]);
  });

  it('orders columns the same in a later batch of the target, and validates a column new to it', () => {
    const first = planWrite(target, [upsert({ name: 'a', crm_id: 1 })]);
    const second = planWrite(target, [upsert({ name: 'b', crm_id: 2 }), upsert({ crm_id: 3, name: 'c' })]);
    expect(first[0]?.map((group) => (group.op === 'delete' ? [] : group.columns))).toEqual([
      ['crm_id', 'name'],
    ]);
    expect(
      second[0]?.map((group) => [group.op === 'delete' ? [] : group.columns, group.records.length]),
    ).toEqual([[['crm_id', 'name'], 2]]);
    expect(() => planWrite(target, [upsert({ crm_id: 4, name: 'd', 'bad"': 'x' })])).toThrow(/"bad\\""/);
  });

  it('refuses a record without the target key and a column that is not a plain name', () => {
    expect(() => planWrite(target, [{ key: '9', op: 'upsert', values: { name: 'x' } }])).toThrow(
      /record "9" has no value for the target key column "crm_id"/,
    );
    expect(() => planWrite(target, [upsert({ crm_id: 1, 'name"); --': 'x' })])).toThrow(/"name\\"\); --"/);
  });
});
