import { attachLines, type RowsByKeys } from './line-reader.js';
import { cursorColumn } from './source-cursor.js';
import { z } from 'zod';
import type { Change, ChangeBatch, Checkpoint, ReadRange, SourceSpec } from './connector.js';
import { SyncError } from './errors.js';
import { subtractLookback } from './cursor-arithmetic.js';
import { parseBoolean } from './value-conversion.js';
import type { Row, ScalarValue, Value } from './values.js';

/**
 * One page of a keyset scan. The connector turns it into one query:
 *
 * - `order: 'key'`: `WHERE key > :afterKey ORDER BY key LIMIT :limit` (no predicate without `afterKey`)
 * - `order: 'cursor'` with `after`: `WHERE cursor > :c OR (cursor = :c AND key > :k) ORDER BY cursor, key`
 * - `order: 'cursor'` with `fromCursor`: `WHERE cursor >= :from ORDER BY cursor, key`
 * - `order: 'cursor'` with neither: every row, `ORDER BY cursor, key`
 *
 * With `bounds`, each bound it holds is ANDed into the predicate, inclusively:
 * `key >= :fromKey AND key <= :toKey AND cursor >= :fromCursor AND cursor <= :toCursor`.
 *
 * Rows whose cursor is NULL are never returned in cursor order (the schema check warns about a
 * nullable cursor column), nor by a cursor bound.
 */
export interface PageRequest {
  readonly order: 'key' | 'cursor';
  /** Key order: return rows with a key greater than this. */
  readonly afterKey?: ScalarValue;
  /** Cursor order: return rows after this (cursor, key) position. */
  readonly after?: { readonly cursor: ScalarValue; readonly key: ScalarValue };
  /** Cursor order: return rows whose cursor is at least this (the lookback start). */
  readonly fromCursor?: ScalarValue;
  /** Inclusive key and cursor bounds (a manual resync's range), in key or cursor order; absent bounds do not limit. */
  readonly bounds?: ReadRange;
  readonly limit: number;
  /**
   * Skip this many rows of the ordered result first (`… LIMIT :limit OFFSET :offset`): how a
   * partitioned backfill finds the keys that split the table (keyset-lanes.ts). Never used to page.
   */
  readonly offset?: number;
}

/** The two queries a connector answers so the shared keyset reader can drive it. */
export interface KeysetPager {
  /** Rows of `source.columns` for one page, in the requested order. */
  selectPage(source: SourceSpec, page: PageRequest, signal: AbortSignal): Promise<Row[]>;
  /** The greatest cursor value in the table, or null when it is empty. */
  maxCursor(source: SourceSpec, signal: AbortSignal): Promise<ScalarValue | null>;
  /**
   * With `SourceSpec.lines` (`capabilities.lines`): rows by key, as `Connector.readByKeys`; the
   * readers read each page's lines through it (core/line-reader.ts).
   */
  readByKeys?: RowsByKeys;
}

/** A page's rows as changes, with their lines when the source has lines. */
export async function pagedChanges(
  pager: KeysetPager,
  source: SourceSpec,
  rows: readonly Row[],
  signal: AbortSignal,
): Promise<Change[]> {
  const changes = rowsToChanges(source, rows);
  if (source.lines === undefined || source.lines.length === 0) return changes;
  if (pager.readByKeys === undefined)
    throw new SyncError(
      'CONFIG_INVALID',
      `Flow "${source.flow}": this connection cannot read records with lines`,
      {
        flow: source.flow,
      },
    );
  return attachLines(source, changes, pager.readByKeys.bind(pager), signal);
}

const scalar = z.union([z.string(), z.number()]);

/**
 * The checkpoint of a keyset-read source. A flow starts in `initial`: a scan in key order (fast
 * inserts at the target, no gap) remembering the cursor's high-water mark from before the scan;
 * then it hands over to `incremental` at that mark, so rows changed during the scan are read again.
 */
const keysetCheckpointSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('initial'), key: scalar.nullable(), highWater: scalar.nullable() }),
  z.object({ phase: z.literal('incremental'), cursor: scalar.nullable(), key: scalar.nullable() }),
]);
export type KeysetCheckpoint = z.infer<typeof keysetCheckpointSchema>;

function parseCheckpoint(flow: string, checkpoint: Checkpoint | undefined): KeysetCheckpoint {
  if (checkpoint === undefined) return { phase: 'initial', key: null, highWater: null };
  const parsed = keysetCheckpointSchema.safeParse(checkpoint);
  if (!parsed.success) {
    throw new SyncError(
      'STATE_STORE_FAILED',
      `Flow "${flow}": the stored checkpoint ${JSON.stringify(checkpoint)} is not a keyset checkpoint; reset it with "syncline resync --flow ${flow} --all"`,
      { flow, retryable: false },
    );
  }
  return parsed.data;
}

/** A key or cursor value of a read row as a scalar to bind again; refuses NULL and other values. */
export function toScalar(source: SourceSpec, column: string, value: Value | undefined): ScalarValue {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new SyncError(
    'SCHEMA_MISMATCH',
    `Flow "${source.flow}": column "${column}" of ${source.table} must hold a number, text or time to serve as key or cursor, found ${value === null ? 'NULL' : typeof value}`,
    { flow: source.flow },
  );
}

/** The lookback that applies to a cursor value: a duration lookback does not apply to numbers. */
function lookbackOf(source: SourceSpec, cursor: ScalarValue): number {
  const isNumeric = typeof cursor === 'number' || /^-?\d+(\.\d+)?$/.test(cursor);
  return source.lookbackAppliesTo === 'time' && isNumeric ? 0 : source.lookback;
}

/** Turns source rows into changes: key as text, soft-deleted rows as deletes. */
export function rowsToChanges(source: SourceSpec, rows: readonly Row[]): Change[] {
  return rows.map((row) => ({
    key: String(toScalar(source, source.key, row[source.key])),
    op: source.deleted !== undefined && parseBoolean(row[source.deleted]) === true ? 'delete' : 'upsert',
    row,
  }));
}

/**
 * Reads changes after a checkpoint through a connector's pager: the initial key-order scan, then
 * the compound (cursor, key) keyset with a lookback window. Batches are read one at a time, so
 * memory stays bounded by the batch size whatever the table size.
 */
export async function* readKeysetChanges(
  pager: KeysetPager,
  source: SourceSpec,
  since: Checkpoint | undefined,
  signal: AbortSignal,
): AsyncGenerator<ChangeBatch> {
  let checkpoint = parseCheckpoint(source.flow, since);
  const limit = source.batchSize;

  if (checkpoint.phase === 'initial') {
    const highWater = checkpoint.key === null ? await pager.maxCursor(source, signal) : checkpoint.highWater;
    let afterKey = checkpoint.key;
    for (;;) {
      signal.throwIfAborted();
      const rows = await pager.selectPage(
        source,
        { order: 'key', ...(afterKey === null ? {} : { afterKey }), limit },
        signal,
      );
      const last = rows.at(-1);
      if (last !== undefined) afterKey = toScalar(source, source.key, last[source.key]);
      const isDone = rows.length < limit;
      const next: KeysetCheckpoint = isDone
        ? { phase: 'incremental', cursor: highWater, key: null }
        : { phase: 'initial', key: afterKey, highWater };
      if (rows.length > 0 || isDone)
        yield { changes: await pagedChanges(pager, source, rows, signal), checkpoint: next };
      checkpoint = next;
      if (isDone) break;
    }
  }

  if (checkpoint.phase !== 'incremental') return;
  let page: PageRequest;
  if (checkpoint.cursor === null) {
    page = { order: 'cursor', limit };
  } else if (lookbackOf(source, checkpoint.cursor) > 0 || checkpoint.key === null) {
    page = {
      order: 'cursor',
      fromCursor: subtractLookback(checkpoint.cursor, lookbackOf(source, checkpoint.cursor)),
      limit,
    };
  } else {
    page = { order: 'cursor', after: { cursor: checkpoint.cursor, key: checkpoint.key }, limit };
  }
  let position = { cursor: checkpoint.cursor, key: checkpoint.key };
  for (;;) {
    signal.throwIfAborted();
    const rows = await pager.selectPage(source, page, signal);
    const last = rows.at(-1);
    if (last !== undefined) {
      const cursor = toScalar(source, cursorColumn(source), last[cursorColumn(source)]);
      const key = toScalar(source, source.key, last[source.key]);
      // The lookback re-reads rows behind the checkpoint; never move the checkpoint backwards.
      if (position.cursor === null || compareScalars(cursor, position.cursor) >= 0)
        position = { cursor, key };
      page = { order: 'cursor', after: { cursor, key }, limit };
    }
    if (rows.length > 0) {
      yield {
        changes: await pagedChanges(pager, source, rows, signal),
        checkpoint: { phase: 'incremental', ...position },
      };
    }
    if (rows.length < limit) break;
  }
}

/**
 * The first page a reader would request after `since`, for counting what is pending with the same
 * predicate (`countPending`): in the initial phase every row after the scanned key, else every row
 * from the lookback start.
 */
export function pendingPage(source: SourceSpec, since: Checkpoint | undefined, limit: number): PageRequest {
  const checkpoint = parseCheckpoint(source.flow, since);
  if (checkpoint.phase === 'initial') {
    return checkpoint.key === null
      ? { order: 'key', limit }
      : { order: 'key', afterKey: checkpoint.key, limit };
  }
  if (checkpoint.cursor === null) return { order: 'cursor', limit };
  if (lookbackOf(source, checkpoint.cursor) > 0 || checkpoint.key === null) {
    return {
      order: 'cursor',
      fromCursor: subtractLookback(checkpoint.cursor, lookbackOf(source, checkpoint.cursor)),
      limit,
    };
  }
  return { order: 'cursor', after: { cursor: checkpoint.cursor, key: checkpoint.key }, limit };
}

/** Orders two cursor values of the same column: numbers numerically, ISO timestamps by instant. */
export function compareScalars(a: ScalarValue, b: ScalarValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const ta = Date.parse(String(a));
  const tb = Date.parse(String(b));
  if (typeof a === 'string' && typeof b === 'string' && !Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) {
    return ta - tb;
  }
  const na = Number(a);
  const nb = Number(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return na - nb;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
