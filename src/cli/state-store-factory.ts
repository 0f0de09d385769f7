import { SyncError } from '../core/errors.js';
import type { StateStore } from '../core/state-store.js';
import { SqliteStateStore } from '../state/sqlite/sqlite-state-store.js';

/** The default state store: an SQLite file in the working directory. */
export const DEFAULT_STATE_URL = 'sqlite:.syncline/state.db';

/** Opens the state store named by the config's `state:` URL. */
export async function openStateStore(url: string): Promise<StateStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    const store = new SqliteStateStore(path === '' ? DEFAULT_STATE_URL.slice('sqlite:'.length) : path);
    await store.init();
    return store;
  }
  const scheme = url.split(':')[0] ?? url;
  throw new SyncError(
    'STATE_STORE_UNSUPPORTED',
    `state: "${scheme}:" state stores are not available in this version; use "sqlite:<path>" (the PostgreSQL store for workers is planned)`,
  );
}
