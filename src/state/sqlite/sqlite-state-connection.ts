import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStateActivity } from './sqlite-state-activity.js';
import { SqliteStateAlerts } from './sqlite-state-alerts.js';
import { SqliteStateAudit } from './sqlite-state-audit.js';
import { SqliteStateConflicts } from './sqlite-state-conflicts.js';
import { SqliteStateInbox } from './sqlite-state-inbox.js';
import { SQLITE_BUSY_TIMEOUT_MS } from './sqlite-state-errors.js';
import { SqliteStateLeases } from './sqlite-state-leases.js';
import { SqliteListQueries } from './sqlite-state-list-queries.js';
import { SqliteStateReconciliations } from './sqlite-state-reconciliations.js';
import { migrateSqliteState } from './sqlite-state-schema.js';
import { SqliteStateTokens } from './sqlite-state-tokens.js';
import { prepareSqliteStateStatements, type SqliteStateStatements } from './sqlite-state-statements.js';

/** An open, migrated state database and everything prepared on it. */
export interface SqliteStateConnection {
  readonly db: Database.Database;
  /** Fixed statements: checkpoints, key map, dead letters, runs, flow meta. */
  readonly statements: SqliteStateStatements;
  /** List queries whose text depends on the filters given. */
  readonly lists: SqliteListQueries;
  readonly conflicts: SqliteStateConflicts;
  readonly audit: SqliteStateAudit;
  readonly reconciliations: SqliteStateReconciliations;
  /** Flow leases and their fencing tokens. */
  readonly leases: SqliteStateLeases;
  /** API tokens (hashes only). */
  readonly tokens: SqliteStateTokens;
  /** The inbox of pushed events and its readers' positions. */
  readonly inbox: SqliteStateInbox;
  /** Run history summed by time bucket. */
  readonly activity: SqliteStateActivity;
  /** Alert episodes, firing and resolved. */
  readonly alerts: SqliteStateAlerts;
}

/**
 * Opens `file` (a path whose directory is created when missing, or `:memory:`) in WAL mode with
 * `synchronous=NORMAL`, migrates its schema and prepares the statements. Closes the file again
 * when any step fails.
 */
export function openSqliteState(file: string): SqliteStateConnection {
  if (file !== ':memory:' && file !== '') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrateSqliteState(db, file);
    const lists = new SqliteListQueries(db);
    return {
      db,
      statements: prepareSqliteStateStatements(db),
      lists,
      conflicts: new SqliteStateConflicts(db, lists),
      audit: new SqliteStateAudit(db, lists),
      reconciliations: new SqliteStateReconciliations(db, lists),
      leases: new SqliteStateLeases(db),
      tokens: new SqliteStateTokens(db),
      inbox: new SqliteStateInbox(db),
      activity: new SqliteStateActivity(db),
      alerts: new SqliteStateAlerts(db, lists),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
