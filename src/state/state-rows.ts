import type { SyncErrorJson } from '../core/errors.js';
import type { RunActivityBucket } from '../core/run-activity.js';
import type {
  CanonicalRecord,
  Conflict,
  ConflictStatus,
  DeadLetter,
  DeadLetterStatus,
  ReconciliationRecord,
  RunRecord,
  RunStatus,
  RunTrigger,
} from '../core/state-store.js';
import { decodeRow } from './row-json.js';

// Rows of a flow's history as every state store reads them, and the records made from them. Both
// stores return these columns with the same JavaScript types: ids and counts as numbers, times as
// ISO 8601 UTC text with milliseconds, JSON as the text it was written as. Where the stores differ
// (the key map's `deleted`), the row stays in the store's own module.

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
  /** SyncErrorJson as JSON text. */
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
  /** A row as `encodeRow` text. */
  payload: string;
  status: string;
  occurrences: number;
  created_at: string;
  updated_at: string;
  hash: string | null;
}

/** A row of `conflicts`. */
export interface ConflictRow {
  id: number;
  flow: string;
  key: string;
  /** JSON object text. */
  base: string | null;
  /** A row as `encodeRow` text. */
  source: string;
  /** A row as `encodeRow` text. */
  target: string;
  /** JSON array text. */
  fields: string;
  reason: string;
  status: string;
  occurrences: number;
  detected_at: string;
  updated_at: string;
  resolved_at: string | null;
  resolution: string | null;
  resolved_by: string | null;
}

/** A row of `reconciliations`. */
export interface ReconciliationRow {
  id: number;
  flow: string;
  started_at: string;
  finished_at: string;
  mode: string;
  status: string;
  missing: number;
  extra: number;
  different: number;
  repaired: number;
  rows_transferred: number;
  /** SyncErrorJson as JSON text. */
  error: string | null;
}

/** A row of the bucketed run activity query: runs summed per flow and bucket. */
export interface RunActivityRow {
  flow: string;
  /** Whole buckets since the start of the range. */
  bucket: number;
  cycles: number;
  succeeded: number;
  failed: number;
  read: number;
  written: number;
  quarantined: number;
  refused: number;
  deleted: number;
  max_duration_ms: number | null;
  last_success_at: string | null;
}

/** The columns of `runs`, in RunRow's shape. */
export const RUN_COLUMNS = `id, flow, "trigger", status, started_at, finished_at, duration_ms, read_count, written_count,
  unchanged_count, quarantined_count, failed_count, deleted_count, error`;

/** The columns of `dead_letters`, in DeadLetterRow's shape. */
export const DEAD_LETTER_COLUMNS = `id, flow, key, field, kind, code, reason, payload, status, occurrences, created_at,
  updated_at, hash`;

/** The SELECT of conflicts, in ConflictRow's shape, before its filters. */
export const SELECT_CONFLICTS = `SELECT id, flow, key, base, source, target, fields, reason, status, occurrences,
  detected_at, updated_at, resolved_at, resolution, resolved_by FROM conflicts`;

/** The SELECT of reconciliations, in ReconciliationRow's shape, before its filters. */
export const SELECT_RECONCILIATIONS = `SELECT id, flow, started_at, finished_at, mode, status, missing, extra,
  different, repaired, rows_transferred, error FROM reconciliations`;

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

/** A conflict from its row; the resolution's fields are left out while it is open. */
export function conflictFromRow(row: ConflictRow): Conflict {
  return {
    id: row.id,
    flow: row.flow,
    key: row.key,
    base: row.base === null ? undefined : (JSON.parse(row.base) as CanonicalRecord),
    source: decodeRow(row.source),
    target: decodeRow(row.target),
    fields: JSON.parse(row.fields) as string[],
    reason: row.reason,
    status: row.status as ConflictStatus,
    occurrences: row.occurrences,
    detectedAt: row.detected_at,
    updatedAt: row.updated_at,
    ...(row.resolved_at === null ? {} : { resolvedAt: row.resolved_at }),
    ...(row.resolution === null ? {} : { resolution: row.resolution }),
    ...(row.resolved_by === null ? {} : { resolvedBy: row.resolved_by }),
  };
}

/** A reconciliation summary from its row; `error` is left out when it has none. */
export function reconciliationFromRow(row: ReconciliationRow): ReconciliationRecord {
  return {
    id: row.id,
    flow: row.flow,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    mode: row.mode as ReconciliationRecord['mode'],
    status: row.status as ReconciliationRecord['status'],
    missing: row.missing,
    extra: row.extra,
    different: row.different,
    repaired: row.repaired,
    rowsTransferred: row.rows_transferred,
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as SyncErrorJson }),
  };
}

/** A run activity bucket from its row; a bucket without a finished run has a longest duration of 0. */
export function runActivityFromRow(row: RunActivityRow): RunActivityBucket {
  return {
    flow: row.flow,
    bucket: row.bucket,
    cycles: row.cycles,
    succeeded: row.succeeded,
    failed: row.failed,
    read: row.read,
    written: row.written,
    quarantined: row.quarantined,
    refused: row.refused,
    deleted: row.deleted,
    maxDurationMs: row.max_duration_ms ?? 0,
    lastSuccessAt: row.last_success_at ?? undefined,
  };
}
