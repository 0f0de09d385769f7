import pg from 'pg';
import type { Logger } from '../../core/logger.js';
import type { Secret } from '../../core/secret.js';
import { redactUrl } from '../../core/secret.js';
import { parseDurationMs } from '../../config/duration.js';
import type { PostgresConfig } from './postgres-config.js';
import { postgresTypes } from './postgres-values.js';

/** Milliseconds to wait for a connection before calling the server unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Session settings sent at connect time, so every pooled session prints timestamptz in UTC and
 * dates in ISO form whatever the server's defaults (a URL's own `options` take precedence).
 */
const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601';

/** The pg settings of one connection: URL, exact type parsers, UTC session, timeouts. */
export function clientConfig(url: Secret, config: PostgresConfig): pg.ClientConfig {
  const statementTimeoutMs = config.statementTimeout === undefined ? undefined : parseDurationMs(config.statementTimeout);
  return {
    connectionString: url.reveal(),
    types: postgresTypes,
    options: SESSION_OPTIONS,
    application_name: 'syncline',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    ...(statementTimeoutMs === undefined ? {} : { statement_timeout: statementTimeoutMs }),
  };
}

/** A pool of `config.poolSize` sessions; errors of idle sessions are logged, never thrown. */
export function createPostgresPool(url: Secret, config: PostgresConfig, logger: Logger): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(url, config), max: config.poolSize, idleTimeoutMillis: 30_000 });
  pool.on('error', (error) => {
    logger.warn('An idle PostgreSQL connection failed; the pool replaces it', { error: redactUrl(error.message) });
  });
  return pool;
}

/** `host:port` of a connection URL, for messages (never the user or password). */
export function serverAddress(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname === '' ? (parsed.searchParams.get('host') ?? 'localhost') : parsed.hostname;
    return `${host}:${parsed.port === '' ? '5432' : parsed.port}`;
  } catch {
    return 'the configured server';
  }
}

/**
 * Asks the server to cancel the statement a session is running (the driver has no AbortSignal),
 * from a short-lived session of its own so a full pool cannot delay it.
 */
export async function cancelBackend(url: Secret, config: PostgresConfig, processId: number, logger: Logger): Promise<void> {
  const client = new pg.Client(clientConfig(url, config));
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT pg_cancel_backend($1)', [processId]);
  } catch (error) {
    logger.debug('Could not cancel a PostgreSQL statement', { error: redactUrl(String(error)) });
  } finally {
    await client.end().catch(() => undefined);
  }
}
