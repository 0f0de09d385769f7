import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { eventually } from './eventually.js';
import { freePort } from './free-port.js';

/** The redis-server binary a test starts its own Redis with; override with SYNCLINE_TEST_REDIS_SERVER. */
export const REDIS_SERVER_BINARY = process.env.SYNCLINE_TEST_REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * A Redis server of one test file, a child process on a port of its own, without persistence: a
 * test can crash and restart it (losing every key) without disturbing the shared Redis.
 */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Whether the server process runs now. */
  readonly isRunning: boolean;
  /** Starts the server (again) on its port and waits until it answers PING. */
  start(): Promise<void>;
  /** Kills the server with SIGKILL and waits for it to exit: every key is lost. */
  crash(): Promise<void>;
  /** Stops the server for good (SIGKILL: nothing is saved anyway). */
  stop(): Promise<void>;
  /** What the server printed, every start. */
  log(): string;
}

/** Whether a Redis at `url` answers PING now (one try, no reconnects). */
async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 500,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Starts a redis-server child on a free port of 127.0.0.1 and waits until it answers. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${String(port)}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  const start = async (): Promise<void> => {
    if (child !== undefined) throw new Error(`redis-server on port ${String(port)} is already running`);
    const started = spawn(
      REDIS_SERVER_BINARY,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => {
      started.on('exit', () => {
        if (child === started) child = undefined;
        resolve();
      });
    });
    await eventually(
      async () => {
        if (child !== started) throw new Error(`redis-server exited on start:\n${output}`);
        return answersPing(url);
      },
      `redis-server answers on port ${String(port)}`,
      { tries: 100, everyMs: 100 },
    );
  };

  const crash = async (): Promise<void> => {
    if (child === undefined) return;
    child.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    port,
    url,
    get isRunning() {
      return child !== undefined;
    },
    start,
    crash,
    stop: crash,
    log: () => output,
  };
}
