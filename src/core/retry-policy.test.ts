import { describe, expect, it, vi } from 'vitest';
import { ConnectorError, SyncError } from './errors.js';
import { backoffDelayMs, createRetryPolicy } from './retry-policy.js';

const settings = { attempts: 4, initialDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelayMs', () => {
  it('doubles per attempt with jitter between half and the full delay, capped at the maximum', () => {
    expect(backoffDelayMs(settings, 1, undefined, () => 0)).toBe(50);
    expect(backoffDelayMs(settings, 1, undefined, () => 1)).toBe(100);
    expect(backoffDelayMs(settings, 3, undefined, () => 1)).toBe(400);
    expect(backoffDelayMs(settings, 10, undefined, () => 1)).toBe(1_000);
  });
  it('waits at least as long as the Retry-After the target asked for', () => {
    const throttled = new ConnectorError('CONNECTOR_THROTTLED', 'slow down', { retryAfterSeconds: 7 });
    expect(backoffDelayMs(settings, 1, throttled, () => 0)).toBe(7_000);
  });
});

describe('createRetryPolicy', () => {
  it('retries retryable errors until the attempts run out, then throws the last one', async () => {
    vi.useFakeTimers();
    try {
      const policy = createRetryPolicy(settings);
      const call = vi.fn(() => Promise.reject(new ConnectorError('CONNECTOR_DEADLOCK', 'deadlock')));
      const outcome = policy.execute(call).catch((error: unknown) => error);
      await vi.runAllTimersAsync();
      const error = await outcome;
      expect(error).toBeInstanceOf(SyncError);
      expect(call).toHaveBeenCalledTimes(4);
    } finally {
      vi.useRealTimers();
    }
  });
  it('does not retry an error that is not retryable', async () => {
    const policy = createRetryPolicy(settings);
    const call = vi.fn(() => Promise.reject(new ConnectorError('CONNECTOR_VALUE_REJECTED', 'too long')));
    await expect(policy.execute(call)).rejects.toThrow('too long');
    expect(call).toHaveBeenCalledTimes(1);
  });
});
