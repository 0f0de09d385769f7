import pg from 'pg';
import type { Logger } from '../../core/logger.js';
import { redactUrl, type Secret } from '../../config/secret.js';
import type { PostgresConfig } from './postgres-config.js';
import { toConnectorError } from './postgres-errors.js';
import type { Statement } from './postgres-sql.js';
import { postgresTypes } from './postgres-values.js';

/** Milliseconds to wait for a connection before calling the server unreachable, unless `connectTimeout` says. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Session settings sent at connect time, so every pooled session prints timestamptz in UTC and
 * dates in ISO form whatever the server's or database's defaults (a URL's own `options` win).
 */
const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601';

/** The pg settings of one connection: URL, exact type parsers, UTC session, timeouts. */
export function clientConfig(url: Secret, config: PostgresConfig): pg.ClientConfig {
  const { statementTimeoutMs, connectTimeoutMs } = config;
  return {
    connectionString: url.reveal(),
    types: postgresTypes,
    options: SESSION_OPTIONS,
    application_name: 'syncline',
    connectionTimeoutMillis: connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    keepAlive: true,
    ...(statementTimeoutMs === undefined ? {} : { statement_timeout: statementTimeoutMs }),
  };
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

/** What a failure names: the operation, and the flow when there is one. */
export interface Operation {
  /** e.g. `reading sales.accounts`. */
  readonly operation: string;
  readonly flow?: string;
}

/**
 * The connector's sessions: a pg pool of `config.poolSize`, statements that an AbortSignal
 * cancels on the server, and driver errors turned into ConnectorErrors with secrets masked.
 */
export class PostgresPool {
  readonly #url: Secret;
  readonly #config: PostgresConfig;
  readonly #logger: Logger;
  readonly #pool: pg.Pool;
  /** The connection's name in the config, for messages. */
  readonly #name: string | undefined;

  constructor(config: PostgresConfig, logger: Logger, name?: string) {
    this.#name = name;
    this.#url = config.url;
    this.#config = config;
    this.#logger = logger;
    this.#pool = new pg.Pool({
      ...clientConfig(this.#url, config),
      max: config.poolSize,
      idleTimeoutMillis: 30_000,
    });
    this.#pool.on('error', (error) => {
      logger.warn('An idle PostgreSQL connection failed; the pool replaces it', {
        error: redactUrl(error.message),
      });
    });
  }

  /** `host:port` of the server, for messages. */
  get address(): string {
    return serverAddress(this.#url.reveal());
  }

  /** The URL and its password: what messages must never show. */
  secrets(): string[] {
    const url = this.#url.reveal();
    try {
      const password = decodeURIComponent(new URL(url).password);
      return password === '' ? [url] : [url, password];
    } catch {
      return [url];
    }
  }

  /** A session from the pool, unless the signal aborted meanwhile. */
  async connect(signal: AbortSignal): Promise<pg.PoolClient> {
    signal.throwIfAborted();
    const client = await this.#pool.connect();
    if (signal.aborted) {
      client.release();
      signal.throwIfAborted();
    }
    return client;
  }

  /** Runs `use` on a session; driver errors become ConnectorErrors, an abort throws its reason. */
  async withClient<T>(
    signal: AbortSignal,
    operation: Operation,
    use: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.connect(signal);
      const result = await use(client);
      client.release();
      return result;
    } catch (error) {
      // A session cancelled mid-statement is not reused; the pool drops broken ones by itself.
      client?.release(signal.aborted);
      if (signal.aborted) throw signal.reason;
      throw toConnectorError(error, {
        ...operation,
        secrets: this.secrets(),
        server: `${this.#name === undefined ? 'connection' : `connection "${this.#name}"`} at ${this.address}`,
      });
    }
  }

  /** The rows of one statement on a session of its own. */
  async query<R extends object>(
    statement: Statement,
    signal: AbortSignal,
    operation: Operation,
  ): Promise<R[]> {
    return this.withClient(
      signal,
      operation,
      async (client) => (await this.run<R>(client, statement, signal)).rows,
    );
  }

  /** One statement on a session; an abort cancels it on the server (pg takes no AbortSignal). */
  async run<R extends object>(
    client: pg.PoolClient,
    statement: Statement,
    signal: AbortSignal,
  ): Promise<pg.QueryResult<R>> {
    signal.throwIfAborted();
    const processId = (client as unknown as { processID?: number }).processID;
    const onAbort = (): void => {
      if (processId !== undefined) void this.#cancel(processId);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await client.query<R>(statement.text, statement.values);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async end(): Promise<void> {
    await this.#pool.end();
  }

  /** Cancels a session's statement from a short-lived session, so a full pool cannot delay it. */
  async #cancel(processId: number): Promise<void> {
    const client = new pg.Client(clientConfig(this.#url, this.#config));
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend($1)', [processId]);
    } catch (error) {
      this.#logger.debug('Could not cancel a PostgreSQL statement', { error: redactUrl(String(error)) });
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
