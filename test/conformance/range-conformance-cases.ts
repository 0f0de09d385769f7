import { describe, expect, it, type TestContext } from 'vitest';
import type { Change, Connector, ReadRange, SourceSpec } from '../../src/core/connector.js';
import type { Row } from '../../src/core/values.js';
import {
  neverAborted,
  prepareTable,
  requireCapabilities,
  type ConformanceContext,
} from './conformance-context.js';
import { createVersionedTable, range, sourceSpec } from './conformance-specs.js';

/** What one `readRange` call yielded. */
interface RangeRead {
  readonly keys: string[];
  readonly batchSizes: number[];
  readonly changes: Change[];
}

/** Skips the running case unless the connector has the optional `readRange`. */
function requireReadRange(test: TestContext, context: ConformanceContext): void {
  requireCapabilities(test, context, 'source');
  test.skip(context.harness().connector.readRange === undefined, 'the connector has no readRange');
}

async function readRange(connector: Connector, source: SourceSpec, bounds: ReadRange): Promise<RangeRead> {
  const read = connector.readRange?.bind(connector);
  if (read === undefined) throw new Error('readRange is absent');
  const changes: Change[] = [];
  const batchSizes: number[] = [];
  for await (const batch of read(source, bounds, neverAborted)) {
    expect(batch.length, `a batch holds at most batchSize (${source.batchSize})`).toBeLessThanOrEqual(
      source.batchSize,
    );
    changes.push(...batch);
    batchSizes.push(batch.length);
  }
  return { keys: changes.map((change) => change.key), batchSizes, changes };
}

/** Ids in (cursor, id) order, as a cursor-bounded range must return them. */
function inCursorOrder(ids: readonly number[], version: (id: number) => number): string[] {
  return [...ids].sort((a, b) => version(a) - version(b) || a - b).map(String);
}

/** readRange: inclusive key and cursor bounds, key or (cursor, key) order, ties paged, empty ranges. */
export function describeRangeConformance(context: ConformanceContext): void {
  describe('readRange', () => {
    const version = (id: number): number => (id % 7) + 1;

    it('honours each key bound inclusively, in key order, in batches of batchSize', async (test) => {
      requireReadRange(test, context);
      const harness = context.harness();
      const table = await createVersionedTable(test, context, 'cf_range_keys', 100, version);
      const source = sourceSpec(table, { batchSize: 7 });

      const between = await readRange(harness.connector, source, { fromKey: 20, toKey: 35 });
      expect(between.keys).toEqual(range(16, 20).map(String));
      expect(between.batchSizes).toEqual([7, 7, 2]);
      expect((await readRange(harness.connector, source, { fromKey: 95 })).keys).toEqual(
        range(6, 95).map(String),
      );
      expect((await readRange(harness.connector, source, { toKey: 3 })).keys).toEqual(['1', '2', '3']);
      expect((await readRange(harness.connector, source, { fromKey: 42, toKey: 42 })).keys).toEqual(['42']);
      for (const change of between.changes) {
        expect(change.op).toBe('upsert');
        expect(change.row).toEqual({ id: Number(change.key), ...rowOf(Number(change.key)) });
      }
    });

    it('honours each cursor bound inclusively, in (cursor, key) order, alone or with key bounds', async (test) => {
      requireReadRange(test, context);
      const harness = context.harness();
      const table = await createVersionedTable(test, context, 'cf_range_cursor', 100, version);
      const source = sourceSpec(table, { batchSize: 6 });
      const ids = range(100);
      const expectRange = async (bounds: ReadRange, keep: (id: number) => boolean): Promise<void> => {
        const read = await readRange(harness.connector, source, bounds);
        expect(read.keys, JSON.stringify(bounds)).toEqual(inCursorOrder(ids.filter(keep), version));
      };

      await expectRange({ fromCursor: 3, toCursor: 4 }, (id) => version(id) >= 3 && version(id) <= 4);
      await expectRange({ fromCursor: 7 }, (id) => version(id) === 7);
      await expectRange({ toCursor: 1 }, (id) => version(id) === 1);
      await expectRange(
        { fromKey: 25, toKey: 60, fromCursor: 2, toCursor: 5 },
        (id) => id >= 25 && id <= 60 && version(id) >= 2 && version(id) <= 5,
      );
    });

    it('pages across 250 rows sharing one cursor value with a batch smaller than the tie, each row once', async (test) => {
      requireReadRange(test, context);
      const harness = context.harness();
      const tied = (id: number): number => (id <= 10 ? 1 : id <= 260 ? 2 : 3);
      const table = await createVersionedTable(test, context, 'cf_range_tie', 270, tied);
      const source = sourceSpec(table, { batchSize: 40 });

      const tie = await readRange(harness.connector, source, { fromCursor: 2, toCursor: 2 });
      expect(tie.keys).toEqual(range(250, 11).map(String));
      expect(tie.batchSizes).toEqual([40, 40, 40, 40, 40, 40, 10]);
      const around = await readRange(harness.connector, source, { fromCursor: 1, toCursor: 3 });
      expect(around.keys).toEqual(range(270).map(String));
      const keyed = await readRange(harness.connector, source, { fromKey: 100, fromCursor: 2, toCursor: 2 });
      expect(keyed.keys).toEqual(range(161, 100).map(String));
    });

    it('yields nothing for an empty range', async (test) => {
      requireReadRange(test, context);
      const harness = context.harness();
      const table = await createVersionedTable(test, context, 'cf_range_empty', 30, version);
      const source = sourceSpec(table, { batchSize: 10 });

      for (const bounds of [
        { fromKey: 20, toKey: 10 },
        { fromKey: 31 },
        { fromCursor: 8 },
        { fromCursor: 5, toCursor: 4 },
        { fromKey: 1, toKey: 5, fromCursor: 7, toCursor: 7 },
      ] satisfies ReadRange[]) {
        const read = await readRange(harness.connector, source, bounds);
        expect(read.batchSizes, JSON.stringify(bounds)).toEqual([]);
      }
    });

    it('compares timestamp cursor bounds as times and reports soft-deleted rows as deletes', async (test) => {
      requireReadRange(test, context);
      const harness = context.harness();
      const table = await prepareTable(test, context, 'cf_range_times', [
        { name: 'id', type: 'bigint', nullable: false },
        { name: 'changed_at', type: 'timestamptz', nullable: false },
        { name: 'is_deleted', type: 'boolean' },
      ]);
      const at = (minute: number): string => `2026-03-01T10:${String(minute).padStart(2, '0')}:00+00:00`;
      await harness.seed(
        table,
        range(12).map((id) => ({ id, changed_at: at(id * 5 - 5), is_deleted: id === 4 })),
      );
      const source = sourceSpec(table, {
        cursor: 'changed_at',
        deleted: 'is_deleted',
        columns: ['id', 'changed_at', 'is_deleted'],
        batchSize: 2,
      });

      const read = await readRange(harness.connector, source, { fromCursor: at(10), toCursor: at(30) });

      expect(read.keys).toEqual(['3', '4', '5', '6', '7']);
      expect(read.changes.map((change) => change.op)).toEqual([
        'upsert',
        'delete',
        'upsert',
        'upsert',
        'upsert',
      ]);
    });
  });
}

/** The columns besides `id` of a versioned row, as createVersionedTable inserts them. */
function rowOf(id: number): Row {
  return { version: (id % 7) + 1, name: `row ${id}`, is_deleted: false };
}
