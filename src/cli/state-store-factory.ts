import { SyncError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { StateMigrationResult } from '../core/state-migration.js';
import type { StateStore } from '../core/state-store.js';
import { migratePostgresState } from '../state/postgres/postgres-state-schema.js';
import { PostgresStateStore } from '../state/postgres/postgres-state-store.js';
import { migrateSqliteStateFile } from '../state/sqlite/sqlite-state-schema.js';
import { SqliteStateStore } from '../state/sqlite/sqlite-state-store.js';

/** The default state store: an SQLite file in the working directory. */
export const DEFAULT_STATE_URL = 'sqlite:.syncline/state.db';

/** The kind of state store a `state:` URL names, and where. */
type StateLocation =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

/** Reads a `state:` URL: `sqlite:<path>`, `postgres://…` or `postgresql://…`; refuses any other scheme. */
function locate(url: string): StateLocation {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return { kind: 'sqlite', file: path === '' ? DEFAULT_STATE_URL.slice('sqlite:'.length) : path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  const scheme = url.split(':')[0] ?? url;
  throw new SyncError(
    'STATE_STORE_UNSUPPORTED',
    `state: "${scheme}:" state stores are not supported; use "sqlite:<path>" or "postgres://user@host/database[?schema=name]"`,
  );
}

/**
 * Opens the state store named by the config's `state:` URL, its schema migrated (`init()`).
 * `logger` is told when an idle session of a PostgreSQL store's pool fails (the pool replaces it).
 */
export async function openStateStore(url: string, logger?: Logger): Promise<StateStore> {
  const location = locate(url);
  const store =
    location.kind === 'sqlite'
      ? new SqliteStateStore(location.file)
      : new PostgresStateStore(location.url, logger === undefined ? {} : { logger });
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/** Applies the missing migrations of the state store named by `url` (`syncline migrate`). */
export function migrateStateStore(url: string): Promise<StateMigrationResult> {
  const location = locate(url);
  return location.kind === 'sqlite'
    ? migrateSqliteStateFile(location.file)
    : migratePostgresState(location.url);
}
