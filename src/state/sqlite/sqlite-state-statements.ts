import type Database from 'better-sqlite3';
import type { DeadLetterParams, DeadLetterRow, RunRow, SyncedRow } from './sqlite-state-rows.js';

type Statement<Params extends unknown[], Result = unknown> = Database.Statement<Params, Result>;

const RUN_COLUMNS = `id, flow, "trigger", status, started_at, finished_at, duration_ms, read_count, written_count,
  unchanged_count, quarantined_count, failed_count, deleted_count, error`;

const DEAD_LETTER_COLUMNS = `id, flow, key, field, kind, code, reason, payload, status, occurrences, created_at,
  updated_at`;

/** Named parameters of `acquireLease`; timestamps are ISO 8601 UTC, so they compare as text. */
export interface LeaseParams {
  flow: string;
  owner: string;
  expiresAt: string;
  now: string;
}

/** The prepared statements of the SQLite state store, made once after the schema is migrated. */
export interface SqliteStateStatements {
  /** (flow) → checkpoint JSON. */
  readonly getCheckpoint: Statement<[string], { checkpoint: string }>;
  /** (flow, checkpoint JSON, updatedAt). */
  readonly putCheckpoint: Statement<[string, string, string]>;
  /** (flow). */
  readonly deleteCheckpoint: Statement<[string]>;
  /** (flow, JSON array of keys): keys are matched through json_each, so any number fits one call. */
  readonly getSynced: Statement<[string, string], SyncedRow>;
  /** (flow, key, targetKey, hash, deleted 0|1, syncedAt). */
  readonly putSynced: Statement<[string, string, string, string, number, string]>;
  /** Inserts a dead letter, or updates the key's open entry (reason, payload, occurrences + 1). */
  readonly putDeadLetter: Statement<[DeadLetterParams]>;
  /** (now, flow, keys JSON array): marks the open entries of these keys replayed. */
  readonly resolveDeadLetters: Statement<[string, string, string]>;
  /** (id). */
  readonly getDeadLetter: Statement<[number], DeadLetterRow>;
  /** (status, now, id). */
  readonly setDeadLetterStatus: Statement<[string, string, number]>;
  /** (flow, trigger, startedAt). */
  readonly startRun: Statement<[string, string, string]>;
  /** (id) → startedAt. */
  readonly getRunStart: Statement<[number], { started_at: string }>;
  /** (status, finishedAt, durationMs, read, written, unchanged, quarantined, failed, deleted, error, id). */
  readonly finishRun: Statement<
    [string, string, number, number, number, number, number, number, number, string | null, number]
  >;
  /** (flow). */
  readonly lastSuccessfulRun: Statement<[string], RunRow>;
  /** Changes one row when the lease was taken or renewed. */
  readonly acquireLease: Statement<[LeaseParams]>;
  /** (flow, owner). */
  readonly releaseLease: Statement<[string, string]>;
  /** (flow, now) → the holder of an unexpired lease. */
  readonly getLeaseHolder: Statement<[string, string], { owner: string; expires_at: string }>;
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
    deleteCheckpoint: db.prepare('DELETE FROM checkpoints WHERE flow = ?'),
    getSynced: db.prepare(
      `SELECT key, target_key, hash, deleted FROM synced
       WHERE flow = ? AND key IN (SELECT value FROM json_each(?))`,
    ),
    putSynced: db.prepare(
      `INSERT INTO synced (flow, key, target_key, hash, deleted, synced_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (flow, key) DO UPDATE SET target_key = excluded.target_key, hash = excluded.hash,
         deleted = excluded.deleted, synced_at = excluded.synced_at`,
    ),
    putDeadLetter: db.prepare(
      `INSERT INTO dead_letters (flow, key, field, kind, code, reason, payload, status, occurrences, created_at, updated_at)
       VALUES (@flow, @key, @field, @kind, @code, @reason, @payload, 'open', 1, @now, @now)
       ON CONFLICT (flow, key) WHERE status = 'open' DO UPDATE SET field = excluded.field, kind = excluded.kind,
         code = excluded.code, reason = excluded.reason, payload = excluded.payload,
         occurrences = dead_letters.occurrences + 1, updated_at = excluded.updated_at`,
    ),
    resolveDeadLetters: db.prepare(
      `UPDATE dead_letters SET status = 'replayed', updated_at = ?
       WHERE flow = ? AND status = 'open' AND key IN (SELECT value FROM json_each(?))`,
    ),
    getDeadLetter: db.prepare(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id = ?`),
    setDeadLetterStatus: db.prepare('UPDATE dead_letters SET status = ?, updated_at = ? WHERE id = ?'),
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
         AND "trigger" NOT IN ('resync', 'replay') ORDER BY id DESC LIMIT 1`,
    ),
    // One statement, so two connections can never both hold the lease: SQLite runs writes one at a
    // time, and the WHERE lets the update through only for the holder or once the lease expired.
    acquireLease: db.prepare(
      `INSERT INTO leases (flow, owner, expires_at) VALUES (@flow, @owner, @expiresAt)
       ON CONFLICT (flow) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE leases.owner = excluded.owner OR leases.expires_at <= @now`,
    ),
    releaseLease: db.prepare('DELETE FROM leases WHERE flow = ? AND owner = ?'),
    getLeaseHolder: db.prepare('SELECT owner, expires_at FROM leases WHERE flow = ? AND expires_at > ?'),
    getFlowMeta: db.prepare('SELECT value FROM flow_meta WHERE flow = ? AND name = ?'),
    putFlowMeta: db.prepare(
      `INSERT INTO flow_meta (flow, name, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (flow, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
  };
}

/** Runs, newest first, optionally of one flow: (flow?, limit). */
export function listRunsSql(hasFlow: boolean): string {
  return `SELECT ${RUN_COLUMNS} FROM runs ${hasFlow ? 'WHERE flow = ?' : ''} ORDER BY id DESC LIMIT ?`;
}

/** Dead letters, newest (last failed or changed) first, optionally of one flow and status. */
export function listDeadLettersSql(hasFlow: boolean, hasStatus: boolean): string {
  const conditions = [...(hasFlow ? ['flow = ?'] : []), ...(hasStatus ? ['status = ?'] : [])];
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  return `SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters ${where} ORDER BY updated_at DESC, id DESC LIMIT ?`;
}
