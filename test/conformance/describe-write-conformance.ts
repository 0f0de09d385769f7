import { describe, expect, it } from 'vitest';
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

const ACCOUNT_COLUMNS: readonly PortableColumn[] = [
  { name: 'id', type: 'bigint', nullable: false },
  { name: 'code', type: 'varchar255', nullable: false },
  { name: 'name', type: 'text' },
  { name: 'amount', type: 'decimal18_4' },
  { name: 'extra', type: 'text' },
];
const WRITTEN = ['id', 'code', 'name', 'amount'];

function withDecimals(rows: readonly Row[]): Row[] {
  return rows.map((row) =>
    typeof row.amount === 'string' ? { ...row, amount: normalizeDecimal(row.amount) } : row,
  );
}

/** writeBatch: idempotent upserts, deletes, untouched columns, exact round trips, large batches. */
export function describeWriteConformance(context: ConformanceContext): void {
  describe('writeBatch', () => {
    it('inserts, then updates by key, and writing the same batch twice leaves the same table', async (test) => {
      requireCapabilities(test, context, 'target');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_upsert', ACCOUNT_COLUMNS);
      const target = targetSpec(table, WRITTEN);
      const read = async (): Promise<Row[]> => withDecimals(await harness.readAll(table));
      const inserts = [1, 2, 3].map((id) =>
        upsert({ id, code: `C-${id}`, name: `name ${id}`, amount: `${id}.5000` }),
      );

      expect(await harness.connector.writeBatch(target, inserts, neverAborted)).toEqual({ written: 3 });
      const afterInsert = await read();
      expect(afterInsert).toEqual(
        [1, 2, 3].map((id) => ({ id, code: `C-${id}`, name: `name ${id}`, amount: `${id}.5`, extra: null })),
      );
      await harness.connector.writeBatch(target, inserts, neverAborted);
      expect(await read()).toEqual(afterInsert);

      const updates = [
        upsert({ id: 2, code: 'C-2', name: 'renamed 2', amount: '2.5000' }),
        upsert({ id: 3, code: 'C-3', name: 'name 3', amount: '-3.2500' }),
      ];
      await harness.connector.writeBatch(target, updates, neverAborted);
      const afterUpdate = await read();
      expect(afterUpdate).toEqual([
        { id: 1, code: 'C-1', name: 'name 1', amount: '1.5', extra: null },
        { id: 2, code: 'C-2', name: 'renamed 2', amount: '2.5', extra: null },
        { id: 3, code: 'C-3', name: 'name 3', amount: '-3.25', extra: null },
      ]);
      await harness.connector.writeBatch(target, updates, neverAborted);
      expect(await read()).toEqual(afterUpdate);
    });

    it('touches only the target columns it is given', async (test) => {
      requireCapabilities(test, context, 'target');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_untouched', ACCOUNT_COLUMNS);
      await harness.seed(table, [{ id: 1, code: 'OLD', name: 'old', amount: '1.0000', extra: 'keep me' }]);

      await harness.connector.writeBatch(
        targetSpec(table, ['id', 'code', 'name']),
        [upsert({ id: 1, code: 'NEW', name: 'new' }), upsert({ id: 2, code: 'TWO', name: 'two' })],
        neverAborted,
      );

      expect(withDecimals(await harness.readAll(table))).toEqual([
        { id: 1, code: 'NEW', name: 'new', amount: '1', extra: 'keep me' },
        { id: 2, code: 'TWO', name: 'two', amount: null, extra: null },
      ]);
    });

    it('removes rows of records with op delete, and deleting a missing key is no error', async (test) => {
      requireCapabilities(test, context, 'target');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_delete', ACCOUNT_COLUMNS);
      await harness.seed(
        table,
        [1, 2, 3].map((id) => ({ id, code: `C-${id}`, name: null, amount: null, extra: null })),
      );
      const target = targetSpec(table, WRITTEN);
      const batch = [remove(2), remove(999), upsert({ id: 4, code: 'C-4', name: 'four', amount: '4.0000' })];

      await harness.connector.writeBatch(target, batch, neverAborted);
      await harness.connector.writeBatch(target, batch, neverAborted);

      expect((await harness.readAll(table)).map((row) => row.id)).toEqual([1, 3, 4]);
    });

    it('accepts an empty batch and writes nothing', async (test) => {
      requireCapabilities(test, context, 'target');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_empty', ACCOUNT_COLUMNS);
      await expect(
        harness.connector.writeBatch(targetSpec(table, WRITTEN), [], neverAborted),
      ).resolves.toEqual({
        written: 0,
      });
      expect(await harness.readAll(table)).toEqual([]);
    });

    it('round-trips values exactly: decimal extremes, NULL, Chinese, emoji and SQL-like text, timestamps, dates, booleans, JSON', async (test) => {
      requireCapabilities(test, context, 'target');
      const harness = context.harness();
      const columns = ALL_TYPES_COLUMNS.filter((column) => column.name !== 'version');
      const table = await prepareTable(test, context, 'customers', columns);
      const target = targetSpec(
        table,
        columns.map((column) => column.name),
      );
      const records = SAMPLE_ROWS.map(({ version: _version, ...values }) => upsert(values));

      await harness.connector.writeBatch(target, records, neverAborted);
      await harness.connector.writeBatch(target, records, neverAborted);

      const rows = await harness.readAll(table);
      expect(rows).toHaveLength(SAMPLE_ROWS.length);
      for (const record of records) {
        const row = rows.find((candidate) => candidate.id === record.values.id);
        expectCanonicalRow(row, record.values, ALL_TYPES, `customers row ${record.key}`);
      }
    });

    it('writes a batch larger than one statement can bind (17,000 records of 4 columns) whole', async (test) => {
      requireCapabilities(test, context, 'target');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_large', ACCOUNT_COLUMNS);
      const records = range(17_000).map((id) =>
        upsert({ id, code: `C-${id}`, name: `name ${id}`, amount: `${id}.0001` }),
      );

      const result = await harness.connector.writeBatch(targetSpec(table, WRITTEN), records, neverAborted);

      expect(result.written).toBe(17_000);
      const rows = await harness.readAll(table);
      expect(rows).toHaveLength(17_000);
      expect(withDecimals([rows[0]!, rows[16_999]!])).toEqual([
        { id: 1, code: 'C-1', name: 'name 1', amount: '1.0001', extra: null },
        { id: 17_000, code: 'C-17000', name: 'name 17000', amount: '17000.0001', extra: null },
      ]);
    });
  });
}
