import { z } from 'zod';
import type { Change, ChangeBatch, Checkpoint, SourceSpec } from '../../core/connector.js';
import { subtractLookback } from '../../core/cursor-arithmetic.js';
import { ConnectorError, SyncError } from '../../core/errors.js';
import { compareScalars, rowsToChanges } from '../../core/keyset-reader.js';
import { valueText, type JsonValue, type Row, type ScalarValue, type Value } from '../../core/values.js';
import type { RestClient } from './rest-client.js';
import { fillTemplate, getJsonPath } from './rest-json-path.js';
import type { RestObject } from './rest-objects.js';
import { listPages } from './rest-pagination.js';

const scalar = z.union([z.string(), z.number()]);
/** Where a REST source resumes: the greatest cursor value handed over, and the key that held it. */
const restCheckpointSchema = z.object({ cursor: scalar.nullable(), key: scalar.nullable() }).partial();
type RestCheckpoint = z.infer<typeof restCheckpointSchema>;

/** The flow's cursor field, or undefined for a flow without one (each cycle lists everything). */
export function cursorField(source: SourceSpec): string | undefined {
  return source.cursor;
}

function parseCheckpoint(source: SourceSpec, since: Checkpoint | undefined): RestCheckpoint {
  if (since === undefined) return {};
  const parsed = restCheckpointSchema.safeParse(since);
  if (parsed.success) return parsed.data;
  throw new SyncError(
    'STATE_STORE_FAILED',
    `Flow "${source.flow}": the stored checkpoint ${JSON.stringify(since)} is not a REST checkpoint; reset it with "syncline resync --flow ${source.flow} --all"`,
    { flow: source.flow, retryable: false },
  );
}

/**
 * A JSON value as the engine's canonical value: strings (decimals, timestamps, ids) stay text,
 * numbers and booleans stay themselves, objects and arrays are JSON, missing is NULL.
 */
export function canonicalValue(value: unknown): Value {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return value as JsonValue;
}

/** A record of the API as a row of the flow's source columns, each read at its JSON path. */
export function recordToRow(record: unknown, source: SourceSpec, object: RestObject): Row {
  const row: Row = {};
  for (const column of source.columns)
    row[column] = canonicalValue(getJsonPath(record, object.fieldPath(column)));
  if (row[source.key] === null || row[source.key] === undefined)
    throw new ConnectorError(
      'SCHEMA_MISMATCH',
      `Flow "${source.flow}": a record of ${object.name} has no key at "${object.fieldPath(source.key)}" (source.key)`,
      { flow: source.flow, retryable: false },
    );
  return row;
}

/** The cursor value as the modified-since parameter wants it. */
export function formatSince(value: ScalarValue, format: 'iso' | 'epochMs' | 'epochSeconds'): string {
  if (format === 'iso') return typeof value === 'number' ? new Date(value).toISOString() : value;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) return String(value);
  return String(format === 'epochMs' ? Math.floor(ms) : Math.floor(ms / 1_000));
}

/** The lookback that applies to a cursor value: a duration lookback does not apply to numbers. */
function lookbackOf(source: SourceSpec, cursor: ScalarValue): number {
  const isNumeric = typeof cursor === 'number' || /^-?\d+(\.\d+)?$/.test(cursor);
  return source.lookbackAppliesTo === 'time' && isNumeric ? 0 : source.lookback;
}

/** Where a read starts: the checkpoint's cursor minus the lookback, or nothing (list everything). */
function readStart(source: SourceSpec, checkpoint: RestCheckpoint): ScalarValue | undefined {
  const cursor = checkpoint.cursor;
  if (cursor === undefined || cursor === null || cursorField(source) === undefined) return undefined;
  return subtractLookback(cursor, lookbackOf(source, cursor));
}

/** The list query of a read from `start` (the modified-since filter), if the object has one. */
function sinceQuery(object: RestObject, start: ScalarValue | undefined): Record<string, string> {
  const since = object.list.since;
  if (since === undefined || start === undefined) return {};
  return { [since.param]: fillTemplate(since.template, { since: formatSince(start, since.format) }) };
}

function scalarOf(value: Value | undefined): ScalarValue | null {
  if (typeof value === 'string' || typeof value === 'number') return value;
  return null;
}

/** The records of the list from the checkpoint on: each with its row, filtered and de-duplicated. */
async function* listedRows(
  client: RestClient,
  object: RestObject,
  source: SourceSpec,
  checkpoint: RestCheckpoint,
  signal: AbortSignal,
  maxPages?: number,
): AsyncGenerator<Row> {
  const cursor = cursorField(source);
  const start = readStart(source, checkpoint);
  // A record listed twice in one read (a page boundary shifting while we read) is handed over once,
  // unless its second listing is newer. Across cycles, the engine skips unchanged content by hash.
  const seen = new Map<string, ScalarValue | null>();
  const path = object.list.path ?? object.path;
  for await (const page of listPages(
    client,
    object.list,
    path,
    sinceQuery(object, start),
    signal,
    maxPages,
  )) {
    for (const record of page.records) {
      const row = recordToRow(record, source, object);
      const value = cursor === undefined ? null : scalarOf(row[cursor]);
      if (start !== undefined && value !== null && compareScalars(value, start) < 0) continue;
      const key = valueText(row[source.key]);
      if (seen.has(key)) {
        const before = seen.get(key) ?? null;
        if (value === null || (before !== null && compareScalars(value, before) <= 0)) continue;
      }
      seen.set(key, value);
      yield row;
    }
  }
}

/**
 * Changes after a checkpoint, in batches of at most `source.batchSize`. The checkpoint of the last
 * batch is the greatest cursor value read; before it, batches carry the checkpoint they started
 * from, unless the API lists in cursor order (`list.order: cursor`), where each batch's last
 * record is safe. A flow without a cursor reads everything each cycle.
 */
export async function* readRestChanges(
  client: RestClient,
  object: RestObject,
  source: SourceSpec,
  since: Checkpoint | undefined,
  signal: AbortSignal,
): AsyncGenerator<ChangeBatch> {
  const cursor = cursorField(source);
  const started = parseCheckpoint(source, since);
  const initial: Checkpoint =
    cursor === undefined ? {} : { cursor: started.cursor ?? null, key: started.key ?? null };
  let greatest = initial;
  let pending: Row[] = [];
  const advance = (row: Row): void => {
    if (cursor === undefined) return;
    const value = scalarOf(row[cursor]);
    const best = greatest.cursor as ScalarValue | null;
    if (value !== null && (best === null || compareScalars(value, best) >= 0))
      greatest = { cursor: value, key: row[source.key] as ScalarValue };
  };
  for await (const row of listedRows(client, object, source, started, signal)) {
    pending.push(row);
    advance(row);
    if (pending.length > source.batchSize) {
      const batch = pending.slice(0, source.batchSize);
      pending = pending.slice(source.batchSize);
      const last = batch.at(-1);
      const checkpoint =
        object.list.order === 'cursor' &&
        cursor !== undefined &&
        last !== undefined &&
        scalarOf(last[cursor]) !== null
          ? { cursor: scalarOf(last[cursor]), key: last[source.key] as ScalarValue }
          : initial;
      yield { changes: toChanges(source, batch), checkpoint };
    }
  }
  if (pending.length > 0 || greatest !== initial)
    yield { changes: toChanges(source, pending), checkpoint: greatest };
}

function toChanges(source: SourceSpec, rows: readonly Row[]): Change[] {
  return rowsToChanges(source, rows);
}

/** Pages an estimate of the backlog reads at most, so it never costs more than that many requests. */
export const COUNT_PAGES_LIMIT = 10;

/**
 * Records waiting after the checkpoint, counted up to `limit` within the first
 * `COUNT_PAGES_LIMIT` pages of the list from the checkpoint (beyond them, a lower bound).
 */
export async function countRestPending(
  client: RestClient,
  object: RestObject,
  source: SourceSpec,
  since: Checkpoint | undefined,
  limit: number,
  signal: AbortSignal,
): Promise<number> {
  const checkpoint = parseCheckpoint(source, since);
  const cursor = cursorField(source);
  const after = checkpoint.cursor ?? null;
  let count = 0;
  for await (const row of listedRows(client, object, source, checkpoint, signal, COUNT_PAGES_LIMIT)) {
    const value = cursor === undefined ? null : scalarOf(row[cursor]);
    if (after === null || value === null || compareScalars(value, after) > 0) count += 1;
    if (count >= limit) break;
  }
  return Math.min(count, limit);
}
