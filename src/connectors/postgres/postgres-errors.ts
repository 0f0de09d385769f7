import type { ErrorCode } from '../../core/error-codes.js';
import { ConnectorError, isConnectionFailureCode, SyncError } from '../../core/errors.js';
import { redactText } from '../../config/secret.js';

/** What an error happened during, so the message names it. */
export interface ErrorContext {
  /** e.g. `reading sales.accounts`, `writing public.customers`. */
  readonly operation: string;
  readonly flow?: string;
  /** The source key of the record at fault, when the connector could tell which one. */
  readonly key?: string;
  /** Secret values (the URL, the password) to mask should the driver echo them. */
  readonly secrets: readonly string[];
  /** The connection and its host, `connection "crm" at db:5432`, named when it fails as a whole. */
  readonly server?: string;
}

/** The fields of a driver error the mapping reads; pg's DatabaseError and Node's system errors. */
interface DriverErrorFields {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly detail?: unknown;
  readonly hint?: unknown;
  readonly column?: unknown;
  readonly constraint?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** Driver messages of a lost or never-made connection, which carry no code. */
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /server closed the connection/i,
];

/** The code, and whether to retry, of a SQLSTATE (pg `DatabaseError.code`). */
export function classifySqlState(sqlState: string): { code: ErrorCode; retryable: boolean } {
  const exact: Record<string, ErrorCode> = {
    '40P01': 'CONNECTOR_DEADLOCK',
    '40001': 'CONNECTOR_SERIALIZATION_FAILURE',
    '55P03': 'CONNECTOR_LOCK_TIMEOUT',
    '57014': 'CONNECTOR_TIMEOUT',
    '53300': 'CONNECTOR_TOO_MANY_CONNECTIONS',
    '57P01': 'CONNECTOR_UNAVAILABLE',
    '57P02': 'CONNECTOR_UNAVAILABLE',
    '57P03': 'CONNECTOR_UNAVAILABLE',
    '25P03': 'CONNECTOR_UNAVAILABLE',
    '42P01': 'CONNECTOR_TABLE_NOT_FOUND',
    '3F000': 'CONNECTOR_TABLE_NOT_FOUND',
    '42703': 'CONNECTOR_COLUMN_NOT_FOUND',
    '42P10': 'CONNECTOR_NO_UNIQUE_KEY',
    '42501': 'CONNECTOR_AUTH_FAILED',
    '40002': 'CONNECTOR_CONSTRAINT_VIOLATION',
  };
  const code = exact[sqlState];
  if (code !== undefined) return { code, retryable: isRetryableCode(code) };
  switch (sqlState.slice(0, 2)) {
    case '08': // connection exception
    case '53': // insufficient resources (disk full, out of memory): may pass
      return { code: 'CONNECTOR_UNAVAILABLE', retryable: true };
    case '40': // other transaction rollbacks
      return { code: 'CONNECTOR_SERIALIZATION_FAILURE', retryable: true };
    case '28': // invalid authorization
      return { code: 'CONNECTOR_AUTH_FAILED', retryable: false };
    case '23': // integrity constraint violation
      return { code: 'CONNECTOR_CONSTRAINT_VIOLATION', retryable: false };
    case '22': // data exception: too long, out of range, invalid text
      return { code: 'CONNECTOR_VALUE_REJECTED', retryable: false };
    case '3D': // the database does not exist
      return { code: 'CONNECTOR_UNAVAILABLE', retryable: false };
    default:
      return { code: 'CONNECTOR_QUERY_FAILED', retryable: false };
  }
}

function isRetryableCode(code: ErrorCode): boolean {
  return [
    'CONNECTOR_DEADLOCK',
    'CONNECTOR_SERIALIZATION_FAILURE',
    'CONNECTOR_LOCK_TIMEOUT',
    'CONNECTOR_TIMEOUT',
    'CONNECTOR_TOO_MANY_CONNECTIONS',
    'CONNECTOR_UNAVAILABLE',
  ].includes(code);
}

/** The code of any error the driver raised: SQLSTATE, network failure, or lost connection. */
export function classifyDriverError(error: unknown): { code: ErrorCode; retryable: boolean } {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as DriverErrorFields;
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  // Network codes first: `EPIPE` has the shape of a SQLSTATE too.
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return { code: code === 'ETIMEDOUT' ? 'CONNECTOR_TIMEOUT' : 'CONNECTOR_UNAVAILABLE', retryable: true };
  }
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) return classifySqlState(code);
  const message = errorReason(error);
  if (CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) {
    return {
      code: /timeout/i.test(message) ? 'CONNECTOR_TIMEOUT' : 'CONNECTOR_UNAVAILABLE',
      retryable: true,
    };
  }
  if (/SASL|password/i.test(message)) return { code: 'CONNECTOR_AUTH_FAILED', retryable: false };
  return { code: 'CONNECTOR_QUERY_FAILED', retryable: false };
}

/**
 * The readable reason of a thrown value. Node reports a refused connection to a name with several
 * addresses (`localhost`) as an AggregateError with an empty message; its parts say what happened.
 */
export function errorReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message !== '') return error.message;
  if (error instanceof AggregateError && error.errors.length > 0)
    return error.errors.map(errorReason).join('; ');
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}

/** The column and value of a unique or foreign key detail: `Key (id)=(42) already exists.` */
export function parseKeyDetail(detail: string): { column: string; value: string } | undefined {
  const match = /^Key \((.+?)\)=\((.*)\)/.exec(detail);
  return match === null ? undefined : { column: match[1] ?? '', value: match[2] ?? '' };
}

/**
 * The target column an error names: its `column` field (NOT NULL, 23502), or the one column of a
 * unique or foreign key detail (`Key (code)=(x) already exists.`).
 */
function columnAtFault(fields: DriverErrorFields): string | undefined {
  if (typeof fields.column === 'string' && fields.column !== '') return fields.column;
  const column = typeof fields.detail === 'string' ? parseKeyDetail(fields.detail)?.column : undefined;
  return column === undefined || column.includes(',') ? undefined : column.replace(/^"|"$/g, '');
}

/**
 * A driver error as a ConnectorError: its code and retryability decided here, its message naming
 * the operation and what PostgreSQL said (detail, column, constraint), secrets masked.
 * SyncErrors pass through unchanged.
 */
export function toConnectorError(error: unknown, context: ErrorContext): SyncError {
  if (error instanceof SyncError) return error;
  const { code, retryable } = classifyDriverError(error);
  const fields = (typeof error === 'object' && error !== null ? error : {}) as DriverErrorFields;
  const reason = errorReason(error);
  const server = context.server !== undefined && isConnectionFailureCode(code) ? ` ${context.server}` : '';
  const parts = [`PostgreSQL${server} failed ${context.operation}`];
  if (context.key !== undefined) parts.push(` (record ${JSON.stringify(context.key)})`);
  parts.push(`: ${reason}`);
  if (typeof fields.column === 'string' && !reason.includes(`"${fields.column}"`))
    parts.push(`; column "${fields.column}"`);
  if (typeof fields.detail === 'string') parts.push(`; ${fields.detail}`);
  if (typeof fields.hint === 'string') parts.push(` (hint: ${fields.hint})`);
  const sqlState = typeof fields.code === 'string' ? ` [${fields.code}]` : '';
  const field = columnAtFault(fields);
  return new ConnectorError(code, redactText(parts.join('') + sqlState, context.secrets), {
    retryable,
    cause: error,
    ...(context.flow === undefined ? {} : { flow: context.flow }),
    ...(context.key === undefined ? {} : { key: context.key }),
    ...(field === undefined ? {} : { field }),
  });
}
