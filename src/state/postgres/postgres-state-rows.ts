import type { SyncErrorJson } from '../../core/errors.js';
import type {
  CanonicalRecord,
  DeadLetter,
  DeadLetterStatus,
  RunRecord,
  RunStatus,
  RunTrigger,
  SyncedRecord,
} from '../../core/state-store.js';
import { decodeRow } from '../row-json.js';

// Rows as the store's pool returns them: bigint as number, timestamptz as ISO 8601 UTC text with
// milliseconds (postgres-state-connection.ts), JSON as the text it was written as.

/** A row of `synced`. */
export interface SyncedRow {
  key: string;
  target_key: string;
  hash: string;
  deleted: boolean;
  target_id: string | null;
  /** JSON object text. */
  base: string | null;
}

/** A row of `runs`. */
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

/** A row of `dead_letters`. */
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

/** The columns of `runs`, in RunRow's shape. */
export const RUN_COLUMNS = `id, flow, "trigger", status, started_at, finished_at, duration_ms, read_count, written_count,
  unchanged_count, quarantined_count, failed_count, deleted_count, error`;

/** The columns of `dead_letters`, in DeadLetterRow's shape. */
export const DEAD_LETTER_COLUMNS = `id, flow, key, field, kind, code, reason, payload, status, occurrences, created_at,
  updated_at, hash`;

/** A synced record from its row; `targetId` and `base` are left out when the row has none. */
export function syncedFromRow(row: SyncedRow): SyncedRecord {
  const record: { -readonly [K in keyof SyncedRecord]: SyncedRecord[K] } = {
    key: row.key,
    targetKey: row.target_key,
    hash: row.hash,
    deleted: row.deleted,
  };
  if (row.target_id !== null) record.targetId = row.target_id;
  if (row.base !== null) record.base = JSON.parse(row.base) as CanonicalRecord;
  return record;
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

/** A dead letter from its row; `field` and `hash` are left out when the row has none. */
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

/**
 * Items split into rounds in which each key appears once, in order: a multi-row upsert may not
 * touch one row twice, so the second failure of a key in one batch goes in the next round, as
 * if applied one by one.
 */
export function inRounds<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds;
}
