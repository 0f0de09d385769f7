import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { BULLMQ_DEFAULTS, type BullmqSettings } from '../../src/runtime/bullmq/bullmq-settings.js';

/** The Redis every test uses (started by .ci/run). */
export const REDIS_URL = process.env.SYNCLINE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test uses. */
export function uniquePrefix(label = 'test'): string {
  return `syncline-${label}-${randomUUID().slice(0, 8)}`;
}

/** Settings of a test deployment under its own prefix, with short leases. */
export function testSettings(prefix: string, overrides: Partial<BullmqSettings> = {}): BullmqSettings {
  const defaults: BullmqSettings = {
    redis: REDIS_URL,
    prefix,
    leaderLeaseMs: 3_000,
    jobLeaseMs: 5_000,
    concurrency: BULLMQ_DEFAULTS.concurrency,
  };
  return { ...defaults, ...overrides };
}

/** Deletes every key of a prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
