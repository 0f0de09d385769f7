import { describe, expect, it } from 'vitest';
import type { Change, ReadRange, SourceSpec } from './connector.js';
import type { KeysetPager, PageRequest } from './keyset-reader.js';
import { hasCursorBound, rangeBounds, readKeysetRange } from './range-reader.js';
import type { Row } from './values.js';

const source: SourceSpec = {
  flow: 'customers',
  table: 'accounts',
  key: 'id',
  cursor: 'version',
  deleted: 'is_deleted',
  columns: ['id', 'version', 'is_deleted'],
  batchSize: 2,
  lookback: 0,
};

/** A pager over rows in memory that answers pages as a database would and records each request. */
function memoryPager(rows: readonly Row[]): KeysetPager & { requests: PageRequest[] } {
  const requests: PageRequest[] = [];
  const num = (value: unknown): number => Number(value);
  const inBounds = (row: Row, bounds: ReadRange | undefined): boolean =>
    rangeBounds(bounds).every(({ column, operator, value }) => {
      const actual = num(row[column === 'key' ? 'id' : 'version']);
      return operator === '>=' ? actual >= num(value) : actual <= num(value);
    });
  return {
    requests,
    selectPage: (_source, page) => {
      requests.push(page);
      const { after, afterKey } = page;
      const matching = rows
        .filter((row) => inBounds(row, page.bounds))
        .filter((row) =>
          page.order === 'key'
            ? afterKey === undefined || num(row.id) > num(afterKey)
            : after === undefined ||
              num(row.version) > num(after.cursor) ||
              (num(row.version) === num(after.cursor) && num(row.id) > num(after.key)),
        )
        .sort((a, b) =>
          page.order === 'key'
            ? num(a.id) - num(b.id)
            : num(a.version) - num(b.version) || num(a.id) - num(b.id),
        );
      return Promise.resolve(matching.slice(0, page.limit));
    },
    maxCursor: () => Promise.resolve(null),
  };
}

async function collect(pager: KeysetPager, range: ReadRange): Promise<Change[][]> {
  const batches: Change[][] = [];
  for await (const batch of readKeysetRange(pager, source, range, new AbortController().signal))
    batches.push([...batch]);
  return batches;
}

const rows: Row[] = [
  { id: 1, version: 5, is_deleted: false },
  { id: 2, version: 3, is_deleted: true },
  { id: 3, version: 5, is_deleted: false },
  { id: 4, version: 5, is_deleted: false },
  { id: 5, version: 9, is_deleted: false },
];

describe('readKeysetRange', () => {
  it('reads a key range in key order, page after page, with the bounds on every page', async () => {
    const pager = memoryPager(rows);
    const batches = await collect(pager, { fromKey: 2, toKey: 4 });
    expect(batches.map((batch) => batch.map((change) => [change.key, change.op]))).toEqual([
      [
        ['2', 'delete'],
        ['3', 'upsert'],
      ],
      [['4', 'upsert']],
    ]);
    expect(pager.requests).toEqual([
      { order: 'key', bounds: { fromKey: 2, toKey: 4 }, limit: 2 },
      { order: 'key', afterKey: 3, bounds: { fromKey: 2, toKey: 4 }, limit: 2 },
    ]);
  });

  it('reads a cursor range in (cursor, key) order, resuming after the last (cursor, key) of a tie', async () => {
    const pager = memoryPager(rows);
    const batches = await collect(pager, { fromCursor: 5 });
    expect(batches.map((batch) => batch.map((change) => change.key))).toEqual([
      ['1', '3'],
      ['4', '5'],
    ]);
    expect(pager.requests.map((page) => [page.order, page.after])).toEqual([
      ['cursor', undefined],
      ['cursor', { cursor: 5, key: 3 }],
      ['cursor', { cursor: 9, key: 5 }],
    ]);
  });

  it('yields no batch at all for an empty range', async () => {
    const pager = memoryPager(rows);
    expect(await collect(pager, { fromKey: 4, toKey: 2 })).toEqual([]);
    expect(pager.requests).toHaveLength(1);
  });
});

describe('range bounds', () => {
  it('lists the bounds a range holds, inclusive, and tells a cursor range from a key range', () => {
    expect(rangeBounds({ toKey: 'k', fromCursor: 0 })).toEqual([
      { column: 'key', operator: '<=', value: 'k' },
      { column: 'cursor', operator: '>=', value: 0 },
    ]);
    expect(rangeBounds(undefined)).toEqual([]);
    expect(hasCursorBound({ fromKey: 1, toKey: 2 })).toBe(false);
    expect(hasCursorBound({ toCursor: '2026-01-01T00:00:00Z' })).toBe(true);
  });
});
