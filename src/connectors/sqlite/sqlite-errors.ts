import type { ErrorCode } from '../../core/error-codes.js';
import { ConnectorError, SyncError } from '../../core/errors.js';

/** What the connector was doing when SQLite failed, so the message names it. */
export interface SqliteErrorContext {
  /** The database file (or `:memory:`). */
  readonly path: string;
  readonly flow?: string;
  /** The table as configured. */
  readonly table?: string;
  /** The source key of the record, when one record is to blame. */
  readonly key?: string;
}

interface Mapping {
  readonly code: ErrorCode;
  readonly reason: string;
  /** Overrides the code's default. */
  readonly retryable?: boolean;
}

function driverCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function byMessage(message: string): Mapping | undefined {
  const table = /no such table: (\S+)/.exec(message);
  if (table !== null)
    return { code: 'CONNECTOR_TABLE_NOT_FOUND', reason: `table ${table[1] ?? ''} does not exist` };
  const column = /no such column: (\S+)|has no column named (\S+)/.exec(message);
  if (column !== null)
    return {
      code: 'CONNECTOR_COLUMN_NOT_FOUND',
      reason: `column ${column[1] ?? column[2] ?? ''} does not exist`,
    };
  if (message.includes('ON CONFLICT clause does not match')) {
    return { code: 'CONNECTOR_NO_UNIQUE_KEY', reason: 'the key column has no unique index or primary key' };
  }
  if (message.includes('directory does not exist'))
    return { code: 'CONNECTOR_UNAVAILABLE', reason: 'its directory does not exist', retryable: false };
  if (message.includes('can only bind')) return { code: 'CONNECTOR_VALUE_REJECTED', reason: message };
  return undefined;
}

function byCode(code: string, message: string): Mapping | undefined {
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return {
      code: 'CONNECTOR_LOCK_TIMEOUT',
      reason: `another connection held the lock past the busy timeout (${message})`,
    };
  }
  if (code.startsWith('SQLITE_CONSTRAINT'))
    return { code: 'CONNECTOR_CONSTRAINT_VIOLATION', reason: message };
  if (code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG')
    return { code: 'CONNECTOR_VALUE_REJECTED', reason: message };
  if (code.startsWith('SQLITE_CANTOPEN'))
    return { code: 'CONNECTOR_UNAVAILABLE', reason: `the file cannot be opened (${message})` };
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL' || code === 'SQLITE_PROTOCOL') {
    return { code: 'CONNECTOR_UNAVAILABLE', reason: `disk or file error (${message})` };
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return { code: 'CONNECTOR_QUERY_FAILED', reason: `the database is read-only (${message})` };
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return {
      code: 'CONNECTOR_QUERY_FAILED',
      reason: `the file is not a healthy SQLite database (${message})`,
    };
  }
  if (code === 'SQLITE_AUTH' || code.startsWith('SQLITE_PERM'))
    return { code: 'CONNECTOR_AUTH_FAILED', reason: message };
  if (code === 'SQLITE_INTERRUPT') return { code: 'CYCLE_ABORTED', reason: message };
  return undefined;
}

/**
 * Maps a better-sqlite3 error to a ConnectorError and decides whether it is worth retrying: locks
 * (SQLITE_BUSY, SQLITE_LOCKED) and file I/O are; constraints, bad values and missing tables or
 * columns are not. A SyncError passes through unchanged.
 */
export function toSqliteConnectorError(error: unknown, context: SqliteErrorContext): SyncError {
  if (error instanceof SyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const mapping = byMessage(message) ??
    byCode(driverCode(error), message) ?? { code: 'CONNECTOR_QUERY_FAILED', reason: message };
  const flow = context.flow === undefined ? '' : `Flow "${context.flow}": `;
  const table = context.table === undefined ? '' : ` table ${context.table} of`;
  const key = context.key === undefined ? '' : ` (record ${context.key})`;
  // `NOT NULL constraint failed: customers.name`, `UNIQUE constraint failed: customers.code`
  const field = /^(?:NOT NULL|UNIQUE) constraint failed: [^.\s,]+\.([^.\s,]+)$/.exec(message)?.[1];
  return new ConnectorError(mapping.code, `${flow}SQLite${table} ${context.path}${key}: ${mapping.reason}`, {
    cause: error,
    ...(field === undefined ? {} : { field }),
    ...(mapping.retryable === undefined ? {} : { retryable: mapping.retryable }),
    ...(context.flow === undefined ? {} : { flow: context.flow }),
    ...(context.key === undefined ? {} : { key: context.key }),
  });
}
