import { redactText } from '../config/secret.js';
import { ConnectorError } from './errors.js';

/**
 * Seconds to wait from an HTTP `Retry-After` header: delay-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`, counted from `now`). Undefined when absent or unreadable.
 * Shared by every connector that speaks HTTP (REST, Tryton).
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1_000));
}

/**
 * An HTTP call that got no answer, as a retryable ConnectorError: past the per-call timeout a
 * `CONNECTOR_TIMEOUT`, anything else (refused connection, reset, DNS) `CONNECTOR_UNAVAILABLE` with
 * the cause's message, `secrets` masked. An abort of the cycle itself is returned unchanged.
 * `where` names the call, e.g. `PUT customers at connection "erp"`.
 */
export function toHttpNetworkError(
  error: unknown,
  where: string,
  secrets: readonly string[],
  timedOut: boolean,
  timeoutMs: number,
): Error {
  if (timedOut)
    return new ConnectorError('CONNECTOR_TIMEOUT', `${where} got no answer within ${timeoutMs} ms`, {
      cause: error,
    });
  if (error instanceof Error && error.name === 'AbortError') return error;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ConnectorError('CONNECTOR_UNAVAILABLE', `${where} failed: ${redactText(reason, secrets)}`, {
    cause: error,
  });
}
