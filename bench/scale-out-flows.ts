/**
 * Part 2 of the scale-out bench: scheduling overhead. BENCH_FLOWS flows, each from its own
 * one-row PostgreSQL table into its own target table (`cadence: { every: 1s }`), planned by one
 * `syncline scheduler` and run by BENCH_FLOWS_WORKERS `syncline worker` processes on the bench's
 * own Redis. Measures start-up with that many flows, then, over a fixed window: cycles/s, scheduler
 * CPU per second and per cycle, Redis commands and Redis CPU per cycle, and the scheduler's RSS.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { StateStore } from '../src/core/state-store.js';
import { callsBetween, type PrivateRedis } from './private-redis.js';
import type { ScaleOutSettings } from './scale-out-settings.js';
import { sampleProcess, SynclineProcess, type ProcessCost, type ProcSample } from './syncline-process.js';

/** Tables made per statement: one transaction locks every table it creates (max_locks_per_transaction). */
const TABLES_PER_STATEMENT = 500;

export interface FlowsEnvironment {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  readonly source: pg.Client;
  readonly target: pg.Client;
  readonly redis: PrivateRedis;
  readonly stateUrl: string;
  readonly workDir: string;
  readonly log: (message: string) => void;
}

/** What the scheduling part measured. */
export interface FlowsResult {
  readonly flows: number;
  readonly everySeconds: number;
  readonly workers: number;
  readonly concurrency: number;
  /** Worker start-up (spawn → taking jobs), seconds, the slowest worker. */
  readonly workerStartupSeconds: number;
  /** Scheduler spawn → "leads" (config loaded, schemas checked, leadership taken), seconds. */
  readonly schedulerLeadsSeconds: number;
  /** Scheduler spawn → the first finished cycle, seconds. */
  readonly firstCycleSeconds: number | null;
  /** Scheduler spawn → every flow finished a cycle successfully, seconds; null if not within the start-up limit. */
  readonly allFlowsRanSeconds: number | null;
  /** Flows with a successful cycle when the window ended. */
  readonly flowsRan: number;
  readonly windowSeconds: number;
  /** Cycles that started in the window and finished (state store), and per second. */
  readonly cycles: number;
  readonly cyclesPerSecond: number;
  readonly leaderLease: string;
  /** Times the scheduler stepped down (could not renew its leadership in time), start-up and window included. */
  readonly leaderStepDowns: number;
  readonly schedulerCpuPerSecond: number;
  readonly schedulerCpuMsPerCycle: number | null;
  readonly workerCpuPerSecond: readonly number[];
  readonly redisCommandsPerCycle: number | null;
  readonly redisCommandsPerSecond: number;
  readonly redisCpuMsPerCycle: number | null;
  /** Redis calls per cycle by command, most first (`INFO commandstats` over the window). */
  readonly redisCallsPerCycle: Readonly<Record<string, number>>;
  /** Size of the leader's flow snapshot in Redis (rewritten every second), bytes. */
  readonly snapshotBytes: number;
  readonly schedulerRssMb: number | null;
  /** Target rows after the run (one per flow that ran). */
  readonly targetRows: number;
  readonly processes: readonly ProcessCost[];
}

/** Creates `s_<i>` (one row) at the source and `t_<i>` at the target for i = 1..count. */
export async function createFlowTables(env: FlowsEnvironment, count: number): Promise<void> {
  for (let first = 1; first <= count; first += TABLES_PER_STATEMENT) {
    const last = Math.min(count, first + TABLES_PER_STATEMENT - 1);
    await env.source.query(`DO $$ BEGIN FOR i IN ${first}..${last} LOOP
      EXECUTE format('CREATE TABLE s_%s (id bigint PRIMARY KEY, name text, updated_at timestamptz NOT NULL DEFAULT now())', i);
      EXECUTE format('INSERT INTO s_%s (id, name) VALUES (%s, %L)', i, i, 'tenant ' || i);
    END LOOP; END $$`);
    await env.target.query(`DO $$ BEGIN FOR i IN ${first}..${last} LOOP
      EXECUTE format('CREATE TABLE t_%s (crm_id bigint PRIMARY KEY, name text)', i);
    END LOOP; END $$`);
  }
}

function writeConfig(env: FlowsEnvironment, settings: ScaleOutSettings, prefix: string): string {
  const flows: Record<string, object> = {};
  for (let index = 1; index <= settings.flows; index++)
    flows[`f${index}`] = {
      source: { connection: 'crm', table: `s_${index}`, key: 'id', cursor: 'updated_at' },
      target: { connection: 'erp', table: `t_${index}`, key: 'crm_id' },
      fields: { name: 'name' },
      cadence: { every: `${settings.flowsEverySeconds}s`, adaptive: false },
    };
  const config = {
    state: env.stateUrl,
    runtime: {
      type: 'bullmq',
      redis: env.redis.url,
      prefix,
      leaderLease: settings.flowsLeaderLease,
      jobLease: '5s',
      concurrency: settings.flowsConcurrency,
    },
    connections: {
      crm: { type: 'postgres', url: env.sourceUrl },
      erp: { type: 'postgres', url: env.targetUrl },
    },
    flows,
  };
  const file = join(env.workDir, 'flows.yaml');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Cycles that started since `since` and finished, and the flows with a successful cycle, from the state store. */
async function runsSince(state: StateStore, since: Date, until = new Date()) {
  const buckets = await state.runActivity({
    since: since.toISOString(),
    until: until.toISOString(),
    bucketMs: Math.max(1, until.getTime() - since.getTime()),
  });
  return {
    cycles: buckets.reduce((sum, bucket) => sum + bucket.cycles, 0),
    flowsSucceeded: new Set(buckets.filter((bucket) => bucket.succeeded > 0).map((bucket) => bucket.flow))
      .size,
  };
}

/** Rows of every `t_<i>`, counted a chunk of tables per statement (one statement locks every table it reads). */
async function targetRows(target: pg.Client, count: number): Promise<number> {
  let rows = 0;
  for (let first = 1; first <= count; first += TABLES_PER_STATEMENT) {
    const last = Math.min(count, first + TABLES_PER_STATEMENT - 1);
    const counts = Array.from(
      { length: last - first + 1 },
      (_, offset) => `(SELECT count(*) FROM t_${first + offset})`,
    );
    const result = await target.query<{ rows: string }>(`SELECT (${counts.join(' + ')})::text AS rows`);
    rows += Number(result.rows[0]?.rows ?? 0);
  }
  return rows;
}

/** Runs the scheduling part; `state` is the bench's own handle on the state store all processes share. */
export async function runFlowsPart(
  env: FlowsEnvironment,
  settings: ScaleOutSettings,
  state: StateStore,
): Promise<FlowsResult> {
  const prefix = `bench-${randomBytes(3).toString('hex')}-flows`;
  const config = writeConfig(env, settings, prefix);
  const started: SynclineProcess[] = [];
  const profileDir = process.env['BENCH_CPU_PROF'];
  // BENCH_CPU_PROF=<dir>: every process of this part writes a V8 CPU profile there, named by role.
  const profile = (role: string): string[] =>
    profileDir === undefined || profileDir === ''
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${role}.cpuprofile`];
  try {
    env.log(
      `${settings.flows} flows: starting ${settings.flowsWorkers} worker(s) × concurrency ${settings.flowsConcurrency}`,
    );
    for (let index = 1; index <= settings.flowsWorkers; index++)
      started.push(
        new SynclineProcess(
          `flows-worker-${index}`,
          ['-c', config, '--log-level', 'info', 'worker', '--concurrency', String(settings.flowsConcurrency)],
          env.workDir,
          profile(`flows-worker-${index}`),
        ),
      );
    const limitMs = settings.flowsStartupSeconds * 1000;
    const workerStartupMs = Math.max(
      ...(await Promise.all(started.map((worker) => worker.waitFor(/takes cycle jobs/, limitMs)))),
    );
    env.log(`workers take jobs after ${(workerStartupMs / 1000).toFixed(1)} s; starting the scheduler`);
    const spawnedAt = new Date();
    const scheduler = new SynclineProcess(
      'flows-scheduler',
      ['-c', config, '--log-level', 'info', 'scheduler'],
      env.workDir,
      profile('flows-scheduler'),
    );
    started.push(scheduler);
    const leadsMs = await scheduler.waitFor(/ leads: /, limitMs);
    env.log(`scheduler leads after ${(leadsMs / 1000).toFixed(1)} s`);
    let firstCycleMs: number | undefined;
    let allFlowsMs: number | undefined;
    while (allFlowsMs === undefined && performance.now() - scheduler.startedAt < limitMs) {
      const { cycles, flowsSucceeded } = await runsSince(state, spawnedAt);
      const now = performance.now() - scheduler.startedAt;
      if (cycles > 0) firstCycleMs ??= now;
      if (flowsSucceeded >= settings.flows) allFlowsMs = now;
      await sleep(1_000);
    }
    env.log(
      `every flow ran once after ${allFlowsMs === undefined ? '(not within the limit)' : `${(allFlowsMs / 1000).toFixed(1)} s`}; measuring ${settings.flowsWindowSeconds} s`,
    );

    const workers = started.slice(0, settings.flowsWorkers);
    const samples = (): (ProcSample | undefined)[] =>
      [scheduler, ...workers].map((process) => sampleProcess(process.pid));
    // The window opens while the scheduler leads (a leader that stepped down plans nothing).
    const isLeading = (): boolean =>
      scheduler.output.lastIndexOf(' leads: ') > scheduler.output.lastIndexOf('stepping down');
    while (!isLeading() && performance.now() - scheduler.startedAt < limitMs) await sleep(500);
    const windowStart = new Date();
    const before = { processes: samples(), redis: await env.redis.stats() };
    await sleep(settings.flowsWindowSeconds * 1000);
    const after = { processes: samples(), redis: await env.redis.stats() };
    const windowEnd = new Date();
    const seconds = (windowEnd.getTime() - windowStart.getTime()) / 1000;
    const { cycles } = await runsSince(state, windowStart, windowEnd);
    const { flowsSucceeded } = await runsSince(state, spawnedAt);
    const cpu = (index: number): number =>
      (after.processes[index]?.cpuSeconds ?? NaN) - (before.processes[index]?.cpuSeconds ?? NaN);
    const commands = after.redis.commands - before.redis.commands;
    const redisCpu = after.redis.cpuSeconds - before.redis.cpuSeconds;
    const perCycle = (value: number): number | null => (cycles === 0 ? null : value / cycles);
    const schedulerRssMb = after.processes[0]?.rssMb ?? null;
    const snapshotBytes = await env.redis.client.strlen(`${prefix}:snapshot`);
    const calls = callsBetween(before.redis, after.redis).map(([command, count]): [string, number] => [
      command,
      cycles === 0 ? 0 : Math.round((count / cycles) * 10) / 10,
    ]);

    const costs: ProcessCost[] = [];
    for (const process of [...started].reverse()) costs.push(await process.stop());
    started.length = 0;
    return {
      flows: settings.flows,
      everySeconds: settings.flowsEverySeconds,
      workers: settings.flowsWorkers,
      concurrency: settings.flowsConcurrency,
      workerStartupSeconds: workerStartupMs / 1000,
      schedulerLeadsSeconds: leadsMs / 1000,
      firstCycleSeconds: firstCycleMs === undefined ? null : firstCycleMs / 1000,
      allFlowsRanSeconds: allFlowsMs === undefined ? null : allFlowsMs / 1000,
      flowsRan: flowsSucceeded,
      windowSeconds: seconds,
      cycles,
      cyclesPerSecond: cycles / seconds,
      leaderLease: settings.flowsLeaderLease,
      leaderStepDowns: (scheduler.output.match(/stepping down|steps down/g) ?? []).length,
      schedulerCpuPerSecond: cpu(0) / seconds,
      schedulerCpuMsPerCycle: perCycle(cpu(0) * 1000),
      workerCpuPerSecond: workers.map((_, index) => cpu(index + 1) / seconds),
      redisCommandsPerCycle: perCycle(commands),
      redisCommandsPerSecond: commands / seconds,
      redisCpuMsPerCycle: perCycle(redisCpu * 1000),
      redisCallsPerCycle: Object.fromEntries(calls.slice(0, 10)),
      snapshotBytes,
      schedulerRssMb,
      targetRows: await targetRows(env.target, settings.flows),
      processes: costs.reverse(),
    };
  } finally {
    for (const process of started) await process.stop(2_000).catch(() => undefined);
  }
}
