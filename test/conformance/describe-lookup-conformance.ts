import { describe, expect, it } from 'vitest';
import { expectCanonicalRow } from './canonical-assertions.js';
import { ALL_TYPE_NAMES, ALL_TYPES, ALL_TYPES_COLUMNS, SAMPLE_ROWS } from './canonical-samples.js';
import {
  neverAborted,
  prepareTable,
  requireCapabilities,
  type ConformanceContext,
} from './conformance-context.js';
import { readOneBatch, readUntilQuiet } from './conformance-reads.js';
import { createVersionedTable, sourceSpec, updateVersion } from './conformance-specs.js';

/** readByKeys, countPending, and the canonical form of source values. */
export function describeLookupConformance(context: ConformanceContext): void {
  describe('readByKeys, countPending and canonical source values', () => {
    it('readByKeys returns the existing rows and omits missing keys', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const table = await createVersionedTable(test, context, 'cf_by_keys', 5);
      const source = sourceSpec(table);

      const changes = await harness.connector.readByKeys(source, ['3', '1', '999'], neverAborted);

      const sorted = [...changes].sort((a, b) => Number(a.key) - Number(b.key));
      expect(sorted.map((change) => [change.key, change.op, change.row.id, change.row.name])).toEqual([
        ['1', 'upsert', 1, 'row 1'],
        ['3', 'upsert', 3, 'row 3'],
      ]);
      await expect(harness.connector.readByKeys(source, [], neverAborted)).resolves.toEqual([]);
    });

    it('countPending counts the rows after a checkpoint, up to the limit', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const table = await createVersionedTable(test, context, 'cf_pending', 30);
      const source = sourceSpec(table, { batchSize: 10 });
      const count = (
        since: Parameters<typeof harness.connector.countPending>[1],
        limit: number,
      ): Promise<number> => harness.connector.countPending(source, since, limit, neverAborted);

      expect(await count(undefined, 1_000)).toBe(30);
      expect(await count(undefined, 10)).toBe(10);
      const first = await readOneBatch(harness.connector, source, undefined);
      expect(await count(first?.checkpoint, 1_000)).toBe(20);

      const { checkpoint } = await readUntilQuiet(harness.connector, source, undefined);
      expect(await count(checkpoint, 1_000)).toBe(0);
      for (const id of [4, 17, 25]) await updateVersion(harness, table, id, 100 + id, `updated ${id}`);
      expect(await count(checkpoint, 1_000)).toBe(3);
      expect(await count(checkpoint, 2)).toBe(2);
    });

    it('returns source values in canonical form through readChanges and readByKeys', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_canonical_source', ALL_TYPES_COLUMNS);
      await harness.seed(table, SAMPLE_ROWS);
      const source = sourceSpec(table, { columns: ALL_TYPE_NAMES });

      const read = await readUntilQuiet(harness.connector, source, undefined);
      const byKeys = await harness.connector.readByKeys(source, ['1', '2', '3', '4'], neverAborted);
      for (const expected of SAMPLE_ROWS) {
        const key = String(expected.id);
        expectCanonicalRow(
          read.changes.find((change) => change.key === key)?.row,
          expected,
          ALL_TYPES,
          `readChanges row ${key}`,
        );
        expectCanonicalRow(
          byKeys.find((change) => change.key === key)?.row,
          expected,
          ALL_TYPES,
          `readByKeys row ${key}`,
        );
      }
    });
  });
}
