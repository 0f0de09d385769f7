import type { SyncErrorJson } from '../../core/errors.js';
import type {
  CanonicalRecord,
  DeadLetter,
  DeadLetterInput,
  RunFinish,
  DeadLetterStatus,
  RunRecord,
  RunStatus,
  RunTrigger,
  SyncedRecord,
} from '../../core/state-store.js';
import { decodeRow, encodeRow } from '../row-json.js';

/** A row of `synced` as SQLite returns it. */
export interface SyncedRow {
  key: string;
  target_key: string;
  hash: string;
  deleted: number;
  target_id: string | null;
  /** JSON object text. */
  base: string | null;
}

/**
 * The positional parameters of one key map entry in `putSynced` and `putSyncedRows`, in this
 * order: key, target key, hash, deleted (0 or 1), target id (NULL keeps the stored one), base as
 * JSON object text (NULL keeps the stored one). Flow and time are shared by the whole batch and
 * bound once by name (`SyncedShared`).
 */
export const SYNCED_PARAMS_PER_ROW = 6;

/** One positional parameter of a key map entry (see SYNCED_PARAMS_PER_ROW). */
export type SyncedParam = string | number | null;

/** The named parameters every key map entry of a batch shares: the flow and the time of the commit. */
export interface SyncedShared {
  flow: string;
  /** ISO 8601 UTC. */
  now: string;
}

/** A row of `runs` as SQLite returns it. */
export interface RunRow {
  id: number;
  flow: string;
  trigger: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  read_count: number;
  written_count: number;
  unchanged_count: number;
  quarantined_count: number;
  failed_count: number;
  deleted_count: number;
  error: string | null;
}

/** A row of `dead_letters` as SQLite returns it. */
export interface DeadLetterRow {
  id: number;
  flow: string;
  key: string;
  field: string | null;
  kind: string;
  code: string;
  reason: string;
  payload: string;
  status: string;
  occurrences: number;
  created_at: string;
  updated_at: string;
  hash: string | null;
}

/** Named parameters of `putDeadLetter`. */
export interface DeadLetterParams {
  flow: string;
  key: string;
  field: string | null;
  kind: string;
  code: string;
  reason: string;
  /** JSON text. */
  payload: string;
  /** ISO 8601 UTC. */
  now: string;
  hash: string | null;
}

/** Now, as the store writes timestamps: ISO 8601 in UTC with milliseconds (`2024-05-01T08:00:00.000Z`). */
export function utcNow(now: Date = new Date()): string {
  return now.toISOString();
}

/** A synced record from its row; `targetId` and `base` are left out when the row has none. */
export function syncedFromRow(row: SyncedRow): SyncedRecord {
  const record: { -readonly [K in keyof SyncedRecord]: SyncedRecord[K] } = {
    key: row.key,
    targetKey: row.target_key,
    hash: row.hash,
    deleted: row.deleted !== 0,
  };
  if (row.target_id !== null) record.targetId = row.target_id;
  if (row.base !== null) record.base = JSON.parse(row.base) as CanonicalRecord;
  return record;
}

/**
 * Writes the positional parameters of one synced record into `params` from `offset` on (see
 * SYNCED_PARAMS_PER_ROW): a batch fills one array per statement instead of one per record.
 */
export function writeSyncedParams(params: SyncedParam[], offset: number, record: SyncedRecord): void {
  params[offset] = record.key;
  params[offset + 1] = record.targetKey;
  params[offset + 2] = record.hash;
  params[offset + 3] = record.deleted ? 1 : 0;
  params[offset + 4] = record.targetId ?? null;
  params[offset + 5] = record.base === undefined ? null : JSON.stringify(record.base);
}

/** A run record from its row. */
export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    flow: row.flow,
    trigger: row.trigger as RunTrigger,
    status: row.status as RunStatus,
    startedAt: row.started_at,
    finishedAt: row.finished_at ?? undefined,
    durationMs: row.duration_ms ?? undefined,
    counts: {
      read: row.read_count,
      written: row.written_count,
      unchanged: row.unchanged_count,
      quarantined: row.quarantined_count,
      failed: row.failed_count,
      deleted: row.deleted_count,
    },
    error: row.error === null ? undefined : (JSON.parse(row.error) as SyncErrorJson),
  };
}

/** A dead letter from its row; `field` is left out when the row has none. */
export function deadLetterFromRow(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    flow: row.flow,
    key: row.key,
    ...(row.field === null ? {} : { field: row.field }),
    kind: row.kind as DeadLetter['kind'],
    code: row.code,
    reason: row.reason,
    payload: decodeRow(row.payload),
    status: row.status as DeadLetterStatus,
    occurrences: row.occurrences,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.hash === null ? {} : { hash: row.hash }),
  };
}

/** The parameters of `putDeadLetter` for one dead letter. */
export function deadLetterParams(letter: DeadLetterInput, now: string): DeadLetterParams {
  return {
    flow: letter.flow,
    key: letter.key,
    field: letter.field ?? null,
    kind: letter.kind,
    code: letter.code,
    reason: letter.reason,
    payload: encodeRow(letter.payload),
    now,
    hash: letter.hash ?? null,
  };
}

/** The parameters of `finishRun`, in its column order. */
export function finishRunParams(
  runId: number,
  finish: RunFinish,
  finishedAt: string,
  durationMs: number,
): [string, string, number, number, number, number, number, number, number, string | null, number] {
  const { counts } = finish;
  return [
    finish.status,
    finishedAt,
    durationMs,
    counts.read,
    counts.written,
    counts.unchanged,
    counts.quarantined,
    counts.failed,
    counts.deleted,
    finish.error === undefined ? null : JSON.stringify(finish.error),
    runId,
  ];
}
