import { ErrorCodes, type ErrorCode } from './error-codes.js';

/** Options of a SyncError beyond its code and message. */
export interface SyncErrorOptions {
  /** Overrides the code's default: whether trying the same operation again may succeed. */
  retryable?: boolean;
  /** The flow the error happened in, when known. */
  flow?: string;
  /** The source key of the record the error is about, when known. */
  key?: string;
  /** The target column at fault, when the system named it (`Data too long for column 'name'`). */
  field?: string;
  /** The error this one wraps. */
  cause?: unknown;
  /** Seconds the remote system asked us to wait before trying again (HTTP Retry-After). */
  retryAfterSeconds?: number;
}

/** The one error type of Syncline: a code, a readable message, and whether to retry. */
export class SyncError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly flow: string | undefined;
  readonly key: string | undefined;
  /** The target column at fault, when the system named it. */
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SyncError';
    this.code = code;
    this.retryable = options.retryable ?? ErrorCodes[code].retryable;
    this.flow = options.flow;
    this.key = options.key;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The error again from its JSON (`toJSON`), as another thread or process sent it. */
  static fromJSON(json: SyncErrorJson): SyncError {
    const { code, message, ...options } = json;
    return new SyncError(code, message, options);
  }

  /** Plain JSON, for crossing processes (BullMQ, HTTP) and for storing in the state store. */
  toJSON(): SyncErrorJson {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.flow === undefined ? {} : { flow: this.flow }),
      ...(this.key === undefined ? {} : { key: this.key }),
      ...(this.field === undefined ? {} : { field: this.field }),
    };
  }
}

/** A SyncError as plain JSON. */
export interface SyncErrorJson {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  flow?: string;
  key?: string;
  field?: string;
}

/** An error raised by a connector; its code says what the system answered. */
export class ConnectorError extends SyncError {
  constructor(code: ErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ConnectorError';
  }
}

/** An error raised by a state store: `STATE_STORE_FAILED` unless `options.code` says otherwise (`LEASE_LOST`). */
export class StateStoreError extends SyncError {
  constructor(message: string, options: SyncErrorOptions & { readonly code?: ErrorCode } = {}) {
    super(options.code ?? 'STATE_STORE_FAILED', message, options);
    this.name = 'StateStoreError';
  }
}

/** Codes that say a connection as a whole failed (unreachable, too slow to connect, refused credentials, full). */
const CONNECTION_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CONNECTOR_UNAVAILABLE',
  'CONNECTOR_TIMEOUT',
  'CONNECTOR_AUTH_FAILED',
  'CONNECTOR_TOO_MANY_CONNECTIONS',
]);

/**
 * Whether an error is about a connection as a whole rather than one statement or record: such an
 * error names the connection and its host, and is reported once for all flows sharing it.
 */
export function isConnectionFailure(error: unknown): boolean {
  return error instanceof SyncError && isConnectionFailureCode(error.code);
}

/** Whether a code is one of a connection failing as a whole (see isConnectionFailure). */
export function isConnectionFailureCode(code: ErrorCode): boolean {
  return CONNECTION_FAILURE_CODES.has(code);
}

/** Normalises anything thrown into a SyncError, once, at the cycle boundary. */
export function toSyncError(error: unknown, context: { flow?: string; key?: string } = {}): SyncError {
  if (error instanceof SyncError) {
    if (
      (context.flow === undefined || error.flow !== undefined) &&
      (context.key === undefined || error.key !== undefined)
    ) {
      return error;
    }
    return new SyncError(error.code, error.message, {
      retryable: error.retryable,
      flow: error.flow ?? context.flow,
      key: error.key ?? context.key,
      cause: error.cause,
      ...(error.field === undefined ? {} : { field: error.field }),
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    });
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new SyncError('CYCLE_ABORTED', 'The cycle was stopped before it finished', {
      ...context,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SyncError('INTERNAL', message, { ...context, cause: error });
}
