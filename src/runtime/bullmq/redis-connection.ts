import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from '../../config/secret.js';
import type { Logger } from '../../core/logger.js';

/** One error message per connection at most this often while Redis stays down. */
const ERROR_LOG_EVERY_MS = 30_000;

/**
 * The connection options of a Redis URL (`redis://[user:password@]host:port[/db]`, `rediss://` for
 * TLS), for BullMQ queues and workers that open and close connections of their own.
 */
export function redisOptions(url: string, role: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname === '' ? '127.0.0.1' : parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    connectionName: `syncline-${role}`,
    showFriendlyErrorStack: true,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  };
}

/**
 * A Redis connection as BullMQ wants it (`maxRetriesPerRequest: null`: commands wait for a
 * reconnect instead of failing), reconnecting every 0.2–2 s while Redis is down, its errors logged
 * once per half-minute with the password masked.
 */
export function openRedis(url: string, role: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: `syncline-${role}`,
    showFriendlyErrorStack: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastLoggedAt = 0;
  let down = false;
  redis.on('error', (error: Error) => {
    const now = Date.now();
    down = true;
    if (now - lastLoggedAt < ERROR_LOG_EVERY_MS) return;
    lastLoggedAt = now;
    logger.warn(`redis ${redactUrl(url)} (${role}): ${error.message}; reconnecting`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    lastLoggedAt = 0;
    logger.info(`redis ${redactUrl(url)} (${role}): connected again`);
  });
  return redis;
}

/** Closes a connection, quickly when Redis is unreachable. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    // The timer is unref'd: a process that has nothing else to do exits without waiting for it.
    await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  } catch {
    // Already closing or unreachable: disconnect below.
  }
  redis.disconnect();
}
