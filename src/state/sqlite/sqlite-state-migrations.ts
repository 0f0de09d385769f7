// The SQLite state store's schema, step by step; sqlite-state-schema.ts applies them.

/** One step of the state store's schema; applied once, in order, and recorded in `schema_version`. */
export interface SqliteMigration {
  /** Strictly increasing, starting at 1. */
  readonly version: number;
  /** What the step does, for the `schema_version` table. */
  readonly description: string;
  /** DDL run inside the migration's transaction. */
  readonly sql: string;
}

/** The schema of the SQLite state store, oldest first. Append new steps; never edit a shipped one. */
export const sqliteMigrations: readonly SqliteMigration[] = [
  {
    version: 1,
    description: 'checkpoints, key map with synced hashes, runs, dead letters, leases, flow meta',
    sql: `
      CREATE TABLE checkpoints (
        flow TEXT PRIMARY KEY,
        checkpoint TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE synced (
        flow TEXT NOT NULL,
        key TEXT NOT NULL,
        target_key TEXT NOT NULL,
        hash TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        synced_at TEXT NOT NULL,
        PRIMARY KEY (flow, key)
      );
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        flow TEXT NOT NULL,
        "trigger" TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'aborted')),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        duration_ms INTEGER,
        read_count INTEGER NOT NULL DEFAULT 0,
        written_count INTEGER NOT NULL DEFAULT 0,
        unchanged_count INTEGER NOT NULL DEFAULT 0,
        quarantined_count INTEGER NOT NULL DEFAULT 0,
        failed_count INTEGER NOT NULL DEFAULT 0,
        deleted_count INTEGER NOT NULL DEFAULT 0,
        error TEXT
      );
      CREATE INDEX runs_by_flow ON runs (flow, id);
      CREATE INDEX runs_by_flow_status ON runs (flow, status, id);
      CREATE TABLE dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        flow TEXT NOT NULL,
        key TEXT NOT NULL,
        field TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('validation', 'write')),
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'replayed', 'discarded')),
        occurrences INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX dead_letters_one_open_per_key ON dead_letters (flow, key) WHERE status = 'open';
      CREATE INDEX dead_letters_by_updated ON dead_letters (updated_at, id);
      CREATE INDEX dead_letters_by_flow ON dead_letters (flow, updated_at, id);
      CREATE TABLE leases (
        flow TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE TABLE flow_meta (
        flow TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (flow, name)
      );
    `,
  },
  {
    version: 2,
    description:
      'target ids and two-way bases in the key map, reference dead letters, conflicts, audit log, reconciliations',
    // SQLite cannot alter a CHECK constraint: dead_letters is rebuilt (ids kept, the AUTOINCREMENT
    // sequence carried over so no id is ever handed out twice) and its indexes made again.
    sql: `
      ALTER TABLE synced ADD COLUMN target_id TEXT;
      ALTER TABLE synced ADD COLUMN base TEXT;
      CREATE TABLE dead_letters_v2 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        flow TEXT NOT NULL,
        key TEXT NOT NULL,
        field TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('validation', 'write', 'reference')),
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'replayed', 'discarded')),
        occurrences INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      INSERT INTO dead_letters_v2 (id, flow, key, field, kind, code, reason, payload, status, occurrences,
          created_at, updated_at)
        SELECT id, flow, key, field, kind, code, reason, payload, status, occurrences, created_at, updated_at
        FROM dead_letters;
      DELETE FROM sqlite_sequence WHERE name = 'dead_letters_v2';
      INSERT INTO sqlite_sequence (name, seq)
        SELECT 'dead_letters_v2', MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'dead_letters'), 0),
          COALESCE((SELECT MAX(id) FROM dead_letters_v2), 0));
      DROP TABLE dead_letters;
      ALTER TABLE dead_letters_v2 RENAME TO dead_letters;
      CREATE UNIQUE INDEX dead_letters_one_open_per_key ON dead_letters (flow, key) WHERE status = 'open';
      CREATE INDEX dead_letters_by_updated ON dead_letters (updated_at, id);
      CREATE INDEX dead_letters_by_flow ON dead_letters (flow, updated_at, id);
      CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        flow TEXT NOT NULL,
        key TEXT NOT NULL,
        base TEXT,
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        fields TEXT NOT NULL,
        reason TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
        occurrences INTEGER NOT NULL DEFAULT 1,
        detected_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        resolved_at TEXT,
        resolution TEXT,
        resolved_by TEXT
      );
      CREATE UNIQUE INDEX conflicts_one_open_per_key ON conflicts (flow, key) WHERE status = 'open';
      CREATE INDEX conflicts_by_updated ON conflicts (updated_at, id);
      CREATE INDEX conflicts_by_flow ON conflicts (flow, updated_at, id);
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        flow TEXT,
        subject TEXT,
        details TEXT,
        at TEXT NOT NULL,
        finished_at TEXT,
        result TEXT NOT NULL CHECK (result IN ('started', 'succeeded', 'failed')),
        outcome TEXT
      );
      CREATE INDEX audit_log_by_flow ON audit_log (flow, id);
      CREATE INDEX audit_log_by_action ON audit_log (action, id);
      CREATE TABLE reconciliations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        flow TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('checksum', 'full')),
        status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
        missing INTEGER NOT NULL,
        extra INTEGER NOT NULL,
        different INTEGER NOT NULL,
        repaired INTEGER NOT NULL,
        rows_transferred INTEGER NOT NULL,
        error TEXT
      );
      CREATE INDEX reconciliations_by_flow ON reconciliations (flow, id);
    `,
  },
  {
    version: 3,
    description:
      'fencing tokens of leases; dead letters and conflicts listed and counted by id per flow and status',
    // Existing leases start at token 1; the lists page by id (newest first), so the indexes by
    // updated_at give way to ones by id.
    sql: `
      ALTER TABLE leases ADD COLUMN token INTEGER NOT NULL DEFAULT 1;
      DROP INDEX dead_letters_by_updated;
      DROP INDEX dead_letters_by_flow;
      CREATE INDEX dead_letters_by_flow ON dead_letters (flow, id);
      CREATE INDEX dead_letters_by_flow_status ON dead_letters (flow, status, id);
      CREATE INDEX dead_letters_by_status ON dead_letters (status, id);
      DROP INDEX conflicts_by_updated;
      DROP INDEX conflicts_by_flow;
      CREATE INDEX conflicts_by_flow ON conflicts (flow, id);
      CREATE INDEX conflicts_by_flow_status ON conflicts (flow, status, id);
      CREATE INDEX conflicts_by_status ON conflicts (status, id);
    `,
  },
  {
    version: 4,
    description: 'content hash of a dead-lettered record, so an unchanged one is not written again',
    // Letters from before have no hash: their record is tried once more, then gets one.
    sql: `
      ALTER TABLE dead_letters ADD COLUMN hash TEXT;
    `,
  },
  {
    version: 5,
    description: 'API tokens: SHA-256 hash and display prefix, role, expiry, last use, revocation',
    sql: `
      CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at TEXT,
        last_used_at TEXT,
        revoked_at TEXT
      );
      CREATE INDEX api_tokens_by_name ON api_tokens (name, id);
    `,
  },
  {
    version: 6,
    description:
      'inbox of pushed events (webhooks, MQTT) with de-duplication keys, and how far each reader got',
    sql: `
      CREATE TABLE inbox_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        inbox TEXT NOT NULL,
        event_key TEXT,
        received_at TEXT NOT NULL,
        payload TEXT NOT NULL,
        headers TEXT
      );
      CREATE UNIQUE INDEX inbox_events_by_key ON inbox_events (inbox, event_key) WHERE event_key IS NOT NULL;
      CREATE INDEX inbox_events_by_inbox ON inbox_events (inbox, id);
      CREATE TABLE inbox_readers (
        inbox TEXT NOT NULL,
        reader TEXT NOT NULL,
        consumed_through INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (inbox, reader)
      );
      `,
  },
  {
    version: 7,
    description: 'runs summed by time in the database (index by start); alert episodes, firing and resolved',
    sql: `
      CREATE INDEX runs_by_started ON runs (started_at);
      CREATE TABLE alert_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        rule TEXT NOT NULL,
        flow TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
        starts_at TEXT NOT NULL,
        ends_at TEXT,
        summary TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (rule, flow, starts_at)
      );
      CREATE INDEX alert_history_by_status ON alert_history (status, id);
      CREATE INDEX alert_history_by_flow ON alert_history (flow, id);
    `,
  },
  {
    version: 8,
    description:
      'key map as a WITHOUT ROWID table: one b-tree per entry instead of a table and its key index',
    // Every synced record of every batch writes one key map entry; clustered on its primary key,
    // that write and each lookup touch one b-tree instead of the table and its key index. Rows are
    // copied in key order, so the new table is built by appending.
    sql: `
      CREATE TABLE synced_v8 (
        flow TEXT NOT NULL,
        key TEXT NOT NULL,
        target_key TEXT NOT NULL,
        hash TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        synced_at TEXT NOT NULL,
        target_id TEXT,
        base TEXT,
        PRIMARY KEY (flow, key)
      ) WITHOUT ROWID;
      INSERT INTO synced_v8 (flow, key, target_key, hash, deleted, synced_at, target_id, base)
        SELECT flow, key, target_key, hash, deleted, synced_at, target_id, base FROM synced ORDER BY flow, key;
      DROP TABLE synced;
      ALTER TABLE synced_v8 RENAME TO synced;
    `,
  },
];
