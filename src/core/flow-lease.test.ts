import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepLease } from './flow-lease.js';
import type { LeaseFence, StateStore } from './state-store.js';

const TTL_MS = 3_000;
const FENCE: LeaseFence = { flow: 'orders', owner: 'worker-a', token: 4 };

/** A state store whose renewals answer with `answers`, in turn (the last one repeats). */
function renewing(...answers: (LeaseFence | undefined | Error)[]): StateStore {
  let call = 0;
  const acquireLease = (): Promise<LeaseFence | undefined> => {
    const answer = answers[Math.min(call, answers.length - 1)];
    call += 1;
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { acquireLease } as unknown as StateStore;
}

describe('keepLease', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps quiet while each renewal returns the same token', async () => {
    const onLost = vi.fn();
    const stop = keepLease(renewing(FENCE), FENCE, TTL_MS, onLost);
    await vi.advanceTimersByTimeAsync(TTL_MS * 3);
    stop();
    expect(onLost).not.toHaveBeenCalled();
  });

  it('reports the lease lost when another owner holds it', async () => {
    const onLost = vi.fn();
    const stop = keepLease(renewing(FENCE, undefined), FENCE, TTL_MS, onLost);
    await vi.advanceTimersByTimeAsync(TTL_MS);
    stop();
    expect(onLost).toHaveBeenCalledWith('another process took the flow lease');
  });

  it('reports the lease lost when the renewal comes back with another token (held by another owner meanwhile)', async () => {
    const onLost = vi.fn();
    const stop = keepLease(renewing({ ...FENCE, token: 5 }), FENCE, TTL_MS, onLost);
    await vi.advanceTimersByTimeAsync(TTL_MS / 3);
    stop();
    expect(onLost).toHaveBeenCalledWith(expect.stringContaining('while this one was paused'));
  });

  it('reports the lease lost when the renewal fails', async () => {
    const onLost = vi.fn();
    const stop = keepLease(renewing(new Error('disk full')), FENCE, TTL_MS, onLost);
    await vi.advanceTimersByTimeAsync(TTL_MS / 3);
    stop();
    expect(onLost).toHaveBeenCalledWith(expect.stringContaining('disk full'));
  });
});
