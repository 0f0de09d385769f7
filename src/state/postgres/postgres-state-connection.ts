import pg from 'pg';
import type { Logger } from '../../core/logger.js';
import { redactText } from '../../config/secret.js';
import type { PostgresStateUrl } from './postgres-state-url.js';

/** Options of the PostgreSQL state store. */
export interface PostgresStateOptions {
  /** Most sessions the store's pool opens; default 10. */
  readonly poolSize?: number;
  /** Milliseconds to wait for a session before calling the server unreachable; default 10,000. */
  readonly connectTimeoutMs?: number;
  /** Told when an idle pooled session fails (the pool replaces it); nothing is told when absent. */
  readonly logger?: Logger;
}

/** Something statements run on: the pool (each statement on any session) or one session. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** pg's type OIDs the store reads its own way. */
const INT8 = 20;
const TIMESTAMPTZ = 1184;

/**
 * A timestamptz as the session prints it (UTC, ISO DateStyle: `2024-05-01 08:00:00.123456+00`) in
 * the shape the SQLite store returns: ISO 8601 UTC with milliseconds (`2024-05-01T08:00:00.123Z`).
 * Microseconds are cut, not rounded, so times keep their order.
 */
export function isoTimestamp(text: string): string {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/.exec(text);
  if (match === null) return text;
  return `${match[1]}T${match[2]}.${(match[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
}

/** The driver's own parsers, looked up by any OID (its typings list only the common ones). */
const driverParser = pg.types.getTypeParser as (
  oid: number,
  format?: 'text' | 'binary',
) => (text: string) => unknown;

/**
 * The store's own type parsers, so a process-wide `pg.types.setTypeParser` (a connector's) never
 * changes what it reads: bigint ids and counts as numbers (they stay far below 2^53),
 * timestamptz as ISO 8601 UTC text; everything else as pg's defaults.
 */
const stateTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return (text: string) => Number(text);
    if (oid === TIMESTAMPTZ) return isoTimestamp;
    return driverParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Opens the store's pool on `url`: its schema first on every session's search_path, UTC time. */
export function openPostgresStatePool(url: PostgresStateUrl, options: PostgresStateOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url.connectionString,
    options: url.options,
    types: stateTypes,
    application_name: 'syncline-state',
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle session that fails (a restarted server) is dropped by the pool; the next statement
  // opens a new one, and reports if that fails too.
  pool.on('error', (error) => {
    options.logger?.warn('An idle session of the PostgreSQL state store failed; the pool replaces it', {
      store: url.display,
      error: redactText(error.message, url.secrets),
    });
  });
  return pool;
}

/**
 * Runs `work` in one transaction on one session of `pool`: committed when it resolves, rolled
 * back when it throws. A session whose rollback failed is not reused.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
    throw error;
  }
}
