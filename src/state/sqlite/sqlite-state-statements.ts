import type Database from 'better-sqlite3';
import { KEYED_TRIGGERS } from '../../core/state-store.js';
import { DEAD_LETTER_COLUMNS, RUN_COLUMNS, type DeadLetterRow, type RunRow } from '../state-rows.js';
import type { DeadLetterParams, SyncedParam, SyncedRow, SyncedShared } from './sqlite-state-rows.js';

type Statement<Params extends unknown[], Result = unknown> = Database.Statement<Params, Result>;

/** The SELECT of a list of runs (`SqliteListQueries`), before its filters. */
export const SELECT_RUNS = `SELECT ${RUN_COLUMNS} FROM runs`;
/** The SELECT of a list of dead letters, before its filters. */
export const SELECT_DEAD_LETTERS = `SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters`;

/**
 * Key map entries written by one `putSyncedRows` statement. One multi-row INSERT per 100 records
 * costs about a third less than 100 single-row ones (fewer VM starts and bindings), and 600
 * parameters stay far below SQLite's limit of 32,766.
 */
export const SYNCED_ROWS_PER_STATEMENT = 100;

/** The key map upsert: a NULL target id or base keeps the stored one. */
function putSyncedSql(rows: number): string {
  const row = '(@flow, ?, ?, ?, ?, @now, ?, ?)';
  return `INSERT INTO synced (flow, key, target_key, hash, deleted, synced_at, target_id, base)
    VALUES ${Array.from({ length: rows }, () => row).join(', ')}
    ON CONFLICT (flow, key) DO UPDATE SET target_key = excluded.target_key, hash = excluded.hash,
      deleted = excluded.deleted, synced_at = excluded.synced_at,
      target_id = COALESCE(excluded.target_id, synced.target_id), base = COALESCE(excluded.base, synced.base)`;
}

/** The triggers `lastSuccessfulRun` skips, as the JSON array it binds (from KEYED_TRIGGERS, so SQL and TS agree). */
export const KEYED_TRIGGERS_JSON = JSON.stringify(KEYED_TRIGGERS);

/** The prepared statements of the SQLite state store, made once after the schema is migrated. */
export interface SqliteStateStatements {
  /** (flow) → checkpoint JSON. */
  readonly getCheckpoint: Statement<[string], { checkpoint: string }>;
  /** (flow, checkpoint JSON, updatedAt). */
  readonly putCheckpoint: Statement<[string, string, string]>;
  /** (flow, reverse checkpoint name of the flow, backfill name prefix of the flow, the same prefix). */
  readonly deleteCheckpoints: Statement<[string, string, string, string]>;
  /** (backfill name prefix of a flow, the same prefix): its partitioned backfill's plan and lanes. */
  readonly deleteLaneCheckpoints: Statement<[string, string]>;
  /** (JSON array of keys, flow): keys are matched through json_each, so any number fits one call. */
  readonly getSynced: Statement<[string, string], SyncedRow>;
  /** (flow) → a row when the flow's key map has any entry. */
  readonly hasSynced: Statement<[string], { found: number }>;
  /**
   * Inserts or updates one synced record (SYNCED_PARAMS_PER_ROW positional parameters, flow and
   * time by name); a NULL target id or base keeps the stored one.
   */
  readonly putSynced: Statement<[readonly SyncedParam[], SyncedShared]>;
  /** `putSynced` of SYNCED_ROWS_PER_STATEMENT records at once, applied in order. */
  readonly putSyncedRows: Statement<[readonly SyncedParam[], SyncedShared]>;
  /** Inserts a dead letter, or updates the key's open entry (reason, payload, hash, occurrences + 1). */
  readonly putDeadLetter: Statement<[DeadLetterParams]>;
  /** (now, flow, keys JSON array): marks the open entries of these keys replayed. */
  readonly resolveDeadLetters: Statement<[string, string, string]>;
  /** (id). */
  readonly getDeadLetter: Statement<[number], DeadLetterRow>;
  /** (status, now, flow, ids JSON array): only entries of the flow change. */
  readonly setDeadLetterStatus: Statement<[string, string, string, string]>;
  /** (flow, ids JSON array) → how many of the ids are dead letters of the flow. */
  readonly countDeadLettersOf: Statement<[string, string], { count: number }>;
  /** (flow) → a row when the flow has any open dead letter. */
  readonly hasOpenDeadLetters: Statement<[string], { found: number }>;
  /** (keys JSON array, flow) → the open entries of these keys: one probe of the one-open-per-key index each. */
  readonly openDeadLetterHashes: Statement<[string, string], { key: string; hash: string | null }>;
  /** (flow, trigger, startedAt). */
  readonly startRun: Statement<[string, string, string]>;
  /** (id) → startedAt. */
  readonly getRunStart: Statement<[number], { started_at: string }>;
  /** (status, finishedAt, durationMs, read, written, unchanged, quarantined, failed, deleted, error, id). */
  readonly finishRun: Statement<
    [string, string, number, number, number, number, number, number, number, string | null, number]
  >;
  /** (flow, KEYED_TRIGGERS_JSON): the newest succeeded run of another trigger. */
  readonly lastSuccessfulRun: Statement<[string, string], RunRow>;
  /** (flow, name) → value JSON. */
  readonly getFlowMeta: Statement<[string, string], { value: string }>;
  /** (flow, name, value JSON, updatedAt). */
  readonly putFlowMeta: Statement<[string, string, string, string]>;
}

/** Prepares every fixed statement of the store. */
export function prepareSqliteStateStatements(db: Database.Database): SqliteStateStatements {
  return {
    getCheckpoint: db.prepare('SELECT checkpoint FROM checkpoints WHERE flow = ?'),
    putCheckpoint: db.prepare(
      `INSERT INTO checkpoints (flow, checkpoint, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (flow) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at`,
    ),
    deleteCheckpoints: db.prepare(
      'DELETE FROM checkpoints WHERE flow IN (?, ?) OR substr(flow, 1, length(?)) = ?',
    ),
    deleteLaneCheckpoints: db.prepare('DELETE FROM checkpoints WHERE substr(flow, 1, length(?)) = ?'),
    getSynced: db.prepare(
      // CROSS JOIN keeps json_each outside: one primary-key probe per key asked for.
      `SELECT s.key, s.target_key, s.hash, s.deleted, s.target_id, s.base FROM json_each(?) AS k
       CROSS JOIN synced AS s ON s.flow = ? AND s.key = k.value`,
    ),
    hasSynced: db.prepare('SELECT 1 AS found FROM synced WHERE flow = ? LIMIT 1'),
    putSynced: db.prepare(putSyncedSql(1)),
    putSyncedRows: db.prepare(putSyncedSql(SYNCED_ROWS_PER_STATEMENT)),
    putDeadLetter: db.prepare(
      `INSERT INTO dead_letters (flow, key, field, kind, code, reason, payload, status, occurrences, created_at, updated_at,
         hash)
       VALUES (@flow, @key, @field, @kind, @code, @reason, @payload, 'open', 1, @now, @now, @hash)
       ON CONFLICT (flow, key) WHERE status = 'open' DO UPDATE SET field = excluded.field, kind = excluded.kind,
         code = excluded.code, reason = excluded.reason, payload = excluded.payload, hash = excluded.hash,
         occurrences = dead_letters.occurrences + 1, updated_at = excluded.updated_at`,
    ),
    resolveDeadLetters: db.prepare(
      `UPDATE dead_letters SET status = 'replayed', updated_at = ?
       WHERE flow = ? AND status = 'open' AND key IN (SELECT value FROM json_each(?))`,
    ),
    getDeadLetter: db.prepare(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id = ?`),
    setDeadLetterStatus: db.prepare(
      `UPDATE dead_letters SET status = ?, updated_at = ?
       WHERE flow = ? AND id IN (SELECT value FROM json_each(?))`,
    ),
    hasOpenDeadLetters: db.prepare(
      `SELECT 1 AS found FROM dead_letters WHERE flow = ? AND status = 'open' LIMIT 1`,
    ),
    openDeadLetterHashes: db.prepare(
      // CROSS JOIN keeps json_each outside, so each key is looked up in the partial unique index
      // rather than every open letter of the flow scanned (50 ms → under 5 ms per 1,000 keys at 100,000 open).
      `SELECT d.key, d.hash FROM json_each(?) AS k
       CROSS JOIN dead_letters AS d ON d.flow = ? AND d.status = 'open' AND d.key = k.value`,
    ),
    countDeadLettersOf: db.prepare(
      `SELECT count(*) AS count FROM dead_letters WHERE flow = ? AND id IN (SELECT value FROM json_each(?))`,
    ),
    startRun: db.prepare(
      `INSERT INTO runs (flow, "trigger", status, started_at) VALUES (?, ?, 'running', ?)`,
    ),
    getRunStart: db.prepare('SELECT started_at FROM runs WHERE id = ?'),
    finishRun: db.prepare(
      `UPDATE runs SET status = ?, finished_at = ?, duration_ms = ?, read_count = ?, written_count = ?,
         unchanged_count = ?, quarantined_count = ?, failed_count = ?, deleted_count = ?, error = ?
       WHERE id = ?`,
    ),
    lastSuccessfulRun: db.prepare(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE flow = ? AND status = 'succeeded'
         AND "trigger" NOT IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT 1`,
    ),
    getFlowMeta: db.prepare('SELECT value FROM flow_meta WHERE flow = ? AND name = ?'),
    putFlowMeta: db.prepare(
      `INSERT INTO flow_meta (flow, name, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (flow, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
  };
}
