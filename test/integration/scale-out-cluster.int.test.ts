import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/core/state-store.js';
import { CYCLE_QUEUE, redisNames } from '../../src/runtime/bullmq/bullmq-settings.js';
import type { CycleJobData, CycleResultJson } from '../../src/runtime/bullmq/cycle-job.js';
import type { WorkerHeartbeat } from '../../src/runtime/bullmq/cycle-worker.js';
import { readLeader, type LeaderInfo } from '../../src/runtime/bullmq/leader-election.js';
import { redisOptions } from '../../src/runtime/bullmq/redis-connection.js';
import { createWorkspace, type Workspace } from '../support/cli.js';
import {
  allRuns,
  CLUSTER_STATE_STORE,
  createClusterState,
  runTimeline,
  type ClusterState,
} from '../support/cluster-state.js';
import { createPostgresDatabase, postgresTestPool, type TestDatabase } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { uniquePrefix } from '../support/redis.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { SynclineCluster } from '../support/syncline-cluster.js';
import {
  createScaleOutTables,
  flowTables,
  SCALE_OUT_ACCOUNTS as ACCOUNTS,
  SCALE_OUT_FLOWS as FLOWS,
  scaleOutConfig,
  startSourceChanges,
} from '../support/scale-out-fixture.js';
import { compareTables, isSame } from '../support/table-digests.js';

// The acceptance tests of scale-out: two `syncline scheduler` and three `syncline worker` processes
// on a Redis of this file's own (so it can crash and restart it), PostgreSQL CRM → PostgreSQL ERP.
// Workers die, the leading scheduler dies, Redis dies; every change still arrives exactly once.

const LEADER_LEASE_MS = 3_000;

let crm: TestDatabase;
let erp: TestDatabase;
let source: pg.Pool;
let target: pg.Pool;
let redis: RedisServer;
let client: Redis;
let workspace: Workspace;
let clusterState: ClusterState;
let state: StateStore;
let cluster: SynclineCluster;
/** The cycle queue, read as an operator would (active jobs, a job's outcome). */
let queue: Queue<CycleJobData, CycleResultJson>;
const prefix = uniquePrefix('cluster');
const names = redisNames({ prefix });

async function targetCount(table: string): Promise<number> {
  const { rows } = await target.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n);
}

/** Waits until every flow's target holds exactly its source's rows, then asserts it (count and checksums). */
async function expectConverged(): Promise<void> {
  for (const flow of FLOWS) {
    const { source: from, target: to } = flowTables(flow, source, target);
    await eventually(
      async () => isSame(await compareTables(from, to)),
      `the ${flow} target holds exactly the source's rows`,
      { tries: 600, everyMs: 100 },
    );
    const difference = await compareTables(from, to);
    expect(difference).toEqual({
      sourceRows: difference.sourceRows,
      targetRows: difference.sourceRows,
      missing: [],
      extra: [],
      differing: [],
    });
  }
}

/** Inserts an order now and waits until the target has it: the cluster still syncs new changes. */
async function expectNewChangeArrives(label: string): Promise<void> {
  const { rows } = await source.query<{ id: number }>(
    'INSERT INTO orders (customer, amount) VALUES ($1, 1.00) RETURNING id',
    [label],
  );
  const id = rows[0]?.id;
  await eventually(
    async () => (await target.query('SELECT 1 FROM orders WHERE crm_id = $1', [id])).rowCount === 1,
    `the order "${label}" arrives at the target`,
    { tries: 600, everyMs: 100 },
  );
}

/** Waits until every flow has a succeeded run that started after `since` (ms since the epoch). */
async function expectRunsAfter(since: number, what: string): Promise<void> {
  for (const flow of FLOWS)
    await eventually(
      async () =>
        (await state.listRuns({ flow, limit: 20 })).some(
          (run) => run.status === 'succeeded' && Date.parse(run.startedAt) > since,
        ),
      `flow ${flow} has a succeeded run that started ${what}`,
      { tries: 600, everyMs: 100 },
    );
}

async function leader(): Promise<LeaderInfo | undefined> {
  return readLeader(client, names.leader);
}

async function heartbeats(): Promise<WorkerHeartbeat[]> {
  const keys = await client.keys(names.workerPattern);
  if (keys.length === 0) return [];
  const values = await client.mget(...keys);
  return values.flatMap((value) => (value === null ? [] : [JSON.parse(value) as WorkerHeartbeat]));
}

/** The killed process's orphaned run of `accounts` (test 1), the only run allowed never to finish. */
const orphanedRuns: number[] = [];

/** Asserts from the run history that no two runs of a flow overlapped in time. */
async function expectNoOverlappingRuns(): Promise<void> {
  for (const flow of FLOWS) {
    const runs = await allRuns(state, flow);
    expect(runs.length, `runs of flow ${flow}`).toBeGreaterThan(5);
    const timeline = runTimeline(runs);
    expect(timeline.overlaps, `overlapping runs of flow ${flow}`).toEqual([]);
    expect(
      timeline.orphans.filter((id) => !orphanedRuns.includes(id)),
      `runs of flow ${flow} that never finished`,
    ).toEqual([]);
  }
}

beforeAll(async () => {
  [crm, erp, redis] = await Promise.all([
    createPostgresDatabase('cluster_crm'),
    createPostgresDatabase('cluster_erp'),
    startRedisServer(),
  ]);
  source = postgresTestPool({ connectionString: crm.url, max: 3 });
  target = postgresTestPool({ connectionString: erp.url, max: 3 });
  client = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 200 });
  client.on('error', () => undefined);
  queue = new Queue(CYCLE_QUEUE, { connection: redisOptions(redis.url, 'test'), prefix });
  queue.on('error', () => undefined);
  await createScaleOutTables(source, target);
  workspace = createWorkspace();
  workspace.writeConfig(scaleOutConfig({ leaderLeaseS: LEADER_LEASE_MS / 1000, jobLeaseS: 3 }));
  clusterState = await createClusterState(workspace.dir);
  cluster = new SynclineCluster(workspace, {
    STATE_URL: clusterState.url,
    REDIS_URL: redis.url,
    PREFIX: prefix,
    CRM_URL: crm.url,
    ERP_URL: erp.url,
  });
  try {
    // Workers first, so the initial load is taken by one of three ready workers.
    await Promise.all([cluster.startWorker(1), cluster.startWorker(2), cluster.startWorker(2)]);
    cluster.startScheduler();
    cluster.startScheduler();
    await eventually(async () => (await leader()) !== undefined, 'a scheduler leads', { tries: 600 });
  } catch (error) {
    console.error(cluster.logs());
    throw error;
  }
  state = await clusterState.open();
  console.info(`state store of the cluster: ${CLUSTER_STATE_STORE} (${clusterState.url})`);
});

// Each step guarded: after a failed beforeAll, what was made is still taken down.
afterAll(async () => {
  const started = cluster as SynclineCluster | undefined;
  await started?.stop();
  // SYNCLINE_TEST_CLUSTER_LOGS=<file> keeps every process's whole log, passed or failed.
  const logFile = process.env.SYNCLINE_TEST_CLUSTER_LOGS;
  if (logFile !== undefined && started !== undefined)
    writeFileSync(logFile, started.logs(Number.MAX_SAFE_INTEGER));
  await (state as StateStore | undefined)?.close();
  await (queue as Queue | undefined)?.close();
  (client as Redis | undefined)?.disconnect();
  await (redis as RedisServer | undefined)?.stop();
  await Promise.all([(source as pg.Pool | undefined)?.end(), (target as pg.Pool | undefined)?.end()]);
  await Promise.all([
    (crm as TestDatabase | undefined)?.drop(),
    (erp as TestDatabase | undefined)?.drop(),
    (clusterState as ClusterState | undefined)?.drop(),
  ]);
  (workspace as Workspace | undefined)?.remove();
});

beforeEach((context) => {
  context.onTestFailed(() => {
    console.error(`${cluster.logs()}\n===== redis-server =====\n${redis.log()}`);
  });
});

describe('scale-out: schedulers and workers as processes (BullMQ)', () => {
  it('retries the cycle of a worker killed by SIGKILL mid-cycle on another worker, and the target converges to the source', async () => {
    let jobId: string | undefined;
    let workerId: string | undefined;
    await eventually(
      async () => {
        if ((await targetCount('accounts')) < 1_500) return false;
        const job = (await queue.getJobs(['active'])).find((active) => active.data.flow === 'accounts');
        jobId = job?.id;
        workerId = job?.processedBy;
        return jobId !== undefined && workerId !== undefined;
      },
      'the initial load of accounts is under way on a worker',
      { tries: 1_200, everyMs: 50 },
    );
    if (jobId === undefined || workerId === undefined) throw new Error('unreachable');
    const victim = cluster.byPid(Number(workerId.split(':')[1]));
    expect(victim.role).toBe('worker');
    expect(victim.runtimeId()).toBe(workerId);
    expect((await victim.kill('SIGKILL')).signal).toBe('SIGKILL');

    const written = await targetCount('accounts');
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(ACCOUNTS);
    // The run the killed worker had under way: the flow's lease let only it run.
    const killedRuns = (await state.listRuns({ flow: 'accounts', limit: 10 })).filter(
      (run) => run.status === 'running',
    );
    expect(killedRuns).toHaveLength(1);
    const killedRun = killedRuns[0];
    if (killedRun === undefined) throw new Error('unreachable');
    orphanedRuns.push(killedRun.id);

    // BullMQ finds the job stalled once its lock lapses (jobLease) and another worker runs it.
    let result: CycleResultJson | undefined;
    let attempts = 0;
    await eventually(
      async () => {
        const job = await queue.getJob(jobId ?? '');
        result = job?.finishedOn === undefined ? undefined : job.returnvalue;
        attempts = job?.attemptsStarted ?? 0;
        return result !== undefined;
      },
      `the cycle job ${jobId} finishes on another worker`,
      { tries: 600, everyMs: 100 },
    );
    const survivors = cluster.running('worker').map((worker) => worker.runtimeId());
    expect(result?.status).toBe('succeeded');
    expect(result?.worker).not.toBe(workerId);
    expect(survivors).toContain(result?.worker);
    expect(attempts).toBeGreaterThan(1);

    // The run history: the killed run never finished; a later run on the survivor succeeded.
    const runs = await allRuns(state, 'accounts');
    expect(runs.find((run) => run.id === killedRun.id)?.status).toMatch(/^(running|failed)$/);
    const retried = runs.find((run) => run.id === result?.runId);
    expect(retried?.status).toBe('succeeded');
    expect(retried?.id).toBeGreaterThan(killedRun.id);
    expect(retried?.counts.written).toBeGreaterThan(0);

    await expectConverged();
    expect(await targetCount('accounts')).toBe(ACCOUNTS);
    // Three workers again for the next tests.
    await cluster.startWorker(1);
  });

  it('hands the lead to the other scheduler within the lease when the leader is killed; flows keep running, never two cycles of a flow at once', async () => {
    const changes = startSourceChanges(source);
    try {
      const before = await leader();
      if (before === undefined) throw new Error('no scheduler leads');
      const killed = cluster.byPid(before.pid);
      expect(killed.role).toBe('scheduler');
      const other = cluster.running('scheduler').find((scheduler) => scheduler !== killed);
      if (other === undefined) throw new Error('no second scheduler runs');
      const killedAt = Date.now();
      expect((await killed.kill('SIGKILL')).signal).toBe('SIGKILL');

      // The other scheduler takes the key once the dead leader's lease lapses: within the lease and a margin.
      const marginMs = 4_000;
      await eventually(
        async () => {
          const now = await leader();
          return now !== undefined && now.id !== before.id;
        },
        `another scheduler leads within ${String((LEADER_LEASE_MS + marginMs) / 1000)} s`,
        { tries: (LEADER_LEASE_MS + marginMs) / 100, everyMs: 100 },
      );
      const takeoverMs = Date.now() - killedAt;
      const after = await leader();
      expect(after?.pid).toBe(other.pid);
      // The key says when this leadership began: after the kill, not when the scheduler started.
      expect(Date.parse(after?.since ?? '')).toBeGreaterThanOrEqual(killedAt);
      await eventually(
        () => other.log().includes(`scheduler ${after?.id ?? '?'} leads`),
        `${other.name} logs that it leads`,
      );
      console.info(
        `leadership passed from ${killed.name} to ${other.name} ${String(takeoverMs)} ms after the kill`,
      );

      const takenOverAt = Date.now();
      await expectRunsAfter(takenOverAt, 'after the takeover');
      await expectNewChangeArrives('placed after the takeover');
    } finally {
      await changes.stop();
    }
    await expectConverged();
    await expectNoOverlappingRuns();
    // Two schedulers again for the next test.
    cluster.startScheduler();
  });

  it('recovers from a Redis crash and restart mid-cycle without losing a change', async () => {
    const changes = startSourceChanges(source);
    try {
      await expectNewChangeArrives('placed before the Redis crash');
      // A change of half the accounts: the cycle that carries it lasts long enough to crash Redis under it.
      const bulk = ACCOUNTS / 2;
      await source.query(`UPDATE accounts SET name = name || ' (bulk)' WHERE id <= $1`, [bulk]);
      await eventually(
        async () => {
          const { rows } = await target.query<{ n: string }>(
            `SELECT count(*) AS n FROM accounts WHERE name LIKE '% (bulk)'`,
          );
          const arrived = Number(rows[0]?.n);
          if (arrived === 0 || arrived >= bulk) return false;
          return (await queue.getJobs(['active'])).some((job) => job.data.flow === 'accounts');
        },
        'a cycle of accounts is under way with part of the change written',
        { tries: 1_200, everyMs: 50 },
      );
      await redis.crash();
      // The outage: Redis stays down a moment while the cycle and the source go on.
      await sleep(1_500);
      await redis.start();
      const restartedAt = Date.now();

      await eventually(
        async () => {
          const now = await leader();
          return now !== undefined && cluster.running('scheduler').some((entry) => entry.pid === now.pid);
        },
        'a running scheduler leads again',
        { tries: 600 },
      );
      const workers = cluster.running('worker').map((worker) => worker.runtimeId());
      await eventually(
        async () => {
          const beating = (await heartbeats()).map((beat) => beat.id);
          return workers.every((id) => id !== undefined && beating.includes(id));
        },
        'every running worker beats again',
        { tries: 600 },
      );
      await expectRunsAfter(restartedAt, 'after the restart');
      await expectNewChangeArrives('placed after the Redis restart');
    } finally {
      await changes.stop();
    }
    await expectConverged();
    await expectNoOverlappingRuns();
  });
});
