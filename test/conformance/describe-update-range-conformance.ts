import { describe, expect, it } from 'vitest';
import type { TargetRecord, WriteResult } from '../../src/core/connector.js';
import { SyncError } from '../../src/core/errors.js';
import type { Row } from '../../src/core/values.js';
import { expectCanonicalRow, normalizeDecimal } from './canonical-assertions.js';
import { ALL_TYPES, ALL_TYPES_COLUMNS, SAMPLE_ROWS } from './canonical-samples.js';
import {
  neverAborted,
  prepareTable,
  requireCapabilities,
  type ConformanceContext,
} from './conformance-context.js';
import { range, remove, targetSpec, upsert } from './conformance-specs.js';
import type { PortableColumn } from './connector-harness.js';
import { describeRangeConformance } from './range-conformance-cases.js';

const ACCOUNT_COLUMNS: readonly PortableColumn[] = [
  { name: 'id', type: 'bigint', nullable: false },
  { name: 'code', type: 'varchar255', nullable: false },
  { name: 'name', type: 'text' },
  { name: 'amount', type: 'decimal18_4' },
  { name: 'extra', type: 'text' },
];
const ACCOUNT_NAMES = ACCOUNT_COLUMNS.map((column) => column.name);

/** An update record keyed by `values.id`: sets the other columns it holds, never inserts. */
function update(values: Row & { readonly id: number }): TargetRecord {
  return { key: String(values.id), op: 'update', values };
}

/** An account row as the harness inserts it. */
function account(id: number, name: string | null = `name ${id}`): Row {
  return { id, code: `C-${id}`, name, amount: `${id}.5000`, extra: `extra ${id}` };
}

function withDecimals(rows: readonly Row[]): Row[] {
  return rows.map((row) =>
    typeof row.amount === 'string' ? { ...row, amount: normalizeDecimal(row.amount) } : row,
  );
}

/** `notFound` sorted numerically (its order is not part of the contract), empty when absent. */
function notFoundOf(result: WriteResult): string[] {
  return [...(result.notFound ?? [])].sort((a, b) => Number(a) - Number(b));
}

/**
 * Records with `op: 'update'` (with `capabilities.updates`) and `readRange` (where the connector
 * has it): only the given columns change, a missing row is reported and never inserted, a batch
 * stays all or nothing, values round-trip, and ranges are inclusive and paged without gaps.
 */
export function describeUpdateRangeConformance(context: ConformanceContext): void {
  describe('writeBatch updates', () => {
    it('sets only the columns an update holds, never inserts, and reports the keys of missing rows', async (test) => {
      requireCapabilities(test, context, 'target', 'updates');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_update', ACCOUNT_COLUMNS);
      await harness.seed(
        table,
        [1, 2, 3].map((id) => account(id)),
      );
      const target = targetSpec(table, ACCOUNT_NAMES);
      const batch = [
        update({ id: 1, name: 'renamed 1' }),
        update({ id: 404, name: 'ghost' }),
        update({ id: 2, amount: '-7.2500', extra: null }),
        update({ id: 405, code: 'X', name: 'ghost' }),
      ];

      const result = await harness.connector.writeBatch(target, batch, neverAborted);

      expect(result.written).toBe(2);
      expect(notFoundOf(result)).toEqual(['404', '405']);
      const expected = [
        { ...account(1, 'renamed 1'), amount: '1.5' },
        { ...account(2), amount: '-7.25', extra: null },
        { ...account(3), amount: '3.5' },
      ];
      expect(withDecimals(await harness.readAll(table))).toEqual(expected);
      const again = await harness.connector.writeBatch(target, batch, neverAborted);
      expect(notFoundOf(again)).toEqual(['404', '405']);
      expect(withDecimals(await harness.readAll(table))).toEqual(expected);
    });

    it('applies updates in a batch that mixes them with upserts and deletes, as in sequence', async (test) => {
      requireCapabilities(test, context, 'target', 'updates');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_update_mixed', ACCOUNT_COLUMNS);
      await harness.seed(
        table,
        [1, 2, 3].map((id) => account(id)),
      );
      const batch = [
        upsert({ id: 4, code: 'C-4', name: 'four', amount: '4.0000' }),
        update({ id: 4, name: 'four, updated' }),
        remove(3),
        update({ id: 3, name: 'deleted before' }),
        update({ id: 1, code: 'C-1b' }),
        upsert({ id: 2, code: 'C-2b', name: 'two' }),
      ];

      const result = await harness.connector.writeBatch(
        targetSpec(table, ACCOUNT_NAMES),
        batch,
        neverAborted,
      );

      expect(notFoundOf(result)).toEqual(['3']);
      expect(withDecimals(await harness.readAll(table))).toEqual([
        { ...account(1), code: 'C-1b', amount: '1.5' },
        { ...account(2, 'two'), code: 'C-2b', amount: '2.5' },
        { id: 4, code: 'C-4', name: 'four, updated', amount: '4', extra: null },
      ]);
    });

    it('writes nothing of a mixed batch whose update breaks a NOT NULL constraint, and fails non-retryably', async (test) => {
      requireCapabilities(test, context, 'target', 'updates', 'transactions');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_update_tx', ACCOUNT_COLUMNS);
      const before = [1, 2, 3, 4].map((id) => account(id));
      await harness.seed(table, before);
      const batch = [
        upsert({ id: 5, code: 'C-5', name: 'five', amount: '5.0000' }),
        update({ id: 4, name: 'changed' }),
        remove(3),
        update({ id: 1, code: 'C-1b' }),
        update({ id: 2, code: null }),
      ];

      const failure = await harness.connector
        .writeBatch(targetSpec(table, ACCOUNT_NAMES), batch, neverAborted)
        .then(
          () => undefined,
          (error: unknown) => error,
        );

      expect(failure, 'a SyncError').toBeInstanceOf(SyncError);
      const error = failure as SyncError;
      expect(error.retryable, error.message).toBe(false);
      expect(error.message).toContain(table.object);
      if (error.key !== undefined) expect(error.key, 'the record a failure names').toBe('2');
      expect(withDecimals(await harness.readAll(table))).toEqual(withDecimals(before));
    });

    it('round-trips updated values exactly: quotes, Chinese and emoji text, decimal extremes, timestamps, JSON', async (test) => {
      requireCapabilities(test, context, 'target', 'updates');
      const harness = context.harness();
      const columns = ALL_TYPES_COLUMNS.filter((column) => column.name !== 'version');
      const table = await prepareTable(test, context, 'cf_update_types', columns);
      const target = targetSpec(
        table,
        columns.map((column) => column.name),
      );
      const ids = SAMPLE_ROWS.map((row) => row.id);
      await harness.connector.writeBatch(
        target,
        ids.map((id) => upsert({ id, code: 'before', name: 'before', amount: '1.0000', qty: 1 })),
        neverAborted,
      );
      const records = SAMPLE_ROWS.map(({ version: _version, ...values }) => update(values));

      const result = await harness.connector.writeBatch(target, records, neverAborted);

      expect(result).toEqual({ written: SAMPLE_ROWS.length });
      const rows = await harness.readAll(table);
      expect(rows).toHaveLength(SAMPLE_ROWS.length);
      for (const record of records) {
        const row = rows.find((candidate) => candidate.id === record.values.id);
        expectCanonicalRow(row, record.values, ALL_TYPES, `cf_update_types row ${record.key}`);
      }
    });

    it('updates 2,500 existing rows and reports 500 missing ones in one batch', async (test) => {
      requireCapabilities(test, context, 'target', 'updates');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_update_large', ACCOUNT_COLUMNS);
      const target = targetSpec(table, ACCOUNT_NAMES);
      await harness.connector.writeBatch(
        target,
        range(2_500).map((id) => upsert({ id, code: `C-${id}`, name: `name ${id}` })),
        neverAborted,
      );
      const records = range(3_000).map((id) => update({ id, name: `updated ${id}`, amount: `${id}.0001` }));

      const result = await harness.connector.writeBatch(target, records, neverAborted);

      expect(result.written).toBe(2_500);
      expect(notFoundOf(result)).toEqual(range(500, 2_501).map(String));
      const rows = withDecimals(await harness.readAll(table));
      expect(rows).toHaveLength(2_500);
      expect([rows[0], rows[2_499]]).toEqual([
        { id: 1, code: 'C-1', name: 'updated 1', amount: '1.0001', extra: null },
        { id: 2_500, code: 'C-2500', name: 'updated 2500', amount: '2500.0001', extra: null },
      ]);
    });
  });

  describeRangeConformance(context);
}
