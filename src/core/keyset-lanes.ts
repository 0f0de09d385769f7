import type { BackfillPlan, Connector, ReadRange, SourceSpec } from './connector.js';
import { toScalar, type KeysetCheckpoint, type KeysetPager } from './keyset-reader.js';

/**
 * The most rows a partitioned backfill counts to find its split points: a bound any SQL `LIMIT`
 * accepts as a 32-bit integer. A larger table is split as if it held this many rows (the last lane
 * takes the rest), which is still correct, only less even.
 */
const MAX_COUNTED_ROWS = 2 ** 31 - 1;

/**
 * Plans a partitioned backfill of a keyset-read source (`Connector.planBackfill`): the cursor's
 * high-water mark first, then the row count, then the keys at the split points, each found by one
 * `ORDER BY key LIMIT 2 OFFSET n` page, so lane i reads `[first key of lane i, last key before
 * lane i+1]`. The first lane has no lower bound and the last no upper bound, so every key, including
 * one inserted beyond either end during the scan, falls in a lane; a key inserted between two
 * lanes has a cursor past the high-water mark and is read by the incremental handover. Each lane
 * holds at least one batch of rows; undefined when that leaves fewer than two lanes.
 */
export async function planKeysetBackfill(
  pager: KeysetPager & Pick<Connector, 'countPending'>,
  source: SourceSpec,
  lanes: number,
  signal: AbortSignal,
): Promise<BackfillPlan | undefined> {
  const highWater = await pager.maxCursor(source, signal);
  const total = await pager.countPending(source, undefined, MAX_COUNTED_ROWS, signal);
  const count = Math.min(Math.floor(lanes), Math.floor(total / Math.max(1, source.batchSize)));
  if (count < 2) return undefined;
  const splits: {
    readonly last: ReturnType<typeof toScalar>;
    readonly first: ReturnType<typeof toScalar>;
  }[] = [];
  for (let lane = 1; lane < count; lane += 1) {
    signal.throwIfAborted();
    const offset = Math.floor((lane * total) / count) - 1;
    const rows = await pager.selectPage(source, { order: 'key', offset, limit: 2 }, signal);
    // The table shrank while it was counted: fewer lanes, the last one open-ended.
    if (rows.length < 2) break;
    splits.push({
      last: toScalar(source, source.key, rows[0]?.[source.key]),
      first: toScalar(source, source.key, rows[1]?.[source.key]),
    });
  }
  if (splits.length === 0) return undefined;
  const ranges: ReadRange[] = [];
  for (let lane = 0; lane <= splits.length; lane += 1) {
    const from = splits[lane - 1]?.first;
    const to = splits[lane]?.last;
    ranges.push({
      ...(from === undefined ? {} : { fromKey: from }),
      ...(to === undefined ? {} : { toKey: to }),
    });
  }
  const handover: KeysetCheckpoint = { phase: 'incremental', cursor: highWater, key: null };
  return { ranges, handover };
}
