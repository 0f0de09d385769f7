import { setTimeout as sleep } from 'node:timers/promises';

/**
 * At most `requests` requests per `perMs` on one connection, shared by every flow that uses it (the
 * CLI makes one connector per connection). A generic cell-rate limiter: each request reserves the
 * next slot at once, in arrival order, so concurrent callers queue fairly; a burst of `requests`
 * passes at once after a quiet spell, and no window of `perMs` ever holds more than `requests`.
 */
export class RestRateLimiter {
  readonly #intervalMs: number;
  readonly #burstMs: number;
  readonly #now: () => number;
  /** When the next request would be due if requests came evenly spaced (the theoretical arrival time). */
  #due = Number.NEGATIVE_INFINITY;

  constructor(requests: number, perMs: number, now: () => number = Date.now) {
    this.#intervalMs = perMs / requests;
    this.#burstMs = perMs - this.#intervalMs;
    this.#now = now;
  }

  /** Milliseconds the next request must wait, reserving its slot. */
  reserve(): number {
    const now = this.#now();
    const due = Math.max(this.#due, now);
    this.#due = due + this.#intervalMs;
    return Math.max(0, due - this.#burstMs - now);
  }

  /** Waits for this request's slot. */
  async acquire(signal: AbortSignal): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await sleep(waitMs, undefined, { signal });
  }
}
