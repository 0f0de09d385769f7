import type Database from 'better-sqlite3';
import { StateStoreError } from '../../core/errors.js';
import { sqliteMigrations, type SqliteMigration } from './sqlite-state-migrations.js';

/**
 * Brings the schema of `db` up to the newest migration. Idempotent, and safe when two processes
 * start at once: the version is read and the steps applied inside one write transaction.
 * Returns the schema version after migrating.
 */
export function migrateSqliteState(
  db: Database.Database,
  file: string,
  migrations: readonly SqliteMigration[] = sqliteMigrations,
): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const newest = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const apply = db.transaction(() => {
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
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.description, new Date().toISOString());
    }
    return Math.max(current, newest);
  });
  return apply.immediate();
}
