import { redactText } from '../../config/secret.js';
import { parseRetryAfter, toHttpNetworkError } from '../../core/http-errors.js';
import type { ErrorCode } from '../../core/error-codes.js';
import { ConnectorError } from '../../core/errors.js';

/** What a failed call was about, for the error message. */
export interface TrytonErrorContext {
  /** The connection's name. */
  readonly connection: string;
  /** The JSON-RPC method, `model.party.party.create`; never the session. */
  readonly method: string;
  /** Texts to mask in any message (the password, the session). */
  readonly secrets: readonly string[];
}

/**
 * Whether an error is the record's (Tryton refused the values: a UserError, an access or record
 * rule, an unknown field, a warning) rather than the system's trouble. A record's error is a
 * refused outcome; anything else is thrown and the batch retried.
 */
export function isRecordError(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError && RECORD_CODES.has(error.code);
}

const RECORD_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CONNECTOR_VALUE_REJECTED',
  'CONNECTOR_CONSTRAINT_VIOLATION',
  'CONNECTOR_COLUMN_NOT_FOUND',
]);

/** The first `field "Label"` a Tryton message names (`A value is required for field "Party" in "Address".`). */
export function fieldLabelOf(message: string): string | undefined {
  return /field "([^"]+)"/.exec(message)?.[1];
}

/** The field definition a domain violation carries (`[domain, {name: 'product', …}]`), by name. */
function domainFieldName(detail: unknown): string | undefined {
  if (!Array.isArray(detail)) return undefined;
  const definition: unknown = detail[1];
  if (typeof definition !== 'object' || definition === null) return undefined;
  const name = (definition as Record<string, unknown>)['name'];
  return typeof name === 'string' ? name : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The `error` member of a JSON-RPC answer (HTTP 200) as a ConnectorError:
 *
 * - `["UserError", [message, description, domain]]`: the record's (`CONNECTOR_CONSTRAINT_VIOLATION`
 *   for a unique constraint, else `CONNECTOR_VALUE_REJECTED`), Tryton's message kept, `field` when
 *   a domain definition or `labels` (field label → name) names one.
 * - `["UserWarning", [name, message, description]]`: the record's too.
 * - `["'name'", ""]` (a KeyError): an unknown model (`CONNECTOR_TABLE_NOT_FOUND`) or field
 *   (`CONNECTOR_COLUMN_NOT_FOUND`, the record's, with `field`).
 * - `["ConcurrencyException", message]`, `database is locked`: retryable.
 * - `["LoginException", …]`: refused credentials.
 * - any other exception: `CONNECTOR_QUERY_FAILED`, not retryable.
 */
export function toTrytonRpcError(
  error: unknown,
  context: TrytonErrorContext,
  labels: ReadonlyMap<string, string> = new Map(),
): ConnectorError {
  const parts = Array.isArray(error) ? (error as unknown[]) : [error];
  const kind = text(parts[0]);
  const where = `${context.method} at connection "${context.connection}"`;
  const clean = (message: string): string => redactText(message, context.secrets);
  if (kind === 'UserError' || kind === 'UserWarning') {
    const args = Array.isArray(parts[1]) ? (parts[1] as unknown[]) : [parts[1]];
    const message = clean(text(kind === 'UserWarning' ? args[1] : args[0]));
    const label = fieldLabelOf(message);
    const field = domainFieldName(args[2]) ?? (label === undefined ? undefined : labels.get(label));
    const code: ErrorCode = /must be unique/i.test(message)
      ? 'CONNECTOR_CONSTRAINT_VIOLATION'
      : 'CONNECTOR_VALUE_REJECTED';
    return new ConnectorError(code, message, { ...(field === undefined ? {} : { field }) });
  }
  if (kind === 'ConcurrencyException')
    return new ConnectorError('CONNECTOR_SERIALIZATION_FAILURE', `${where}: ${clean(text(parts[1]))}`, {
      retryable: true,
    });
  if (kind === 'LoginException')
    return new ConnectorError('CONNECTOR_AUTH_FAILED', `${where}: Tryton asked for ${clean(text(parts[1]))}`);
  const keyError = /^'([^']+)'$/.exec(kind);
  if (keyError?.[1] !== undefined) {
    const name = keyError[1];
    const model = /^model\.(.+)\.[^.]+$/.exec(context.method)?.[1];
    if (name === model)
      return new ConnectorError('CONNECTOR_TABLE_NOT_FOUND', `${where}: Tryton has no model "${name}"`);
    return new ConnectorError(
      'CONNECTOR_COLUMN_NOT_FOUND',
      `${where}: Tryton has no field "${name}"${model === undefined ? '' : ` in model "${model}"`}`,
      { field: name },
    );
  }
  if (/database is locked/i.test(kind))
    return new ConnectorError('CONNECTOR_LOCK_TIMEOUT', `${where}: ${clean(kind)}`);
  return new ConnectorError('CONNECTOR_QUERY_FAILED', `${where}: ${clean(kind)}`);
}

/**
 * An HTTP status other than 200 as a ConnectorError: 429 and 503 are throttling (with
 * Retry-After), other 5xx unavailability (both retryable), 401 refused credentials, 403 a method
 * Tryton does not expose.
 */
export function toTrytonHttpError(
  status: number,
  retryAfter: string | null,
  context: TrytonErrorContext,
  now: number = Date.now(),
): ConnectorError {
  const where = `${context.method} at connection "${context.connection}"`;
  const wait = parseRetryAfter(retryAfter, now);
  const waitOptions = wait === undefined ? {} : { retryAfterSeconds: wait };
  if (status === 429 || status === 503)
    return new ConnectorError(
      'CONNECTOR_THROTTLED',
      `${where} was throttled: HTTP ${status}${wait === undefined ? '' : ` (Retry-After ${wait} s)`}`,
      waitOptions,
    );
  if (status === 401)
    return new ConnectorError(
      'CONNECTOR_AUTH_FAILED',
      `${where}: Tryton refused the login or session (HTTP 401)`,
    );
  if (status === 403)
    return new ConnectorError(
      'CONNECTOR_QUERY_FAILED',
      `${where}: Tryton does not expose this method (HTTP 403)`,
    );
  if (status >= 500)
    return new ConnectorError('CONNECTOR_UNAVAILABLE', `${where}: HTTP ${status}`, waitOptions);
  return new ConnectorError('CONNECTOR_QUERY_FAILED', `${where}: HTTP ${status}`);
}

/** A call that got no HTTP answer: a timeout, or a refused/reset connection; both retryable. */
export function toTrytonNetworkError(
  error: unknown,
  context: TrytonErrorContext,
  timedOut: boolean,
  timeoutMs: number,
): Error {
  const where = `${context.method} at connection "${context.connection}"`;
  return toHttpNetworkError(error, where, context.secrets, timedOut, timeoutMs);
}
