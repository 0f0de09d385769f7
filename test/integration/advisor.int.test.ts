import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, createWorkspace, runCli, spawnCli, type Workspace } from '../support/cli.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  type TestDatabase,
  postgresTestPool,
} from '../support/databases.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';

// The advisor end to end: `syncline probe` against real PostgreSQL and MariaDB targets, then
// `syncline plan` from the stored curves and the run history of a few real cycles.

let crm: TestDatabase;
let erp: TestDatabase;
let source: pg.Pool;
let target: mysql.Pool;
let workspace: Workspace;

const CONFIG = `
state: sqlite:\${STATE_PATH}
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: mysql, url: \${ERP_URL} }
flows:
  orders:
    source: { connection: crm, table: orders, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: orders, key: order_id }
    fields: { note: note }
    cadence: { every: 5m, freshness: 1m }
  archive:
    source: { connection: crm, table: orders, key: id, cursor: version, lookback: 0 }
    target: { connection: crm, table: orders_archive, key: order_id }
    batch: 200
    fields: { note: note }
    cadence: { every: 10m }
`;

const statePath = (): string => join(workspace.dir, 'state.db');

async function syncline(...args: string[]) {
  return runCli(['-c', workspace.configPath, ...args], {
    cwd: workspace.dir,
    env: { CRM_URL: crm.url, ERP_URL: erp.url, STATE_PATH: statePath() },
  });
}

async function scratchTables(): Promise<{ postgres: string[]; mariadb: string[] }> {
  const { rows } = await source.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_name LIKE 'syncline\\_probe\\_%'",
  );
  const [found] = await target.query<mysql.RowDataPacket[]>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'syncline\\_probe\\_%'",
  );
  return { postgres: rows.map((row) => row.name), mariadb: found.map((row) => String(row.name)) };
}

let nextId = 1;
async function addOrders(count: number): Promise<void> {
  const ids = Array.from({ length: count }, () => nextId++);
  await source.query(
    'INSERT INTO orders (id, note, version) SELECT id, $2 || id, id FROM unnest($1::int[]) AS id',
    [ids, 'order '],
  );
}

beforeAll(async () => {
  [crm, erp] = await Promise.all([createPostgresDatabase('advisor_crm'), createMysqlDatabase('advisor_erp')]);
  source = postgresTestPool({ connectionString: crm.url });
  target = mysql.createPool(erp.url);
  await source.query('CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL, version int NOT NULL)');
  await source.query('CREATE TABLE orders_archive (order_id int PRIMARY KEY, note text NOT NULL)');
  await target.query('CREATE TABLE orders (order_id int PRIMARY KEY, note varchar(200) NOT NULL)');
  workspace = createWorkspace();
  workspace.writeConfig(CONFIG);
});

afterAll(async () => {
  await source.end();
  await target.end();
  await Promise.all([crm.drop(), erp.drop()]);
  workspace.remove();
});

describe('syncline probe', () => {
  it.each(['crm', 'erp'])(
    'load-tests %s in a scratch table, leaves none behind and stores the curve',
    async (name) => {
      const result = await syncline('probe', '--connection', name, '--max-seconds', '3', '--json');
      expect(result.stderr).toMatch(/created scratch table syncline_probe_[0-9a-f]+/);
      expect(result.code).toBe(0);
      const curve = JSON.parse(result.stdout) as {
        connection: string;
        steps: unknown[];
        knee: { rowsPerSecond: number } | null;
      };
      expect(curve.connection).toBe(name);
      expect(curve.steps.length).toBeGreaterThan(0);
      expect(curve.knee?.rowsPerSecond).toBeGreaterThan(0);
      expect(await scratchTables()).toEqual({ postgres: [], mariadb: [] });
      const state = new SqliteStateStore(statePath());
      try {
        await state.init();
        expect(await state.getFlowMeta(`connection:${name}`, 'probe')).toMatchObject({
          connection: name,
          version: 1,
        });
      } finally {
        await state.close();
      }
    },
  );

  it.each([
    ['crm', 'postgres'],
    ['erp', 'mariadb'],
  ] as const)('drops its scratch table on %s when stopped with Ctrl-C mid-probe', async (name, server) => {
    const child = spawnCli(
      ['-c', workspace.configPath, 'probe', '--connection', name, '--max-seconds', '16'],
      {
        cwd: workspace.dir,
        env: { CRM_URL: crm.url, ERP_URL: erp.url, STATE_PATH: statePath() },
      },
    );
    const done = collect(child);
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        // Interrupt once it has written at least one step into the scratch table.
        if (/probe: batch 1 × 1/.test(seen)) resolve();
      });
    });
    expect((await scratchTables())[server]).toHaveLength(1);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/scratch table was dropped and no curve was stored/);
    expect(await scratchTables()).toEqual({ postgres: [], mariadb: [] });
  });

  it('refuses a connection its config does not name', async () => {
    const result = await syncline('probe', '--connection', 'nope');
    expect(result.code).toBe(2);
    expect(await scratchTables()).toEqual({ postgres: [], mariadb: [] });
  });
});

describe('syncline plan', () => {
  it('recommends an interval and batch per flow from run history and the probes', async () => {
    for (let cycle = 0; cycle < 5; cycle += 1) {
      await addOrders(40);
      const run = await syncline('run', '--once');
      expect(run.code, run.stderr).toBe(0);
    }
    const json = await syncline('plan', '--json');
    expect(json.code, json.stderr).toBe(0);
    const plans = JSON.parse(json.stdout) as {
      flow: string;
      objectiveSource: string;
      intervalMs: number;
      rate: { samples: number } | undefined;
      capacity: { connection: string } | undefined;
      canMeet: boolean | undefined;
    }[];
    expect(plans.map((plan) => plan.flow).sort()).toEqual(['archive', 'orders']);
    const orders = plans.find((plan) => plan.flow === 'orders');
    expect(orders).toMatchObject({ objectiveSource: 'freshness', capacity: { connection: 'erp' } });
    expect(orders?.rate?.samples).toBe(4);
    expect(orders?.intervalMs).toBeLessThanOrEqual(60_000);
    expect(typeof orders?.canMeet).toBe('boolean');
    expect(plans.find((plan) => plan.flow === 'archive')).toMatchObject({
      objectiveSource: 'interval',
      capacity: { connection: 'crm' },
    });
    const text = await syncline('plan');
    expect(text.stdout).toMatch(/^orders\s+freshness 1m\s+5m → /m);
    expect(text.stdout).toMatch(/^archive\s+interval 10m\s+10m → /m);
  });
});
