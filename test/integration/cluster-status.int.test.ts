import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterSnapshot } from '../../src/runtime/bullmq/cluster-snapshot.js';
import type { ClusterSnapshot } from '../../src/runtime/runtime.js';
import { collect, runCli, spawnCli, type Workspace } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';
import { createToken, startServe, type RunningServe } from '../support/serve.js';
import { plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// A scaled-out deployment on the real Redis, from the outside: a `syncline scheduler` and a
// `syncline worker` run as processes; `serve` (a follower) answers GET /api/v1/cluster and
// `status` reads the cluster from Redis without running a runtime.

function config(fixture: SqliteFlowFixture, runtime: string): string {
  return `
state: sqlite:${fixture.statePath}
connections:
  crm: { type: sqlite, path: ${join(fixture.dir, 'crm.db')} }
  erp: { type: sqlite, path: ${join(fixture.dir, 'erp.db')} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: customers, key: crm_id }
    fields:
      name: name
      status: { from: status, map: { active: A, inactive: I }, default: I }
      qty: qty
    cadence: { every: 1h }
${runtime}`;
}

/** The fixture's directory as a CLI workspace, with its config written. */
function workspaceOf(fixture: SqliteFlowFixture, yaml: string, file = 'syncline.yaml'): Workspace {
  const configPath = join(fixture.dir, file);
  writeFileSync(configPath, yaml);
  return {
    dir: fixture.dir,
    configPath,
    writeConfig: (text) => {
      writeFileSync(configPath, text);
    },
    remove: () => undefined,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = collect(child);
  child.kill('SIGTERM');
  await exited;
}

describe('a BullMQ deployment seen from the API and from syncline status', () => {
  const prefix = uniquePrefix('cluster');
  let fixture: SqliteFlowFixture;
  let workspace: Workspace;
  let scheduler: ChildProcess;
  let worker: ChildProcess;
  let server: RunningServe;
  let viewer: string;

  const syncline = (...args: string[]) => runCli(['-c', workspace.configPath, ...args], { cwd: fixture.dir });

  beforeAll(async () => {
    fixture = await SqliteFlowFixture.create();
    fixture.insertAccounts(plainAccounts(5));
    workspace = workspaceOf(
      fixture,
      config(
        fixture,
        `runtime: { type: bullmq, redis: "${REDIS_URL}", prefix: ${prefix}, leaderLease: 3s, jobLease: 5s }\n`,
      ),
    );
    const cli = (args: string[]) => spawnCli(['-c', workspace.configPath, ...args], { cwd: fixture.dir });
    scheduler = cli(['scheduler']);
    worker = cli(['worker', '--concurrency', '2']);
    // The first cycle of the flow runs on the worker: the cluster then has a leader, a worker, a finished job.
    await eventually(async () => {
      const cluster = await readClusterSnapshot({ prefix, redis: REDIS_URL }).catch(() => undefined);
      return cluster?.leader !== undefined && cluster.workers.some((each) => each.jobsDone > 0);
    }, 'the scheduler leads and the worker ran the first cycle');
    viewer = await createToken(workspace, {}, 'viewer-bot', 'viewer');
    server = await startServe(workspace, {});
  });

  afterAll(async () => {
    // Each is undefined when beforeAll failed before making it.
    await (server as RunningServe | undefined)?.stop();
    await Promise.all(
      [scheduler as ChildProcess | undefined, worker as ChildProcess | undefined].map((child) =>
        child === undefined ? Promise.resolve() : stopChild(child),
      ),
    );
    await (fixture as SqliteFlowFixture | undefined)?.close();
    await dropPrefix(prefix);
  });

  it('GET /api/v1/cluster shows the leading scheduler, the worker from its heartbeat and the queue depths', async () => {
    const response = await fetch(`${server.base}/api/v1/cluster`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(response.status).toBe(200);
    const cluster = (await response.json()) as ClusterSnapshot;
    expect(cluster.runtime).toBe('bullmq');
    expect(cluster.prefix).toBe(prefix);
    expect(cluster.leader).toMatchObject({ pid: scheduler.pid, host: expect.any(String) as unknown });
    expect(Number.isNaN(Date.parse(cluster.leader?.since ?? ''))).toBe(false);
    expect(cluster.workers).toHaveLength(1);
    const [only] = cluster.workers;
    expect(only).toMatchObject({ pid: worker.pid, concurrency: 2, state: 'running' });
    expect(only?.host).toBe(cluster.leader?.host);
    expect(only?.jobsDone).toBeGreaterThanOrEqual(1);
    expect(Number.isNaN(Date.parse(only?.heartbeatAt ?? ''))).toBe(false);
    expect(Object.keys(cluster.queues).sort()).toEqual(['cycles', 'lanes']);
    expect(cluster.queues.cycles).toMatchObject({ waiting: 0, failed: 0 });
    expect(cluster.queues.cycles?.completed).toBeGreaterThanOrEqual(1);
    expect(cluster.queues.lanes).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 });
  });

  it('GET /api/v1/cluster needs a token', async () => {
    const response = await fetch(`${server.base}/api/v1/cluster`);
    expect(response.status).toBe(401);
  });

  it('status shows the flows, then the cluster: leader, workers and queues', async () => {
    const result = await syncline('status');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^flow\s+cadence/m);
    expect(result.stdout).toMatch(/^customers\s+/m);
    expect(result.stdout).toContain(`cluster (bullmq, prefix ${prefix})`);
    expect(result.stdout).toMatch(
      new RegExp(`leader: \\S+ \\(host \\S+, pid ${String(scheduler.pid)}, since `),
    );
    expect(result.stdout).toMatch(
      new RegExp(`^\\s+\\S+:${String(worker.pid)}:\\S+\\s+\\S+\\s+${String(worker.pid)}\\s+2\\s+`, 'm'),
    );
    expect(result.stdout).toMatch(/^\s+queue\s+waiting\s+active\s+delayed\s+failed$/m);
    expect(result.stdout).toMatch(/^\s+cycles\s+0\s+\d+\s+\d+\s+0$/m);
    expect(result.stdout).toMatch(/^\s+lanes\s+0\s+0\s+0\s+0$/m);
  });

  it('status --json carries the cluster beside the flows', async () => {
    const result = await syncline('status', '--json');
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { flows: { flow: string }[]; cluster: ClusterSnapshot };
    expect(json.flows.map((flow) => flow.flow)).toEqual(['customers']);
    expect(json.cluster.leader?.pid).toBe(scheduler.pid);
    expect(json.cluster.workers.map((each) => [each.pid, each.concurrency])).toEqual([[worker.pid, 2]]);
    expect(json.cluster.queues.cycles?.waiting).toBe(0);
  });

  it('status still shows the flows when Redis cannot be reached, and says why without the password', async () => {
    const port = await freePort();
    const down = workspaceOf(
      fixture,
      config(
        fixture,
        `runtime: { type: bullmq, redis: "redis://:hunter2-pw@127.0.0.1:${String(port)}", prefix: ${prefix} }\n`,
      ),
      'redis-down.yaml',
    );
    const result = await runCli(['-c', down.configPath, 'status'], { cwd: fixture.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^customers\s+/m);
    expect(result.stdout).toMatch(
      /cluster: could not be read \(RUNTIME_UNAVAILABLE\): could not read the cluster from Redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/,
    );
    expect(result.stdout).toContain('ECONNREFUSED');
    expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2-pw');
    const json = await runCli(['-c', down.configPath, 'status', '--json'], { cwd: fixture.dir });
    expect(JSON.parse(json.stdout)).toMatchObject({
      cluster: { runtime: 'bullmq', error: { code: 'RUNTIME_UNAVAILABLE' } },
    });
  });
});

describe('GET /api/v1/cluster of a serve that runs flows itself', () => {
  it('answers { runtime: "local" }', async () => {
    const fixture = await SqliteFlowFixture.create();
    try {
      const workspace = workspaceOf(fixture, config(fixture, ''));
      const token = await createToken(workspace, {}, 'viewer-bot', 'viewer');
      const server = await startServe(workspace, {});
      try {
        const response = await fetch(`${server.base}/api/v1/cluster`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ runtime: 'local' });
      } finally {
        await server.stop();
      }
    } finally {
      await fixture.close();
    }
  });
});

/** A TCP relay to the test Redis that can be cut: Redis becomes unreachable to whoever uses it. */
async function redisRelay(): Promise<{ readonly url: string; cut(): Promise<void> }> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = connect(Number(target.port === '' ? 6379 : target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${String(port)}`,
    cut: async () => {
      const closed = new Promise((resolve) => relay.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

describe('GET /api/v1/cluster when Redis goes away', () => {
  it('answers 503 RUNTIME_UNAVAILABLE naming Redis', async () => {
    const fixture = await SqliteFlowFixture.create();
    const prefix = uniquePrefix('cluster-cut');
    const relay = await redisRelay();
    try {
      const workspace = workspaceOf(
        fixture,
        config(fixture, `runtime: { type: bullmq, redis: "${relay.url}", prefix: ${prefix} }\n`),
      );
      const token = await createToken(workspace, {}, 'viewer-bot', 'viewer');
      const server = await startServe(workspace, {});
      const cluster = () =>
        fetch(`${server.base}/api/v1/cluster`, { headers: { authorization: `Bearer ${token}` } });
      try {
        expect((await cluster()).status).toBe(200);
        await relay.cut();
        const response = await cluster();
        expect(response.status).toBe(503);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('RUNTIME_UNAVAILABLE');
        expect(body.error.message).toContain(`could not read the cluster from Redis ${relay.url}`);
      } finally {
        await server.kill();
      }
    } finally {
      await relay.cut().catch(() => undefined);
      await fixture.close();
      await dropPrefix(prefix);
    }
  });
});
