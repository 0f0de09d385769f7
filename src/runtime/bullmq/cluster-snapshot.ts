import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SyncError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ClusterSnapshot, QueueDepth } from '../runtime.js';
import { CYCLE_QUEUE, LANE_QUEUE, redisNames, type BullmqSettings } from './bullmq-settings.js';
import type { WorkerHeartbeat } from './cycle-worker.js';
import { readLeader } from './leader-election.js';
import { redactUrl } from '../../config/secret.js';
import { closeRedis } from './redis-connection.js';

/** How long a cluster read waits for Redis before it gives up with `RUNTIME_UNAVAILABLE`. */
export const CLUSTER_READ_TIMEOUT_MS = 3_000;

/** The open connections a snapshot is read over: a Redis client and the queues by name. */
export interface ClusterSources {
  readonly redis: Redis;
  readonly queues: Readonly<Record<string, Queue>>;
}

async function depthOf(queue: Queue): Promise<QueueDepth> {
  const raw = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed');
  return {
    // A job with a priority waits in `prioritized`: to an operator it is waiting all the same.
    waiting: (raw.waiting ?? 0) + (raw.prioritized ?? 0),
    active: raw.active ?? 0,
    delayed: raw.delayed ?? 0,
    failed: raw.failed ?? 0,
    completed: raw.completed ?? 0,
  };
}

async function readWorkers(redis: Redis, pattern: string): Promise<WorkerHeartbeat[]> {
  const workers: WorkerHeartbeat[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0)
      for (const value of await redis.mget(...keys))
        if (value !== null) workers.push(JSON.parse(value) as WorkerHeartbeat);
  } while (cursor !== '0');
  return workers.sort((a, b) => a.id.localeCompare(b.id));
}

async function read(
  prefix: string,
  opening: ClusterSources | Promise<ClusterSources>,
): Promise<ClusterSnapshot> {
  const sources = await opening;
  const names = redisNames({ prefix });
  const leader = await readLeader(sources.redis, names.leader);
  const workers = await readWorkers(sources.redis, names.workerPattern);
  const queues: Record<string, QueueDepth> = {};
  for (const [name, queue] of Object.entries(sources.queues)) queues[name] = await depthOf(queue);
  return {
    runtime: 'bullmq',
    prefix,
    leader,
    workers,
    queues,
  };
}

/**
 * The leader, the workers (from their heartbeats) and the queue depths of a deployment, over
 * the connections given (or being opened). Gives up after `timeoutMs` (connections that wait for a reconnect
 * would wait forever) or on a Redis error, with `RUNTIME_UNAVAILABLE` naming Redis (password
 * masked) and `reason()`, the last connection error when known.
 */
export async function clusterSnapshotOf(
  settings: Pick<BullmqSettings, 'prefix' | 'redis'>,
  sources: ClusterSources | Promise<ClusterSources>,
  options: { readonly timeoutMs?: number; readonly reason?: () => string | undefined } = {},
): Promise<ClusterSnapshot> {
  const timeoutMs = options.timeoutMs ?? CLUSTER_READ_TIMEOUT_MS;
  const where = `Redis ${redactUrl(settings.redis)}`;
  const because = (fallback: string): string => {
    const reason = options.reason?.() ?? fallback;
    // A driver message may quote the URL: never with its password.
    return reason.replaceAll(settings.redis, redactUrl(settings.redis));
  };
  const timer = new AbortController();
  try {
    return await Promise.race([
      read(settings.prefix, sources),
      sleep(timeoutMs, undefined, { signal: timer.signal }).then(() => {
        throw new SyncError(
          'RUNTIME_UNAVAILABLE',
          `could not read the cluster from ${where} within ${String(timeoutMs / 1000)} s: ${because('no answer')}`,
        );
      }),
    ]);
  } catch (error) {
    if (error instanceof SyncError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new SyncError(
      'RUNTIME_UNAVAILABLE',
      `could not read the cluster from ${where}: ${because(message)}`,
      {
        cause: error,
      },
    );
  } finally {
    timer.abort();
  }
}

/**
 * Reads a deployment's cluster without running a runtime (`syncline status`): opens one light
 * connection that does not retry, reads, closes. Fails within about `timeoutMs` with
 * `RUNTIME_UNAVAILABLE` when Redis cannot be reached, saying why (password masked).
 */
export async function readClusterSnapshot(
  settings: Pick<BullmqSettings, 'prefix' | 'redis'>,
  logger?: Logger,
  timeoutMs: number = CLUSTER_READ_TIMEOUT_MS,
): Promise<ClusterSnapshot> {
  let lastError: string | undefined;
  const redis = new Redis(settings.redis, {
    connectionName: 'syncline-status',
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    // A status read does not wait for Redis to come back: one attempt, then the reason.
    retryStrategy: () => null,
  });
  redis.on('error', (error: Error) => {
    lastError = error.message;
    logger?.debug(`redis ${redactUrl(settings.redis)} (status): ${error.message}`);
  });
  const queues = {
    [CYCLE_QUEUE]: new Queue(CYCLE_QUEUE, { connection: redis, prefix: settings.prefix }),
    [LANE_QUEUE]: new Queue(LANE_QUEUE, { connection: redis, prefix: settings.prefix }),
  };
  for (const queue of Object.values(queues))
    queue.on('error', (error: Error) => (lastError ??= error.message));
  try {
    return await clusterSnapshotOf(settings, { redis, queues }, { timeoutMs, reason: () => lastError });
  } finally {
    await Promise.allSettled(Object.values(queues).map((queue) => queue.close()));
    await closeRedis(redis);
  }
}
