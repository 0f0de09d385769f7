import { setTimeout as sleep } from 'node:timers/promises';

/**
 * At most `requests` requests per `perMs` on one connection, shared by every flow that uses it (the
 * CLI makes one connector per connection): no window of `perMs` ever holds more than `requests`
 * starts. Each request reserves its start at once, in arrival order, so concurrent callers queue
 * fairly; after a quiet spell a burst of `requests` starts at once.
 */
export class RestRateLimiter {
  readonly #requests: number;
  readonly #perMs: number;
  readonly #now: () => number;
  /** The reserved start times of the last `requests` requests, oldest first. */
  readonly #starts: number[] = [];

  constructor(requests: number, perMs: number, now: () => number = Date.now) {
    this.#requests = requests;
    this.#perMs = perMs;
    this.#now = now;
  }

  /** Milliseconds the next request must wait, reserving its start. */
  reserve(): number {
    const now = this.#now();
    const oldest = this.#starts.length < this.#requests ? undefined : this.#starts[0];
    const start = Math.max(
      now,
      oldest === undefined ? now : oldest + this.#perMs,
      this.#starts.at(-1) ?? now,
    );
    this.#starts.push(start);
    if (this.#starts.length > this.#requests) this.#starts.shift();
    return start - now;
  }

  /** Waits for this request's start. */
  async acquire(signal: AbortSignal): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await sleep(waitMs, undefined, { signal });
  }
}
