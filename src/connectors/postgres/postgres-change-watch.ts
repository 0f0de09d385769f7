import type { ChangeWatch } from '../../core/connector.js';
import { hasChangeEvents } from './postgres-change-events.js';
import type { PostgresChangeListener } from './postgres-change-listener.js';
import type { PostgresPool } from './postgres-pool.js';
import type { TableName } from './postgres-sql.js';

/**
 * Subscribes to the NOTIFY of a table's trigger on the connector's one listening session
 * (`Connector.watchChanges`): whether the trigger is installed is checked at once and again after
 * each reconnect; the watch closes when `signal` aborts.
 */
export async function watchTableChanges(
  listener: PostgresChangeListener,
  pool: PostgresPool,
  table: TableName,
  flow: string,
  onChange: () => void,
  signal: AbortSignal,
): Promise<ChangeWatch> {
  signal.throwIfAborted();
  const check = (): Promise<boolean> => hasChangeEvents(pool, table, flow, signal).catch(() => false);
  const state = { isInstalled: false };
  const unsubscribe = await listener.subscribe(table.display, {
    onChange,
    onReconnect: () => {
      void check().then((isInstalled) => (state.isInstalled = isInstalled));
    },
  });
  state.isInstalled = await check();
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= unsubscribe());
  signal.addEventListener('abort', () => void close(), { once: true });
  return {
    get isInstalled() {
      return state.isInstalled;
    },
    close,
  };
}
