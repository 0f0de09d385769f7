import type { CanonicalRecord, DeadLetterInput, RunFinish, SyncedRecord } from '../../core/state-store.js';
import { encodeRow } from '../row-json.js';

// What only SQLite keeps its own way: the key map's `deleted` as 0 or 1, the positional and named
// parameters of its statements. Rows both stores share are in ../state-rows.ts.

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
