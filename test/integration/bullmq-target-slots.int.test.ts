import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetSlots } from '../../src/runtime/bullmq/target-slots.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';

describe('TargetSlots (runtime.limits) on a real Redis', () => {
  const prefix = uniquePrefix('slots');
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await dropPrefix(prefix);
  });

  it('lets at most `limit` holders in at once, across connections, and every waiter in eventually', async () => {
    const key = `${prefix}:slots:erp`;
    const connections = [new Redis(REDIS_URL), new Redis(REDIS_URL), new Redis(REDIS_URL)];
    let holding = 0;
    let most = 0;
    let waited = 0;
    try {
      await Promise.all(
        Array.from({ length: 9 }, async (_, index) => {
          const slots = new TargetSlots(connections[index % 3] as Redis, key, 2);
          const release = await slots.take(`job-${index}`, new AbortController().signal, () => {
            waited += 1;
          });
          expect(release).toBeDefined();
          holding += 1;
          most = Math.max(most, holding);
          await sleep(40);
          holding -= 1;
          await release?.();
        }),
      );
    } finally {
      for (const connection of connections) connection.disconnect();
    }
    expect(most).toBe(2);
    expect(waited).toBeGreaterThanOrEqual(7);
    expect(await redis.zcard(key)).toBe(0);
  });

  it('frees the slot of a holder that died once its time runs out; a stopped waiter gives up', async () => {
    const key = `${prefix}:slots:dead`;
    const dying = new Redis(REDIS_URL);
    const dead = await new TargetSlots(dying, key, 1, 600).take(
      'dead-worker',
      new AbortController().signal,
      () => undefined,
    );
    expect(dead).toBeDefined();
    dying.disconnect(); // Its renewals fail from now on, as a killed worker's would.

    const stop = new AbortController();
    const gaveUp = new TargetSlots(redis, key, 1, 600).take('stopped', stop.signal, () => {
      stop.abort();
    });
    expect(await gaveUp).toBeUndefined();

    const started = Date.now();
    const release = await new TargetSlots(redis, key, 1, 600).take(
      'next',
      new AbortController().signal,
      () => undefined,
    );
    expect(release).toBeDefined();
    expect(Date.now() - started).toBeGreaterThan(200);
    await release?.();
  });
});
