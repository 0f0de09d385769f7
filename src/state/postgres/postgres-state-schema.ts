import type pg from 'pg';
import { StateStoreError } from '../../core/errors.js';
import type { StateMigrationResult } from '../../core/state-migration.js';
import { openPostgresStatePool } from './postgres-state-connection.js';
import { toPostgresStateError } from './postgres-state-errors.js';
import { postgresMigrations, type PostgresMigration } from './postgres-state-migrations.js';
import { parsePostgresStateUrl, quoteIdentifier, type PostgresStateUrl } from './postgres-state-url.js';

/**
 * The session advisory lock every Syncline process takes while it migrates a state database
 * (`pg_advisory_lock`), so two processes starting at once apply each migration once. One
 * constant for every schema of the database: migrations are rare and short.
 */
export const MIGRATION_LOCK_KEY = 0x53594e43; // "SYNC"

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS syncline_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * Brings the schema of `url` up to the newest of `migrations` on one session of `pool`: creates
 * the schema when missing, then applies each missing migration in a transaction of its own,
 * recorded in `syncline_migrations`, all under MIGRATION_LOCK_KEY (released in finally). Refuses
 * a schema newer than this code knows, naming both versions.
 */
export async function migratePostgresSchema(
  pool: pg.Pool,
  url: PostgresStateUrl,
  migrations: readonly PostgresMigration[] = postgresMigrations,
): Promise<StateMigrationResult> {
  const newest = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const client = await pool.connect();
  let isBroken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      // Created only when missing: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even then.
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [url.schema]);
      if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdentifier(url.schema)}`);
      await client.query(MIGRATIONS_TABLE);
      const { rows } = await client.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM syncline_migrations',
      );
      const from = rows[0]?.version ?? 0;
      if (from > newest) {
        throw new StateStoreError(
          `State store ${url.display}: schema "${url.schema}" is at version ${from}, newer than this Syncline knows (${newest}); upgrade Syncline`,
          { retryable: false },
        );
      }
      const applied: string[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (migration.version <= from) continue;
        await applyMigration(client, migration);
        applied.push(migration.name);
      }
      return { from, to: Math.max(from, newest), applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {
        // The lock ends with the session: this one is closed instead of going back to the pool.
        isBroken = true;
      });
    }
  } catch (error) {
    if (!(error instanceof StateStoreError)) isBroken = true;
    throw error;
  } finally {
    client.release(isBroken);
  }
}

async function applyMigration(client: pg.PoolClient, migration: PostgresMigration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query('INSERT INTO syncline_migrations (version, name) VALUES ($1, $2)', [
      migration.version,
      migration.name,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * `syncline migrate` for a PostgreSQL state store: opens `url` (schema from `?schema=`),
 * applies the missing migrations and closes again.
 */
export async function migratePostgresState(url: string): Promise<StateMigrationResult> {
  const parsed = parsePostgresStateUrl(url);
  const pool = openPostgresStatePool(parsed, { poolSize: 1 });
  try {
    return await migratePostgresSchema(pool, parsed);
  } catch (error) {
    throw toPostgresStateError(error, {
      store: parsed.display,
      operation: 'migrate the schema',
      secrets: parsed.secrets,
    });
  } finally {
    await pool.end();
  }
}
