import { cursorColumn } from './source-cursor.js';
import type { Change, ReadRange, SourceSpec } from './connector.js';
import { pagedChanges, toScalar, type KeysetPager, type PageRequest } from './keyset-reader.js';
import type { ScalarValue } from './values.js';

/** One inclusive bound of a page, as a connector writes it into its WHERE clause: `column operator value`. */
export interface RangeBound {
  /** Which column the bound limits: the source key or the source cursor. */
  readonly column: 'key' | 'cursor';
  /** `>=` for a `from…` bound, `<=` for a `to…` bound. */
  readonly operator: '>=' | '<=';
  /** The bound, bound as a parameter the way the connector binds key and cursor values. */
  readonly value: ScalarValue;
}

/** The bounds a range holds, in a fixed order (fromKey, toKey, fromCursor, toCursor); absent ones are left out. */
export function rangeBounds(range: ReadRange | undefined): RangeBound[] {
  if (range === undefined) return [];
  const bounds: [RangeBound['column'], RangeBound['operator'], ScalarValue | undefined][] = [
    ['key', '>=', range.fromKey],
    ['key', '<=', range.toKey],
    ['cursor', '>=', range.fromCursor],
    ['cursor', '<=', range.toCursor],
  ];
  return bounds.flatMap(([column, operator, value]) =>
    value === undefined ? [] : [{ column, operator, value }],
  );
}

/** Whether a range bounds the cursor, so it is read in (cursor, key) order rather than key order. */
export function hasCursorBound(range: ReadRange): boolean {
  return range.fromCursor !== undefined || range.toCursor !== undefined;
}

/**
 * Reads the rows of a range through a connector's pager (`Connector.readRange`): in key order when
 * the range bounds only the key, else in (cursor, key) order, so rows sharing one cursor value are
 * paged by key and none is skipped or repeated. Pages are read one at a time, so memory stays
 * bounded by `source.batchSize` whatever the range; an empty range yields nothing.
 */
export async function* readKeysetRange(
  pager: KeysetPager,
  source: SourceSpec,
  range: ReadRange,
  signal: AbortSignal,
): AsyncGenerator<readonly Change[]> {
  const limit = source.batchSize;
  const isCursorOrder = hasCursorBound(range);
  let page: PageRequest = { order: isCursorOrder ? 'cursor' : 'key', bounds: range, limit };
  for (;;) {
    signal.throwIfAborted();
    const rows = await pager.selectPage(source, page, signal);
    const last = rows.at(-1);
    if (last === undefined) return;
    const key = toScalar(source, source.key, last[source.key]);
    page = isCursorOrder
      ? {
          order: 'cursor',
          after: { cursor: toScalar(source, cursorColumn(source), last[cursorColumn(source)]), key },
          bounds: range,
          limit,
        }
      : { order: 'key', afterKey: key, bounds: range, limit };
    yield await pagedChanges(pager, source, rows, signal);
    if (rows.length < limit) return;
  }
}
