import mysql, { type Pool } from 'mysql2/promise';
import type { Logger } from '../../core/logger.js';
import { redactText } from '../../config/secret.js';
import type { MysqlConfig } from './mysql-config.js';
import type { UpsertSyntax } from './mysql-sql.js';

/**
 * Session settings of every pooled connection: UTC, so TIMESTAMP values read and written are
 * UTC; strict mode for every table, so a too-long or out-of-range value is an error rather than
 * a warning and a silently truncated row; and no NO_BACKSLASH_ESCAPES or ANSI_QUOTES, which the
 * driver's escaping and our backtick quoting rely on.
 */
export const SESSION_SQL =
  "SET time_zone = '+00:00', " +
  "sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION', " +
  'NAMES utf8mb4';

/** How long a new connection may take to open when the config sets no `connectTimeout`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** What the connector adapts to, read once from the server. */
export interface ServerInfo {
  /** `VERSION()`, e.g. `10.11.19-MariaDB-0+deb12u1` or `8.0.36`. */
  readonly version: string;
  readonly isMariaDb: boolean;
  readonly upsertSyntax: UpsertSyntax;
  /** `@@max_allowed_packet`, in bytes. */
  readonly maxPacketBytes: number;
  /** Whether the server accepts `LOAD DATA LOCAL INFILE` (`@@local_infile`). */
  readonly hasLocalInfile: boolean;
}

/** The password of a connection URL, to scrub from messages. */
export function secretsOf(url: string): string[] {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? [] : [password, encodeURIComponent(password)];
  } catch {
    return [];
  }
}

/** `host:port/database` of a connection URL, for messages (no user or password). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port === '' ? '3306' : parsed.port}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** Whether a server version understands `INSERT … AS alias ON DUPLICATE KEY UPDATE` (MySQL 8.0.20+). */
export function upsertSyntaxFor(version: string): UpsertSyntax {
  if (/mariadb/i.test(version)) return 'values-function';
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (match === null) return 'values-function';
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  const isAtLeast8020 = major > 8 || (major === 8 && (minor > 0 || patch >= 20));
  return isAtLeast8020 ? 'row-alias' : 'values-function';
}

/** `MariaDB 10.11.19` or `MySQL 8.0.36`, from `VERSION()`. */
export function serverName(version: string): string {
  const number = /^[\d.]+/.exec(version)?.[0] ?? version;
  return /mariadb/i.test(version) ? `MariaDB ${number}` : `MySQL ${number}`;
}

/**
 * The connection pool: strings for dates, DECIMAL, BIGINT and JSON (the connector converts them
 * to canonical values per column), utf8mb4, and the session settings above on every connection.
 */
export function createMysqlPool(config: MysqlConfig, logger: Logger): Pool {
  const url = config.url.reveal();
  const pool = mysql.createPool({
    uri: url,
    connectionLimit: config.poolSize,
    maxIdle: config.poolSize,
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    multipleStatements: false,
    connectTimeout: config.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
    enableKeepAlive: true,
  });
  pool.pool.on('connection', (connection) => {
    // Queued before any other command of this connection, so nothing runs without these settings.
    const lockWait =
      config.lockWaitTimeout === undefined
        ? ''
        : `, innodb_lock_wait_timeout = ${Math.max(1, Math.ceil(config.lockWaitTimeout / 1000))}`;
    connection.query(SESSION_SQL + lockWait, (error: Error | null) => {
      if (error === null) return;
      logger.error('MySQL session setup failed; dropping the connection', {
        error: redactText(error.message, secretsOf(url)),
      });
      connection.destroy();
    });
  });
  return pool;
}

/** Reads what the connector adapts to: flavour, version, packet size, LOCAL INFILE. */
export async function readServerInfo(pool: Pool): Promise<ServerInfo> {
  const [rows] = await pool.query(
    'SELECT VERSION() AS version, @@max_allowed_packet AS maxPacket, @@local_infile AS localInfile',
  );
  const row = (rows as Record<string, unknown>[])[0] ?? {};
  const version = String(row.version);
  return {
    version,
    isMariaDb: /mariadb/i.test(version),
    upsertSyntax: upsertSyntaxFor(version),
    maxPacketBytes: Number(row.maxPacket),
    hasLocalInfile: Number(row.localInfile) === 1,
  };
}
