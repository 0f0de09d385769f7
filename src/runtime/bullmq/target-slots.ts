import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

// Takes a slot when fewer than ARGV[3] unexpired holders are in the set: expired holders (a worker
// that died holding one) are dropped first, on Redis's clock.
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0`;

/** How long a slot lasts without renewal (renewed every third while its cycle runs), by default. */
const SLOT_TTL_MS = 30_000;
/** How often a waiting cycle tries again for a slot. */
const RETRY_MS = 250;

/**
 * Slots of a target connection shared by every worker of a deployment (`runtime.limits`): at
 * most `limit` cycles write to the connection at once, wherever they run. A slot held by a worker
 * that died expires after half a minute.
 */
export class TargetSlots {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #limit: number;
  readonly #ttlMs: number;

  constructor(redis: Redis, key: string, limit: number, ttlMs = SLOT_TTL_MS) {
    this.#redis = redis;
    this.#key = key;
    this.#limit = limit;
    this.#ttlMs = ttlMs;
  }

  /**
   * Waits for a slot (told once through `onWait` when it has to), then holds it, renewed, until
   * the returned release is called; undefined when `signal` fired while waiting.
   */
  async take(
    holder: string,
    signal: AbortSignal,
    onWait: () => void,
  ): Promise<(() => Promise<void>) | undefined> {
    let hasWaited = false;
    while (!(await this.#tryTake(holder))) {
      if (!hasWaited) onWait();
      hasWaited = true;
      await sleep(RETRY_MS, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return undefined;
    }
    const renewal = setInterval(() => {
      void this.#tryTake(holder).catch(() => undefined);
    }, this.#ttlMs / 3);
    renewal.unref();
    return async () => {
      clearInterval(renewal);
      await this.#redis.zrem(this.#key, holder).catch(() => undefined);
    };
  }

  async #tryTake(holder: string): Promise<boolean> {
    const reply = await this.#redis.eval(
      ACQUIRE,
      1,
      this.#key,
      holder,
      String(this.#ttlMs),
      String(this.#limit),
    );
    return reply === 1;
  }
}
