import type { TargetRecord } from '../../core/connector.js';
import type { ErrorCode } from '../../core/error-codes.js';
import { ConnectorError, isConnectionFailureCode, SyncError } from '../../core/errors.js';
import { redactText } from '../../config/secret.js';
import type { Value } from '../../core/values.js';
import { UnstorableMysqlValue } from './mysql-values.js';

/** The fields of a mysql2 error this module reads. */
export interface MysqlDriverError {
  /** Symbolic code: `ER_LOCK_DEADLOCK`, or a Node network code such as `ECONNREFUSED`. */
  readonly code?: string;
  /** The server's error number, e.g. 1213. */
  readonly errno?: number;
  /** The server's own message. */
  readonly sqlMessage?: string;
  /** The Error message (network errors have no sqlMessage). */
  readonly message?: string;
}

/** Where an error happened, for the message and the SyncError fields. */
export interface MysqlErrorContext {
  readonly flow?: string;
  /** The table as configured. */
  readonly table?: string;
  /** The source key of the record at fault, when known. */
  readonly key?: string;
  /** Values to scrub from driver messages (the password). */
  readonly secrets?: readonly string[];
  /** The connection and its host, `connection "erp" at db:3306`, named when it fails as a whole. */
  readonly server?: string;
}

/** Server error numbers → Syncline error codes. */
const BY_ERRNO: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [1213, 'CONNECTOR_DEADLOCK'], // ER_LOCK_DEADLOCK
  [1205, 'CONNECTOR_LOCK_TIMEOUT'], // ER_LOCK_WAIT_TIMEOUT
  [1040, 'CONNECTOR_TOO_MANY_CONNECTIONS'], // ER_CON_COUNT_ERROR
  [1203, 'CONNECTOR_TOO_MANY_CONNECTIONS'], // ER_TOO_MANY_USER_CONNECTIONS
  [1226, 'CONNECTOR_THROTTLED'], // ER_USER_LIMIT_REACHED
  [1053, 'CONNECTOR_UNAVAILABLE'], // ER_SERVER_SHUTDOWN
  [1927, 'CONNECTOR_UNAVAILABLE'], // ER_CONNECTION_KILLED (MariaDB)
  [2002, 'CONNECTOR_UNAVAILABLE'], // CR_CONNECTION_ERROR
  [2003, 'CONNECTOR_UNAVAILABLE'], // CR_CONN_HOST_ERROR
  [2006, 'CONNECTOR_UNAVAILABLE'], // CR_SERVER_GONE_ERROR
  [2013, 'CONNECTOR_UNAVAILABLE'], // CR_SERVER_LOST
  [1969, 'CONNECTOR_TIMEOUT'], // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
  [3024, 'CONNECTOR_TIMEOUT'], // ER_QUERY_TIMEOUT (MySQL max_execution_time)
  [1045, 'CONNECTOR_AUTH_FAILED'], // ER_ACCESS_DENIED_ERROR
  [1044, 'CONNECTOR_AUTH_FAILED'], // ER_DBACCESS_DENIED_ERROR
  [1142, 'CONNECTOR_AUTH_FAILED'], // ER_TABLEACCESS_DENIED_ERROR
  [1143, 'CONNECTOR_AUTH_FAILED'], // ER_COLUMNACCESS_DENIED_ERROR
  [1049, 'CONNECTOR_TABLE_NOT_FOUND'], // ER_BAD_DB_ERROR
  [1146, 'CONNECTOR_TABLE_NOT_FOUND'], // ER_NO_SUCH_TABLE
  [1054, 'CONNECTOR_COLUMN_NOT_FOUND'], // ER_BAD_FIELD_ERROR
  [1062, 'CONNECTOR_CONSTRAINT_VIOLATION'], // ER_DUP_ENTRY
  [1451, 'CONNECTOR_CONSTRAINT_VIOLATION'], // ER_ROW_IS_REFERENCED_2
  [1452, 'CONNECTOR_CONSTRAINT_VIOLATION'], // ER_NO_REFERENCED_ROW_2
  [1048, 'CONNECTOR_CONSTRAINT_VIOLATION'], // ER_BAD_NULL_ERROR
  [1364, 'CONNECTOR_CONSTRAINT_VIOLATION'], // ER_NO_DEFAULT_FOR_FIELD
  [3819, 'CONNECTOR_CONSTRAINT_VIOLATION'], // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
  [4025, 'CONNECTOR_CONSTRAINT_VIOLATION'], // ER_CONSTRAINT_FAILED (MariaDB)
  [1406, 'CONNECTOR_VALUE_REJECTED'], // ER_DATA_TOO_LONG
  [1264, 'CONNECTOR_VALUE_REJECTED'], // ER_WARN_DATA_OUT_OF_RANGE
  [1366, 'CONNECTOR_VALUE_REJECTED'], // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  [1292, 'CONNECTOR_VALUE_REJECTED'], // ER_TRUNCATED_WRONG_VALUE
  [1265, 'CONNECTOR_VALUE_REJECTED'], // WARN_DATA_TRUNCATED
  [1367, 'CONNECTOR_VALUE_REJECTED'], // ER_ILLEGAL_VALUE_FOR_TYPE
  [3140, 'CONNECTOR_VALUE_REJECTED'], // ER_INVALID_JSON_TEXT (MySQL)
  [1153, 'CONNECTOR_VALUE_REJECTED'], // ER_NET_PACKET_TOO_LARGE
]);

/** Client-side (Node and mysql2) error codes → Syncline error codes. */
const BY_CODE: ReadonlyMap<string, ErrorCode> = new Map<string, ErrorCode>([
  ['PROTOCOL_CONNECTION_LOST', 'CONNECTOR_UNAVAILABLE'],
  ['ECONNRESET', 'CONNECTOR_UNAVAILABLE'],
  ['ECONNREFUSED', 'CONNECTOR_UNAVAILABLE'],
  ['EPIPE', 'CONNECTOR_UNAVAILABLE'],
  ['EHOSTUNREACH', 'CONNECTOR_UNAVAILABLE'],
  ['ENETUNREACH', 'CONNECTOR_UNAVAILABLE'],
  ['EAI_AGAIN', 'CONNECTOR_UNAVAILABLE'],
  ['ENOTFOUND', 'CONNECTOR_UNAVAILABLE'],
  ['ETIMEDOUT', 'CONNECTOR_TIMEOUT'],
  ['PROTOCOL_SEQUENCE_TIMEOUT', 'CONNECTOR_TIMEOUT'],
  ['ER_LOCK_DEADLOCK', 'CONNECTOR_DEADLOCK'],
  ['ER_LOCK_WAIT_TIMEOUT', 'CONNECTOR_LOCK_TIMEOUT'],
  ['ER_CON_COUNT_ERROR', 'CONNECTOR_TOO_MANY_CONNECTIONS'],
]);

/** What to tell the reader to do, per code, after the server's own words. */
const ADVICE: Partial<Record<ErrorCode, string>> = {
  CONNECTOR_DEADLOCK: 'the batch was rolled back and will be retried',
  CONNECTOR_LOCK_TIMEOUT:
    'another transaction held a lock too long; the batch was rolled back and will be retried',
  CONNECTOR_TOO_MANY_CONNECTIONS:
    'the server has no free connection slots; lower poolSize or raise max_connections',
  CONNECTOR_UNAVAILABLE: 'check that the server is running and reachable',
  CONNECTOR_AUTH_FAILED: 'check the user, password and grants in the connection URL',
  CONNECTOR_TABLE_NOT_FOUND: 'check the table name and the database in the connection URL',
};

/** The numeric server error of a mysql2 error, also when only the symbolic code is set. */
function errnoOf(error: MysqlDriverError): number | undefined {
  if (typeof error.errno === 'number' && error.errno > 0) return error.errno;
  return undefined;
}

/** The Syncline code of a driver error, or undefined when it is not a known database failure. */
export function classifyMysqlError(error: MysqlDriverError): ErrorCode | undefined {
  const errno = errnoOf(error);
  const byErrno = errno === undefined ? undefined : BY_ERRNO.get(errno);
  return byErrno ?? (error.code === undefined ? undefined : BY_CODE.get(error.code));
}

/**
 * MariaDB's error 4025 (`CONSTRAINT \`c\` failed for \`db\`.\`t\``) is a CHECK constraint
 * violation, but mysql2 names the number with MySQL's symbol for it
 * (`ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE`). Recognised by its message, so MySQL's own 4025 keeps
 * its name.
 */
const MARIADB_CHECK_FAILED = /^CONSTRAINT `((?:[^`]|``)+)` failed/;

/** The constraint a MariaDB CHECK violation (4025) names, if the error is one. */
export function failedCheckConstraintOf(error: MysqlDriverError): string | undefined {
  if (error.errno !== 4025) return undefined;
  return MARIADB_CHECK_FAILED.exec(error.sqlMessage ?? error.message ?? '')?.[1]?.replace(/``/g, '`');
}

/** The label shown in brackets after the server's message: its code, corrected where misleading. */
function labelOf(driver: MysqlDriverError): string | undefined {
  const constraint = failedCheckConstraintOf(driver);
  if (constraint !== undefined) return `CHECK constraint "${constraint}" violated, MariaDB error 4025`;
  return driver.code;
}

function driverMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const driver = error as MysqlDriverError;
    const text = driver.sqlMessage ?? driver.message;
    const label = labelOf(driver);
    if (text !== undefined && text !== '') return label === undefined ? text : `${text} [${label}]`;
    if (driver.code !== undefined) return driver.code;
  }
  return String(error);
}

/**
 * A mysql2 (or network) error as a ConnectorError: deadlocks, lock waits, lost or refused
 * connections and full connection tables are retryable; constraint violations and rejected
 * values are not. The message names the table and key and never holds the password.
 */
export function toConnectorError(error: unknown, context: MysqlErrorContext = {}): SyncError {
  if (error instanceof SyncError) return error;
  const driver = typeof error === 'object' && error !== null ? (error as MysqlDriverError) : {};
  const code =
    error instanceof UnstorableMysqlValue
      ? 'CONNECTOR_VALUE_REJECTED'
      : (classifyMysqlError(driver) ?? 'CONNECTOR_QUERY_FAILED');
  const namesServer = context.server !== undefined && isConnectionFailureCode(code);
  const where = [
    context.flow === undefined ? undefined : `Flow "${context.flow}"`,
    context.table === undefined
      ? `MySQL${namesServer ? ` ${context.server}` : ''}`
      : `MySQL table ${context.table}${namesServer ? ` (${context.server})` : ''}`,
    context.key === undefined ? undefined : `record ${JSON.stringify(context.key)}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const advice = ADVICE[code];
  const message = redactText(
    `${where}: ${driverMessage(error)}${advice === undefined ? '' : ` (${advice})`}`,
    context.secrets ?? [],
  );
  const field = columnAtFaultOf(error);
  return new ConnectorError(code, message, {
    cause: error,
    ...(context.flow === undefined ? {} : { flow: context.flow }),
    ...(context.key === undefined ? {} : { key: context.key }),
    ...(field === undefined ? {} : { field }),
  });
}

/** Messages naming the column at fault, each with the column as its first group. */
const COLUMN_MESSAGES: readonly RegExp[] = [
  /for column '([^']+)'/, // 1406 Data too long, 1264 Out of range, 1265 Data truncated
  /for column `[^`]*`\.`[^`]*`\.`([^`]+)`/, // 1366 Incorrect integer value … for column `db`.`t`.`c` (MariaDB)
  /^Column '([^']+)' cannot be null/, // 1048
  /^Field '([^']+)' doesn't have a default value/, // 1364
];

/** The target column a server message names (`Data too long for column 'name' at row 1`), if any. */
export function columnAtFaultOf(error: unknown): string | undefined {
  const text =
    typeof error === 'object' && error !== null ? ((error as MysqlDriverError).sqlMessage ?? '') : '';
  for (const pattern of COLUMN_MESSAGES) {
    const column = pattern.exec(text)?.[1];
    if (column !== undefined) return column;
  }
  return undefined;
}

/** The 1-based row number a server message points at (`… at row 3`), if any. */
export function rowNumberOf(error: unknown): number | undefined {
  const match = / at row (\d+)/.exec(driverMessage(error));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The entry a duplicate-key message names (`Duplicate entry 'x' for key 'k'`), if any. */
export function duplicateEntryOf(error: unknown): string | undefined {
  const match = /Duplicate entry '((?:[^']|'')*)' for key/.exec(driverMessage(error));
  return match?.[1];
}

/** The column a NOT NULL message names (`Column 'name' cannot be null`), if any. */
export function nullColumnOf(error: unknown): string | undefined {
  const match = /Column '([^']+)' cannot be null/.exec(driverMessage(error));
  return match?.[1];
}

function asText(value: Value | undefined): string | undefined {
  if (value === true) return '1';
  if (value === false) return '0';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/**
 * The source key of the record a failed statement's error points at: the record itself when the
 * statement wrote one, the row number of `… at row N`, the record holding the value of
 * `Duplicate entry 'x'` (the later one, which collided), or the record with a NULL in the column
 * of `Column 'c' cannot be null`.
 */
export function keyAtFault(error: unknown, records: readonly TargetRecord[]): string | undefined {
  if (records.length === 1) return records[0]?.key;
  const row = rowNumberOf(error);
  if (row !== undefined) return records[row - 1]?.key;
  const entry = duplicateEntryOf(error)?.replace(/''/g, "'");
  if (entry !== undefined) {
    return records.findLast((record) => Object.values(record.values).some((value) => asText(value) === entry))
      ?.key;
  }
  const column = nullColumnOf(error)?.toLowerCase();
  if (column !== undefined) {
    return records.find((record) =>
      Object.entries(record.values).some(([name, value]) => name.toLowerCase() === column && value === null),
    )?.key;
  }
  return undefined;
}
