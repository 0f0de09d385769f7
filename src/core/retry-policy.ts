import { DelegateBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import type { RetrySettings } from './flow.js';
import { SyncError } from './errors.js';

/**
 * The delay before retry `attempt` (1-based): exponential from `initialDelayMs`, capped at
 * `maxDelayMs`, with "equal jitter" (half fixed, half random) so that many workers retrying the
 * same struggling target do not retry in step. A Retry-After from the target wins when longer.
 */
export function backoffDelayMs(
  settings: RetrySettings,
  attempt: number,
  error: unknown,
  random = Math.random,
): number {
  const exponential = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** (attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  const retryAfterMs =
    error instanceof SyncError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1_000 : 0;
  return Math.max(jittered, retryAfterMs);
}

/** Whether an error is worth trying again: a SyncError that says so. */
export function isRetryable(error: unknown): boolean {
  return error instanceof SyncError && error.retryable;
}

/** A cockatiel policy that retries retryable errors per the flow's settings. */
export function createRetryPolicy(
  settings: RetrySettings,
  onRetry?: (error: unknown, delayMs: number) => void,
): RetryPolicy {
  const policy = retry(handleWhen(isRetryable), {
    maxAttempts: Math.max(0, settings.attempts - 1),
    backoff: new DelegateBackoff((context) => {
      const error = 'error' in context.result ? context.result.error : undefined;
      return backoffDelayMs(settings, context.attempt, error);
    }),
  });
  if (onRetry !== undefined) {
    policy.onRetry((event) => {
      onRetry('error' in event ? event.error : undefined, event.delay);
    });
  }
  return policy;
}
