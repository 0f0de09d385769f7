import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StateStoreError } from '../../core/errors.js';
import type { StateMigrationResult } from '../../core/state-migration.js';
import { SQLITE_BUSY_TIMEOUT_MS, settleSqliteCall } from './sqlite-state-errors.js';
import { sqliteMigrations, type SqliteMigration } from './sqlite-state-migrations.js';

/**
 * Brings the schema of `db` up to the newest migration. Idempotent, and safe when two processes
 * start at once: the version is read and the steps applied inside one write transaction.
 * Returns the versions before and after, and the descriptions of the steps applied.
 */
export function applySqliteMigrations(
  db: Database.Database,
  file: string,
  migrations: readonly SqliteMigration[] = sqliteMigrations,
): StateMigrationResult {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const newest = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const apply = db.transaction((): StateMigrationResult => {
    const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as {
      version: number | null;
    };
    const current = row.version ?? 0;
    if (current > newest) {
      throw new StateStoreError(
        `State store ${file} has schema version ${current}, newer than this Syncline knows (${newest}); upgrade Syncline`,
        { retryable: false },
      );
    }
    const record = db.prepare(
      'INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)',
    );
    const applied: string[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.description, new Date().toISOString());
      applied.push(migration.description);
    }
    return { from: current, to: Math.max(current, newest), applied };
  });
  return apply.immediate();
}

/** `applySqliteMigrations`, returning the schema version after migrating. */
export function migrateSqliteState(
  db: Database.Database,
  file: string,
  migrations: readonly SqliteMigration[] = sqliteMigrations,
): number {
  return applySqliteMigrations(db, file, migrations).to;
}

/**
 * `syncline migrate` for a SQLite state store: opens `file` (its directory is created when
 * missing), applies the missing migrations and closes it again.
 */
export function migrateSqliteStateFile(file: string): Promise<StateMigrationResult> {
  return settleSqliteCall({ file, operation: 'migrate the schema' }, () => {
    if (file !== ':memory:' && file !== '') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    try {
      db.pragma('journal_mode = WAL');
      return applySqliteMigrations(db, file);
    } finally {
      db.close();
    }
  });
}
