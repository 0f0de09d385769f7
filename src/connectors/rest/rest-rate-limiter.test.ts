import { describe, expect, it } from 'vitest';
import { RestRateLimiter } from './rest-rate-limiter.js';

describe('RestRateLimiter', () => {
  it('lets a burst of the limit start at once, then spaces starts so no window holds more', () => {
    let now = 1_000;
    const limiter = new RestRateLimiter(3, 1_000, () => now);
    const starts = Array.from({ length: 7 }, () => now + limiter.reserve());
    expect(starts).toEqual([1_000, 1_000, 1_000, 2_000, 2_000, 2_000, 3_000]);
    now = 10_000;
    expect(limiter.reserve()).toBe(0);
  });

  it('never reserves a start before an earlier one', () => {
    let now = 0;
    const limiter = new RestRateLimiter(2, 100, () => now);
    const starts: number[] = [];
    for (let index = 0; index < 20; index += 1) {
      starts.push(now + limiter.reserve());
      now += 30;
    }
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    for (const at of starts)
      expect(starts.filter((other) => other >= at && other < at + 100).length).toBeLessThanOrEqual(2);
  });
});
