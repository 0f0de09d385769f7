import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** Counters of a Redis server at one instant. */
export interface RedisStats {
  /** `total_commands_processed`. */
  readonly commands: number;
  /** `used_cpu_user` + `used_cpu_sys`, seconds. */
  readonly cpuSeconds: number;
  /** Calls per command (`INFO commandstats`), e.g. `{ evalsha: 120, publish: 80 }`. */
  readonly calls: Readonly<Record<string, number>>;
}

/** Calls per command between two stats, most first. */
export function callsBetween(before: RedisStats, after: RedisStats): [string, number][] {
  return Object.entries(after.calls)
    .map(([command, calls]): [string, number] => [command, calls - (before.calls[command] ?? 0)])
    .filter(([, calls]) => calls > 0)
    .sort((a, b) => b[1] - a[1]);
}

/** A redis-server of the bench's own, so nobody else's commands enter its counts. */
export interface PrivateRedis {
  readonly url: string;
  readonly pid: number;
  /** The bench's own connection (for reading queue sizes). */
  readonly client: Redis;
  /** `INFO stats` total_commands_processed and `INFO cpu` used CPU seconds (user + sys) now. */
  stats(): Promise<RedisStats>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no free TCP port found'));
      });
    });
  });
}

function infoNumber(info: string, name: string): number {
  const value = new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1];
  if (value === undefined) throw new Error(`Redis INFO has no ${name}`);
  return Number(value);
}

/**
 * Starts `redis-server` on a free port, without persistence (`--save '' --appendonly no`), and
 * waits until it answers PING. BENCH_REDIS_SERVER names another binary (default `redis-server`).
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const binary = process.env['BENCH_REDIS_SERVER'] ?? 'redis-server';
  const child: ChildProcess = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: 'ignore' },
  );
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => {
      reject(new Error(`could not start ${binary} (set BENCH_REDIS_SERVER): ${error.message}`));
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  // Refused connections while the server starts are expected; the loop below retries.
  client.on('error', () => undefined);
  const ready = (async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        await client.connect();
        await client.ping();
        return;
      } catch {
        client.disconnect();
        await sleep(50);
      }
    }
    throw new Error(`${binary} on port ${port} did not answer PING within 5 s`);
  })();
  await Promise.race([ready, failed]);
  if (child.pid === undefined) throw new Error(`${binary} did not start`);
  return {
    url,
    pid: child.pid,
    client,
    stats: async () => {
      const info = await client.info('everything');
      const calls: Record<string, number> = {};
      for (const [, command = '', count = '0'] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
        calls[command] = Number(count);
      return {
        commands: infoNumber(info, 'total_commands_processed'),
        cpuSeconds: infoNumber(info, 'used_cpu_user') + infoNumber(info, 'used_cpu_sys'),
        calls,
      };
    },
    stop: async () => {
      client.disconnect();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
