import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, spawnCli, type Workspace } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { createToken, startServe, type RunningServe } from '../support/serve.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';

// `serve` on a BullMQ deployment is a follower: a scheduler plans, a worker runs the cycles, and
// serve answers the API and /metrics from what the leader publishes, and hands it an operator's
// "run now". Everything here is a real process on the real Redis.

const prefix = uniquePrefix('serve');
let workspace: Workspace;
let server: RunningServe;
let token = '';
const children: { name: string; child: ChildProcess; output: string[] }[] = [];

function start(name: string, ...args: string[]): void {
  const child = spawnCli(['-c', workspace.configPath, ...args], { cwd: workspace.dir, env: {} });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  children.push({ name, child, output });
}

function logs(): string {
  return children.map(({ name, output }) => `--- ${name}\n${output.join('')}`).join('\n');
}

async function get(path: string): Promise<{ status: number; text: string; json: unknown }> {
  const response = await fetch(`${server.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

function insertAccounts(from: number, to: number): void {
  const crm = new Database(join(workspace.dir, 'crm.db'));
  const insert = crm.prepare('INSERT INTO accounts (id, name, version) VALUES (?, ?, ?)');
  for (let id = from; id <= to; id += 1) insert.run(id, `name ${id}`, id);
  crm.close();
}

function targetCount(table = 'customers'): number {
  const erp = new Database(join(workspace.dir, 'erp.db'), { readonly: true });
  try {
    return (erp.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    erp.close();
  }
}

beforeAll(async () => {
  workspace = createWorkspace();
  const crm = new Database(join(workspace.dir, 'crm.db'));
  crm.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, version INTEGER NOT NULL)');
  crm.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER, version INTEGER NOT NULL)');
  crm.close();
  const erp = new Database(join(workspace.dir, 'erp.db'));
  erp.exec('CREATE TABLE customers (crm_id INTEGER PRIMARY KEY, name TEXT)');
  erp.exec('CREATE TABLE sales (crm_id INTEGER PRIMARY KEY, total INTEGER)');
  erp.close();
  workspace.writeConfig(`state: sqlite:state.db
runtime: { type: bullmq, redis: ${REDIS_URL}, prefix: ${prefix}, leaderLease: 3s, jobLease: 3s }
connections:
  crm: { type: sqlite, path: crm.db }
  erp: { type: sqlite, path: erp.db }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name }
    cadence: { every: 1h }
  orders:
    source: { connection: crm, table: orders, key: id, cursor: version }
    target: { connection: erp, table: sales, key: crm_id }
    fields: { total: total }
    cadence: { realtime: true, pollInterval: 1h }
`);
  insertAccounts(1, 40);
  token = await createToken(workspace, {}, 'ops', 'operator');
  start('worker', 'worker', '--concurrency', '2');
  start('scheduler', 'scheduler');
  server = await startServe(workspace, {});
}, 60_000);

afterAll(async () => {
  await server.stop();
  await Promise.all(
    children.map(async ({ child }) => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }),
  );
  await dropPrefix(prefix);
  workspace.remove();
});

describe('serve on a BullMQ deployment', () => {
  it("shows the leader's snapshots and counts the workers' cycles in /metrics", async () => {
    await eventually(() => targetCount() === 40, 'the first cycle ran on the worker', {
      tries: 900,
      everyMs: 100,
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${logs()}\n--- serve\n${server.log()}`);
    });
    await eventually(
      async () => {
        const flows = await get('/api/v1/flows');
        return /"activity":"waiting"/.test(flows.text) && /every 1h/.test(flows.text);
      },
      'serve shows the flow waiting on its cadence, as the leader planned it',
      { tries: 100, everyMs: 100 },
    );
    // Counters count the events serve heard since it started; the first cycle may have ended
    // before it listened, so one more runs now (a trigger through serve, planned by the leader).
    const triggered = await fetch(`${server.base}/api/v1/flows/customers/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(triggered.status).toBeLessThan(300);
    const cycles = /syncline_cycles_total\{[^}]*flow="customers"[^}]*status="succeeded"[^}]*\} [1-9]/;
    await eventually(
      async () => cycles.test((await get('/metrics')).text),
      "serve counted a worker's cycle from the leader's events",
      { tries: 200, everyMs: 100 },
    );
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    // The deployment itself, read from Redis at the scrape.
    expect(metrics.text).toMatch(/^syncline_cluster_workers 1$/m);
    expect(metrics.text).toMatch(/^syncline_cluster_worker_slots 2$/m);
    expect(metrics.text).toMatch(/^syncline_cluster_leader 1$/m);
    expect(metrics.text).toMatch(/^syncline_queue_jobs\{queue="cycles",state="waiting"\} 0$/m);
    expect(logs()).toMatch(/scheduler \S+ leads/);
    expect(server.log()).not.toMatch(/ leads:/);
  });

  it('hands an operator\'s "run now" to the leader, which runs it on a worker', async () => {
    insertAccounts(41, 45);
    const response = await fetch(`${server.base}/api/v1/flows/customers/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBeLessThan(300);
    await eventually(() => targetCount() === 45, 'the triggered cycle wrote the new rows', {
      tries: 200,
      everyMs: 100,
    });
    const runs = await get('/api/v1/flows/customers/runs');
    expect(runs.text).toMatch(/"trigger":"manual"/);
  });

  it('passes a webhook wake-up of a realtime flow to the leader, which runs its cycle on a worker', async () => {
    await eventually(
      async () => /"flow":"orders"[^}]*"activity":"waiting"/.test((await get('/api/v1/flows')).text),
      'the realtime flow waits for events after its first cycle',
      { tries: 200, everyMs: 100 },
    );
    const crm = new Database(join(workspace.dir, 'crm.db'));
    crm.prepare('INSERT INTO orders (id, total, version) VALUES (1, 250, 1)').run();
    crm.close();
    // Its safety poll is an hour away: only the wake-up can bring the order over now.
    const woken = await fetch(`${server.base}/hooks/orders`, { method: 'POST' });
    expect(woken.status).toBe(202);
    await eventually(() => targetCount('sales') === 1, 'the woken cycle wrote the order', {
      tries: 200,
      everyMs: 100,
    });
  });
});
