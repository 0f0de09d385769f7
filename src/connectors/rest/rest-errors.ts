import { ConnectorError } from '../../core/errors.js';
import type { ErrorCode } from '../../core/error-codes.js';
import { redactText } from '../../config/secret.js';
import { parseRetryAfter, toHttpNetworkError } from '../../core/http-errors.js';
import { getJsonPath } from './rest-json-path.js';

const BODY_EXCERPT_CHARS = 300;

/** What a failed request was about, for the error message. */
export interface RestErrorContext {
  /** The connection's name. */
  readonly connection: string;
  /** e.g. `PUT customers`; never the full URL, which may hold a secret. */
  readonly request: string;
  /** Texts to mask in any message (the URL, header values). */
  readonly secrets: readonly string[];
}

export { parseRetryAfter };

/** The error code an HTTP status maps to, or undefined for a success. */
export function restStatusCode(status: number): ErrorCode | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) return 'CONNECTOR_THROTTLED';
  if (status === 408 || status === 504) return 'CONNECTOR_TIMEOUT';
  if (status === 502 || status === 503) return 'CONNECTOR_UNAVAILABLE';
  if (status === 401 || status === 403) return 'CONNECTOR_AUTH_FAILED';
  if (status === 404) return 'CONNECTOR_TABLE_NOT_FOUND';
  if (status === 400 || status === 409 || status === 422) return 'CONNECTOR_VALUE_REJECTED';
  if (status >= 500) return 'CONNECTOR_UNAVAILABLE';
  return 'CONNECTOR_QUERY_FAILED';
}

/**
 * An HTTP answer that is not 2xx, as a ConnectorError: 429 is throttling with its Retry-After,
 * 408/502/503/504 (and other 5xx) are retryable, 401/403 are refused credentials, 404 an unknown
 * table, 400/409/422 a rejected record (with the first 300 characters of the body).
 */
export function toRestStatusError(
  status: number,
  body: string,
  retryAfterHeader: string | null,
  context: RestErrorContext,
  now: number = Date.now(),
): ConnectorError {
  const code = restStatusCode(status) ?? 'CONNECTOR_QUERY_FAILED';
  const retryAfterSeconds = parseRetryAfter(retryAfterHeader, now);
  const excerpt = redactText(body.trim().slice(0, BODY_EXCERPT_CHARS), context.secrets);
  const where = `${context.request} at connection "${context.connection}"`;
  const wait = retryAfterSeconds === undefined ? '' : ` (Retry-After ${retryAfterSeconds} s)`;
  const detail = excerpt === '' ? '' : `: ${excerpt}`;
  const message =
    code === 'CONNECTOR_THROTTLED'
      ? `${where} was throttled: HTTP 429${wait}`
      : code === 'CONNECTOR_TABLE_NOT_FOUND'
        ? `${where}: HTTP 404, the API has no such table${detail}`
        : `${where}: HTTP ${status}${wait}${detail}`;
  return new ConnectorError(code, message, {
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

/**
 * A request that got no HTTP answer: the per-request timeout is a retryable timeout, anything
 * else (refused connection, reset, DNS) is a retryable unavailability. An abort of the cycle
 * itself is rethrown unchanged.
 */
export function toRestNetworkError(
  error: unknown,
  context: RestErrorContext,
  timedOut: boolean,
  timeoutMs: number,
): Error {
  const where = `${context.request} at connection "${context.connection}"`;
  return toHttpNetworkError(error, where, context.secrets, timedOut, timeoutMs);
}

/** Where an error body names its message and field, when the config says (`errors.message`, `errors.field`). */
export interface RefusalPaths {
  readonly message?: string | undefined;
  readonly field?: string | undefined;
}

// Common shapes: `{message}`, `{error:{message}}`, OAuth's `{error_description}`, RFC 9457
// problem details `{detail, invalid-params:[{name}]}`, `{errors:[{message, field}]}`, HubSpot's
// `{message, context:{propertyName:[…]}}`.
const MESSAGE_PATHS = [
  'message',
  'error.message',
  'error_description',
  'detail',
  'title',
  'error',
  'errors[0].message',
];
const FIELD_PATHS = [
  'field',
  'error.field',
  'errors[0].field',
  'errors[0].in',
  'invalid-params[0].name',
  'context.propertyName',
];

function textAt(body: unknown, path: string): string | undefined {
  let value = getJsonPath(body, path);
  if (Array.isArray(value)) value = value[0] as unknown;
  if (typeof value === 'string' && value.trim() !== '') return value;
  return typeof value === 'number' ? String(value) : undefined;
}

/**
 * The system's own words about a record it refused: the message (or the body's first 300
 * characters when no message is found) and the field it named, if any; secrets masked.
 */
export function refusalOf(
  body: unknown,
  text: string,
  paths: RefusalPaths,
  secrets: readonly string[],
): { message: string; field?: string } {
  const first = (candidates: readonly (string | undefined)[]): string | undefined => {
    for (const path of candidates) {
      if (path === undefined) continue;
      const found = textAt(body, path);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const message = first([paths.message, ...MESSAGE_PATHS]) ?? text.trim().slice(0, BODY_EXCERPT_CHARS);
  const field = first([paths.field, ...FIELD_PATHS]);
  return {
    message: redactText(message, secrets),
    ...(field === undefined ? {} : { field }),
  };
}
