/**
 * Part 1 of the scale-out bench: one partitioned backfill (`backfill: { lanes }`) PostgreSQL →
 * PostgreSQL, run by the local runtime (`syncline run --once`, lanes in worker threads: the
 * baseline) and by the BullMQ runtime (`syncline scheduler` + N `syncline worker` processes, lanes
 * as jobs on the `lanes` queue). Every case is verified by row count and per-row md5.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type pg from 'pg';
import { LANE_QUEUE } from '../src/runtime/bullmq/bullmq-settings.js';
import { redisOptions } from '../src/runtime/bullmq/redis-connection.js';
import type { StateStore } from '../src/core/state-store.js';
import { assertSameDigest, postgresDigest, type TableDigest } from './checksum.js';
import { createPostgresTarget } from './data-generator.js';
import type { PrivateRedis } from './private-redis.js';
import type { ScaleOutSettings } from './scale-out-settings.js';
import { customersFlowConfig } from './syncline-cycle.js';
import { SynclineProcess, type ProcessCost } from './syncline-process.js';

/** Where the backfill cases run: the databases, Redis, the state store and a scratch directory. */
export interface BackfillEnvironment {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  readonly target: pg.Client;
  readonly sourceTable: string;
  readonly sourceDigest: TableDigest;
  readonly redis: PrivateRedis;
  readonly stateUrl: string;
  readonly workDir: string;
  readonly log: (message: string) => void;
}

/** One measured backfill case. */
export interface BackfillCase {
  /** `local` or `bullmq`. */
  readonly runtime: 'local' | 'bullmq';
  /** `syncline worker` processes (0 for the local runtime). */
  readonly workers: number;
  /** Cycles and lanes each worker runs at once. */
  readonly concurrency: number;
  readonly rows: number;
  /** The backfill run's own duration, as the state store recorded it. */
  readonly runSeconds: number;
  /** From spawning the first Syncline process of the case (workers excluded) to the run's success. */
  readonly wallSeconds: number;
  readonly rowsPerSecond: number;
  /** Lanes the plan made, and how many each worker ran (BullMQ: `processedBy` of the lane jobs). */
  readonly lanes: number;
  readonly lanesPerWorker: readonly number[];
  readonly processes: readonly ProcessCost[];
  readonly verified: TableDigest;
}

/** The case's syncline.yaml (JSON is YAML). */
function writeConfig(
  env: BackfillEnvironment,
  name: string,
  settings: ScaleOutSettings,
  runtime: object | undefined,
): string {
  const file = join(env.workDir, `${name}.yaml`);
  const config = {
    state: env.stateUrl,
    ...(runtime === undefined ? {} : { runtime }),
    connections: {
      crm: { type: 'postgres', url: env.sourceUrl },
      erp: { type: 'postgres', url: env.targetUrl },
    },
    flows: {
      [name]: customersFlowConfig(env.sourceTable, name.replace(/-/g, '_'), settings.batch, {
        lanes: settings.lanes,
      }),
    },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Waits for the flow's first successful run; throws on a failed one or after `timeoutMs`. */
async function waitForSuccess(
  state: StateStore,
  flow: string,
  timeoutMs: number,
  processes: SynclineProcess[],
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [last] = await state.listRuns({ flow, limit: 1 });
    if (last?.status === 'succeeded') return last;
    if (last?.status === 'failed' || last?.status === 'aborted')
      throw new Error(
        `flow ${flow}: run ${last.id} ${last.status}: ${last.error?.message ?? ''}\n${processes.map((p) => `${p.role}: ${p.tail(5)}`).join('\n')}`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `flow ${flow} did not finish its backfill within ${timeoutMs / 1000} s\n${processes.map((p) => `${p.role}: ${p.tail(5)}`).join('\n')}`,
      );
    await sleep(100);
  }
}

async function finishCase(
  env: BackfillEnvironment,
  flow: string,
  base: Pick<BackfillCase, 'runtime' | 'workers' | 'concurrency' | 'lanesPerWorker'>,
  run: { readonly durationMs: number | undefined; readonly counts: { readonly read: number } },
  wallMs: number,
  processes: ProcessCost[],
  output: string,
): Promise<BackfillCase> {
  const table = flow.replace(/-/g, '_');
  const verified = await postgresDigest(env.target, table, 'crm_id');
  assertSameDigest(`scale-out backfill ${flow}`, env.sourceDigest, verified);
  const runSeconds = (run.durationMs ?? wallMs) / 1000;
  const lanes = Number(/backfill in (\d+) lanes/.exec(output)?.[1] ?? 1);
  return {
    ...base,
    rows: env.sourceDigest.rows,
    runSeconds,
    wallSeconds: wallMs / 1000,
    rowsPerSecond: env.sourceDigest.rows / runSeconds,
    lanes,
    processes,
    verified,
  };
}

/** The baseline: `syncline run --once` on a config without `runtime:` (lanes in worker threads). */
export async function runLocalCase(env: BackfillEnvironment, settings: ScaleOutSettings, state: StateStore) {
  const flow = 'backfill-local';
  await createPostgresTarget(env.target, flow.replace(/-/g, '_'));
  const config = writeConfig(env, flow, settings, undefined);
  env.log(`local runtime: syncline run --once (${settings.lanes} lanes in worker threads)`);
  const run = new SynclineProcess(
    'local-run',
    ['-c', config, '--log-level', 'info', 'run', '--once'],
    env.workDir,
  );
  const cost = await run.exited();
  const wallMs = performance.now() - run.startedAt;
  const [last] = await state.listRuns({ flow, limit: 1 });
  if (last?.status !== 'succeeded')
    throw new Error(`flow ${flow}: no successful run recorded\n${run.tail()}`);
  const base = { runtime: 'local', workers: 0, concurrency: settings.lanes, lanesPerWorker: [] } as const;
  return finishCase(env, flow, base, last, wallMs, [cost], run.output);
}

/**
 * BullMQ: `workers` worker processes started and ready first, then one `syncline scheduler`; the
 * case ends when the flow's first run succeeded. Each worker runs ceil(lanes / workers) jobs at
 * once, so every case runs all lanes at the same time, as the local runtime does.
 */
export async function runBullmqCase(
  env: BackfillEnvironment,
  settings: ScaleOutSettings,
  state: StateStore,
  workers: number,
): Promise<BackfillCase> {
  const flow = `backfill-w${workers}`;
  await createPostgresTarget(env.target, flow.replace(/-/g, '_'));
  const prefix = `bench-${randomBytes(3).toString('hex')}-w${workers}`;
  const concurrency = Math.ceil(settings.lanes / workers);
  const runtime = {
    type: 'bullmq',
    redis: env.redis.url,
    prefix,
    leaderLease: '3s',
    jobLease: '5s',
    concurrency,
  };
  const config = writeConfig(env, flow, settings, runtime);
  env.log(`BullMQ: ${workers} worker(s) × concurrency ${concurrency} + 1 scheduler (prefix ${prefix})`);
  const started: SynclineProcess[] = [];
  try {
    for (let index = 1; index <= workers; index++)
      started.push(
        new SynclineProcess(
          `worker-${index}`,
          ['-c', config, '--log-level', 'info', 'worker', '--concurrency', String(concurrency)],
          env.workDir,
        ),
      );
    await Promise.all(started.map((worker) => worker.waitFor(/takes cycle jobs/, 60_000)));
    const scheduler = new SynclineProcess(
      'scheduler',
      ['-c', config, '--log-level', 'info', 'scheduler'],
      env.workDir,
    );
    started.push(scheduler);
    const run = await waitForSuccess(state, flow, 600_000, started);
    const wallMs = performance.now() - scheduler.startedAt;
    const lanesPerWorker = await lanesByWorker(env.redis.url, prefix, started.slice(0, workers));
    const output = started.map((process) => process.output).join('\n');
    const costs: ProcessCost[] = [];
    // The scheduler first, so it queues nothing more while the workers drain.
    for (const process of [...started].reverse()) costs.push(await process.stop());
    started.length = 0;
    const base = { runtime: 'bullmq', workers, concurrency, lanesPerWorker } as const;
    return await finishCase(env, flow, base, run, wallMs, costs.reverse(), output);
  } finally {
    for (const process of started) await process.stop(2_000).catch(() => undefined);
  }
}

/** How many lane jobs each worker ran, from `processedBy` of the completed jobs on the lanes queue. */
async function lanesByWorker(
  redisUrl: string,
  prefix: string,
  workers: readonly SynclineProcess[],
): Promise<number[]> {
  const queue = new Queue(LANE_QUEUE, { connection: redisOptions(redisUrl, 'bench'), prefix });
  try {
    const jobs = await queue.getJobs(['completed', 'failed']);
    return workers.map(
      (worker) => jobs.filter((job) => job.processedBy?.split(':')[1] === String(worker.pid)).length,
    );
  } finally {
    await queue.close();
  }
}
