import { describe, expect, it } from 'vitest';
import type { SourceSpec, TargetRecord, TargetSpec } from '../../src/core/connector.js';
import type { ErrorCode } from '../../src/core/error-codes.js';
import { SyncError } from '../../src/core/errors.js';
import {
  neverAborted,
  prepare,
  prepareTable,
  requireCapabilities,
  requireSql,
  type ConformanceContext,
} from './conformance-context.js';
import { readAll } from './conformance-reads.js';
import { createVersionedTable, sourceSpec, targetSpec, upsert } from './conformance-specs.js';
import type { PortableColumn, PreparedObject } from './connector-harness.js';
import { portableSource, recordSpec } from './portable-specs.js';

const STRICT_COLUMNS: readonly PortableColumn[] = [
  { name: 'id', type: 'bigint', nullable: false },
  { name: 'code', type: 'varchar255', nullable: false },
  { name: 'name', type: 'text' },
];

/** Identifiers that must never reach SQL: statement breaks and quote escapes of every dialect. */
const HOSTILE_IDENTIFIERS = [
  'accounts; drop table x',
  'name"; DROP TABLE x; --',
  'name`; DROP TABLE x; --',
  "name'); DROP TABLE x; --",
  'a.b.c',
  '',
];

interface Expected {
  readonly code?: ErrorCode;
  readonly retryable?: boolean;
  /** Texts the message must contain (the table, column or identifier at fault). */
  readonly mentions?: readonly string[];
}

/** Awaits a call that must fail with a SyncError, and checks its code, retryability and message. */
async function expectSyncError(
  call: () => Promise<unknown>,
  expected: Expected,
  label: string,
): Promise<SyncError> {
  let thrown: unknown;
  try {
    await call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `${label}: a SyncError, got ${String(thrown)}`).toBeInstanceOf(SyncError);
  const error = thrown as SyncError;
  if (expected.code !== undefined) expect(error.code, `${label}: ${error.message}`).toBe(expected.code);
  if (expected.retryable !== undefined)
    expect(error.retryable, `${label}: ${error.message}`).toBe(expected.retryable);
  for (const text of expected.mentions ?? []) {
    // A message may show the identifier as is or JSON-escaped (`name\"; DROP…`).
    const isNamed = error.message.includes(text) || error.message.includes(JSON.stringify(text).slice(1, -1));
    expect(isNamed, `${label}: the message names ${text}: ${error.message}`).toBe(true);
  }
  return error;
}

function sourceAttempts(
  accounts: PreparedObject,
  hostile: string,
): [string, SourceSpec, 'read' | 'byKeys' | 'count'][] {
  const base = sourceSpec(accounts);
  return [
    ['table', { ...base, table: hostile }, 'read'],
    ['key', { ...base, key: hostile }, 'read'],
    ['cursor', { ...base, cursor: hostile }, 'read'],
    ['deleted', { ...base, deleted: hostile }, 'read'],
    ['column', { ...base, columns: [...base.columns, hostile] }, 'read'],
    ['table', { ...base, table: hostile }, 'byKeys'],
    ['key', { ...base, key: hostile }, 'byKeys'],
    ['table', { ...base, table: hostile }, 'count'],
    ['cursor', { ...base, cursor: hostile }, 'count'],
  ];
}

function targetAttempts(accounts: PreparedObject, hostile: string): [string, TargetSpec, TargetRecord[]][] {
  const base = targetSpec(accounts, ['id', 'version', 'name']);
  const record = upsert({ id: 9, version: 9, name: 'nine' });
  return [
    ['table', { ...base, table: hostile }, [record]],
    ['key', { ...base, key: hostile }, [record]],
    [
      'column',
      { ...base, columns: [...base.columns, hostile] },
      [{ ...record, values: { ...record.values, [hostile]: 'x' } }],
    ],
  ];
}

/** Bad batches, hostile identifiers, missing unique keys, missing tables and columns. */
export function describeSafetyConformance(context: ConformanceContext): void {
  describe('failures and safety', () => {
    const badRecords: [string, string | null][] = [
      ['a NULL in a NOT NULL column', null],
      ['a text too long for varchar(255)', 'x'.repeat(256)],
    ];
    for (const [what, badCode] of badRecords) {
      it(`writes nothing of a batch with ${what}, and fails with a non-retryable SyncError`, async (test) => {
        requireCapabilities(test, context, 'target', 'transactions');
        const harness = context.harness();
        const table = badCode === null ? 'cf_tx_null' : 'cf_tx_long';
        const object = await prepareTable(test, context, table, STRICT_COLUMNS);
        await harness.seed(object, [{ id: 1, code: 'KEEP', name: 'before' }]);
        const batch = [
          upsert({ id: 1, code: 'CHANGED', name: 'after' }),
          upsert({ id: 2, code: 'B', name: 'b' }),
          upsert({ id: 3, code: badCode, name: 'bad' }),
          upsert({ id: 4, code: 'D', name: 'd' }),
        ];

        await expectSyncError(
          () => harness.connector.writeBatch(targetSpec(object, ['id', 'code', 'name']), batch, neverAborted),
          { retryable: false, mentions: [object.object] },
          what,
        );
        expect(await harness.readAll(object)).toEqual([{ id: 1, code: 'KEEP', name: 'before' }]);
      });
    }

    it('rejects identifiers that are not plain names with a SyncError naming them, before any SQL runs', async (test) => {
      const harness = context.harness();
      const { capabilities } = harness.connector;
      const accounts = await createVersionedTable(test, context, 'accounts', 1);
      const x = await createVersionedTable(test, context, 'x', 1);
      // A connector with its own name rules (checkObjectName, checkFieldName) is held to refusing
      // what they refuse; one without them, to the plain-name rule every SQL connector applies.
      const { connector } = harness;
      const refuses = (role: string, name: string): boolean => {
        const hasRules =
          role === 'table' ? connector.checkObjectName !== undefined : connector.checkFieldName !== undefined;
        const reason =
          role === 'table' ? connector.checkObjectName?.(name) : connector.checkFieldName?.(name);
        return !hasRules || reason !== undefined;
      };

      for (const hostile of HOSTILE_IDENTIFIERS) {
        const mentions = hostile === '' ? [] : [hostile];
        if (capabilities.source) {
          for (const [role, source, call] of sourceAttempts(accounts, hostile)) {
            if (!refuses(role, hostile)) continue;
            const label = `${call} with ${role} ${JSON.stringify(hostile)}`;
            const run =
              call === 'read'
                ? () => readAll(harness.connector, source, undefined)
                : call === 'byKeys'
                  ? () => harness.connector.readByKeys(source, ['1'], neverAborted)
                  : () => harness.connector.countPending(source, undefined, 10, neverAborted);
            await expectSyncError(run, { retryable: false, mentions }, label);
          }
        }
        if (capabilities.target) {
          for (const [role, target, records] of targetAttempts(accounts, hostile)) {
            if (!refuses(role, hostile)) continue;
            const label = `writeBatch with ${role} ${JSON.stringify(hostile)}`;
            await expectSyncError(
              () => harness.connector.writeBatch(target, records, neverAborted),
              { retryable: false, mentions },
              label,
            );
          }
        }
        if (capabilities.describe && refuses('table', hostile)) {
          const described = await harness.connector
            .describeTable(hostile, neverAborted)
            .catch((error: unknown) => error);
          expect(
            described === undefined || described instanceof SyncError,
            `describeTable(${JSON.stringify(hostile)})`,
          ).toBe(true);
        }
      }
      expect(await harness.readAll(accounts)).toHaveLength(1);
      expect(await harness.readAll(x)).toHaveLength(1);
    });

    it('fails with CONNECTOR_NO_UNIQUE_KEY when the key column has no unique index, and upserts by a unique index that is not the primary key', async (test) => {
      requireCapabilities(test, context, 'target');
      const sql = requireSql(test, context);
      const harness = context.harness();
      const q = sql.quote.bind(sql);
      const record = (name: string): TargetRecord => ({
        key: 'A',
        op: 'upsert',
        values: { code: 'A', id: 1, name },
      });
      const noUnique = await prepareTable(test, context, 'cf_no_unique', STRICT_COLUMNS);
      const withoutIndex = targetSpec(noUnique, ['code', 'id', 'name'], { key: 'code' });

      await expectSyncError(
        () => harness.connector.writeBatch(withoutIndex, [record('first')], neverAborted),
        { code: 'CONNECTOR_NO_UNIQUE_KEY', retryable: false, mentions: ['code'] },
        'writeBatch keyed by a column without unique index',
      );
      expect(await harness.readAll(noUnique)).toEqual([]);

      const uniqueCode = await prepareTable(test, context, 'cf_unique_code', STRICT_COLUMNS);
      await sql.execute(
        `CREATE UNIQUE INDEX ${q('cf_unique_code_code')} ON ${q(uniqueCode.object)} (${q('code')})`,
      );
      const withIndex = targetSpec(uniqueCode, ['code', 'id', 'name'], { key: 'code' });
      await harness.connector.writeBatch(withIndex, [record('first')], neverAborted);
      await harness.connector.writeBatch(withIndex, [record('second')], neverAborted);
      expect(await harness.readAll(uniqueCode)).toEqual([{ id: 1, code: 'A', name: 'second' }]);
    });

    it('fails to read a missing table or column with a non-retryable SyncError naming it', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      // A portable record, so a business system runs the case too; the missing object's name is
      // the prepared one with a suffix, a name the system's rules accept (`cf_read_missing_gone`,
      // `account.tax.code_gone`) but no object holds.
      const object = await prepare(test, context, recordSpec('cf_read_missing', { cursor: true }));
      await harness.seed(object, [{ code: 'A', name: 'a' }]);
      const missing = `${object.object}_gone`;
      await expectSyncError(
        () => readAll(harness.connector, portableSource(object, { table: missing }), undefined),
        { code: 'CONNECTOR_TABLE_NOT_FOUND', retryable: false, mentions: [missing] },
        'readChanges of a missing table',
      );
      // Only a system that knows its objects' fields (`describe`) can tell a missing one: a
      // schemaless JSON API reads an absent property as null, which is its documented meaning.
      if (!harness.connector.capabilities.describe) return;
      const withMissingColumn = portableSource(object, {
        columns: [...Object.values(object.fields), 'no_such_column'],
      });
      await expectSyncError(
        () => readAll(harness.connector, withMissingColumn, undefined),
        { code: 'CONNECTOR_COLUMN_NOT_FOUND', retryable: false, mentions: ['no_such_column'] },
        'readChanges of a missing column',
      );
    });

    it('fails to write a missing table or column with a non-retryable SyncError naming it', async (test) => {
      requireCapabilities(test, context, 'target');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_write_missing', STRICT_COLUMNS);
      const record = upsert({ id: 1, code: 'A', name: 'a', no_such_column: 'x' });
      await expectSyncError(
        () =>
          harness.connector.writeBatch(
            targetSpec('cf_no_such_table', ['id', 'code']),
            [record],
            neverAborted,
          ),
        { code: 'CONNECTOR_TABLE_NOT_FOUND', retryable: false, mentions: ['cf_no_such_table'] },
        'writeBatch to a missing table',
      );
      await expectSyncError(
        () =>
          harness.connector.writeBatch(
            targetSpec(table, ['id', 'code', 'no_such_column']),
            [record],
            neverAborted,
          ),
        { code: 'CONNECTOR_COLUMN_NOT_FOUND', retryable: false, mentions: ['no_such_column'] },
        'writeBatch of a missing column',
      );
      expect(await harness.readAll(table)).toEqual([]);
    });
  });
}
