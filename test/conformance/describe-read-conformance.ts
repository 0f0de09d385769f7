import { describe, expect, it } from 'vitest';
import {
  prepareTable,
  requireCapabilities,
  requireSql,
  type ConformanceContext,
} from './conformance-context.js';
import {
  distinctKeys,
  duplicateKeys,
  keysOf,
  keyTexts,
  readAll,
  readUntilQuiet,
  resumeAfterEachBatch,
} from './conformance-reads.js';
import {
  createVersionedTable,
  insertVersionedRows,
  range,
  sourceSpec,
  updateVersion,
} from './conformance-specs.js';

/** readChanges: the initial key-order phase, checkpoints, shared cursor values, lookback, updates. */
export function describeReadConformance(context: ConformanceContext): void {
  describe('readChanges', () => {
    it('returns every row exactly once in key order from no checkpoint, re-reading only rows at the high-water cursor', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const count = 2_345;
      const version = (id: number): number => (id % 97) + 1;
      const table = await createVersionedTable(test, context, 'cf_initial', count, version);
      const source = sourceSpec(table);

      const { changes } = await readAll(harness.connector, source, undefined);

      expect(keysOf(changes.slice(0, count))).toEqual(keyTexts(range(count)));
      const reread = changes.slice(count);
      expect(duplicateKeys(reread)).toEqual([]);
      for (const change of reread) expect(change.row.version, `re-read row ${change.key}`).toBe(97);
      for (const change of changes) {
        expect(change.op).toBe('upsert');
        expect(Object.keys(change.row).sort()).toEqual([...source.columns].sort());
        expect(change.row.id).toBe(Number(change.key));
        expect(change.row.version).toBe(version(Number(change.key)));
      }
    });

    it('ends with a checkpoint after which a read returns nothing with lookback 0 and exactly the lookback window otherwise', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const table = await createVersionedTable(test, context, 'cf_window', 300, (id) => id);
      const first = await readAll(harness.connector, sourceSpec(table, { batchSize: 100 }), undefined);
      expect(distinctKeys(first.changes)).toEqual(keyTexts(range(300)));

      const again = await readAll(harness.connector, sourceSpec(table, { batchSize: 100 }), first.checkpoint);
      expect(again.changes).toEqual([]);
      const windowed = await readAll(
        harness.connector,
        sourceSpec(table, { batchSize: 100, lookback: 5 }),
        first.checkpoint,
      );
      expect(distinctKeys(windowed.changes)).toEqual(keyTexts(range(6, 295)));
    });

    it('delivers 2,500 rows sharing one cursor value on a first read, also when resumed from each checkpoint', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const table = await createVersionedTable(test, context, 'cf_shared_initial', 2_500, () => 7);
      const source = sourceSpec(table, { batchSize: 1_000 });

      const whole = await readAll(harness.connector, source, undefined);
      expect(distinctKeys(whole.changes)).toEqual(keyTexts(range(2_500)));

      const resumed = await resumeAfterEachBatch(harness.connector, source, undefined);
      expect(distinctKeys(resumed.changes)).toEqual(keyTexts(range(2_500)));
      for (const size of resumed.batchSizes) expect(size).toBeLessThanOrEqual(1_000);
    });

    it('delivers 2,500 rows sharing one cursor value after the checkpoint exactly once, also when resumed after each batch', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const table = await createVersionedTable(test, context, 'cf_shared_later', 1, () => 1);
      const source = sourceSpec(table, { batchSize: 1_000 });
      const { checkpoint } = await readUntilQuiet(harness.connector, source, undefined);
      await insertVersionedRows(harness, table, 2, 2_501, () => 5);

      const whole = await readAll(harness.connector, source, checkpoint);
      expect(keysOf(whole.changes)).toEqual(keyTexts(range(2_500, 2)));
      expect(whole.batchSizes).toEqual([1_000, 1_000, 500]);

      const resumed = await resumeAfterEachBatch(harness.connector, source, checkpoint);
      expect(keysOf(resumed.changes)).toEqual(keyTexts(range(2_500, 2)));
    });

    it('returns updates made after the checkpoint in (cursor, key) order, in batches of at most batchSize', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const table = await createVersionedTable(test, context, 'cf_updates', 50, (id) => id);
      const source = sourceSpec(table, { batchSize: 2 });
      const { checkpoint } = await readUntilQuiet(harness.connector, source, undefined);
      const updates: [id: number, version: number][] = [
        [7, 100],
        [3, 100],
        [42, 101],
        [15, 102],
        [28, 101],
      ];
      for (const [id, version] of updates) await updateVersion(harness, table, id, version, `updated ${id}`);

      const { changes, batchSizes } = await readAll(harness.connector, source, checkpoint);

      expect(changes.map((change) => [change.row.version, change.key])).toEqual([
        [100, '3'],
        [100, '7'],
        [101, '28'],
        [101, '42'],
        [102, '15'],
      ]);
      expect(batchSizes).toEqual([2, 2, 1]);
      for (const change of changes) expect(change.row.name).toBe(`updated ${change.key}`);
    });

    it('reads a zoned timestamp cursor in order, with the lookback measured in milliseconds', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_ts_cursor', [
        { name: 'id', type: 'bigint', nullable: false },
        { name: 'updated_at', type: 'timestamptz', nullable: false },
        { name: 'name', type: 'text' },
      ]);
      await harness.seed(
        table,
        range(20).map((id) => ({
          id,
          updated_at: `2026-01-01T00:00:${String(id).padStart(2, '0')}.000000Z`,
          name: `row ${id}`,
        })),
      );
      const source = sourceSpec(table, {
        cursor: 'updated_at',
        columns: ['id', 'updated_at', 'name'],
        batchSize: 3,
      });
      const { checkpoint } = await readUntilQuiet(harness.connector, source, undefined);
      // Replace the row rather than update it: seed takes canonical timestamps in every dialect.
      const touch = async (id: number, at: string): Promise<void> => {
        await harness.remove(table, [id]);
        await harness.seed(table, [{ id, updated_at: at, name: `row ${id}` }]);
      };
      await touch(5, '2026-01-01T01:00:00.000000Z');
      await touch(2, '2026-01-01T01:00:00.000000Z');
      await touch(9, '2026-01-01T01:00:01.500000Z');
      await touch(3, '2026-01-01T01:00:05.000000Z');

      const updated = await readAll(harness.connector, source, checkpoint);
      expect(keysOf(updated.changes)).toEqual(['2', '5', '9', '3']);

      const read = async (lookback: number): Promise<string[]> =>
        keysOf((await readAll(harness.connector, { ...source, lookback }, updated.checkpoint)).changes);
      expect(await read(0)).toEqual([]);
      expect(await read(2_000)).toEqual(['3']);
      expect(await read(4_000)).toEqual(['9', '3']);
    });

    it('delivers a row committed late with an older cursor value on a later read when the lookback covers it', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const sql = requireSql(test, context);
      const openLateTransaction = sql.openLateTransaction?.bind(sql);
      test.skip(
        openLateTransaction === undefined,
        'the harness has no concurrent writer (sql.openLateTransaction)',
      );
      const q = sql.quote.bind(sql);
      const p = sql.placeholder.bind(sql);
      const table = await createVersionedTable(test, context, 'cf_late', 10, (id) => id);
      const source = sourceSpec(table);
      const { checkpoint } = await readUntilQuiet(harness.connector, source, undefined);

      const commit = await openLateTransaction!(
        `UPDATE ${q(table.object)} SET ${q('version')} = ${p(1)}, ${q('name')} = ${p(2)} WHERE ${q('id')} = ${p(3)}`,
        [11, 'committed late', 3],
      );
      let isCommitted = false;
      try {
        await insertVersionedRows(harness, table, 11, 11, () => 12);
        const passed = await readAll(harness.connector, source, checkpoint);
        expect(keysOf(passed.changes)).toEqual(['11']);
        await commit();
        isCommitted = true;

        const later = await readAll(harness.connector, { ...source, lookback: 5 }, passed.checkpoint);
        const late = later.changes.find((change) => change.key === '3');
        expect(late?.row).toMatchObject({ version: 11, name: 'committed late' });
      } finally {
        if (!isCommitted) await commit();
      }
    });

    it('returns soft-deleted rows (deleted column true) as deletes', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const table = await createVersionedTable(test, context, 'cf_soft', 0);
      await harness.seed(
        table,
        range(5).map((id) => ({ id, version: id, name: `row ${id}`, is_deleted: id === 2 || id === 4 })),
      );
      const source = sourceSpec(table, { deleted: 'is_deleted' });

      const first = await readUntilQuiet(harness.connector, source, undefined);
      const ops = new Map(first.changes.map((change) => [change.key, change.op]));
      expect(Object.fromEntries(ops)).toEqual({
        '1': 'upsert',
        '2': 'delete',
        '3': 'upsert',
        '4': 'delete',
        '5': 'upsert',
      });
      for (const change of first.changes) expect(change.row.is_deleted).toBe(change.op === 'delete');

      await harness.update(table, 5, { is_deleted: true, version: 10 });
      const later = await readAll(harness.connector, source, first.checkpoint);
      expect(later.changes.map((change) => [change.key, change.op])).toEqual([['5', 'delete']]);
    });
  });
}
