import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LISTENER_APPLICATION_NAME } from '../../src/connectors/postgres/postgres-connector.js';
import type { RunRecord } from '../../src/core/state-store.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import {
  collect,
  createWorkspace,
  runCli,
  spawnCli,
  type CliResult,
  type Workspace,
} from '../support/cli.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  type TestDatabase,
  postgresTestPool,
} from '../support/databases.js';
import { eventually } from '../support/eventually.js';

// Realtime flows end to end through the CLI: PostgreSQL CRM → MariaDB ERP, woken by the NOTIFY
// trigger that `syncline realtime install` creates, with the safety poll as the net under it.
// Nothing here measures time: a change that arrives while the safety poll is an hour away can
// only have been delivered by its event.

let crm: TestDatabase;
let erp: TestDatabase;
let source: pg.Pool;
let target: mysql.Pool;
let workspace: Workspace;
let running: { child: ChildProcess; done: Promise<CliResult> } | undefined;

const CONFIG = (cadence: string) => `
state: sqlite:\${STATE_PATH}
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: mysql, url: \${ERP_URL} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name }
    cadence: ${cadence}
`;

function env(): Record<string, string> {
  return { CRM_URL: crm.url, ERP_URL: erp.url, STATE_PATH: join(workspace.dir, 'state.db') };
}

function syncline(...args: string[]): Promise<CliResult> {
  return runCli(['-c', workspace.configPath, ...args], { cwd: workspace.dir, env: env() });
}

/** Starts `syncline run` in the background; its stderr so far is in `log()`. */
function startRun(): { log: () => string } {
  const child = spawnCli(['-c', workspace.configPath, 'run'], { cwd: workspace.dir, env: env() });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  running = { child, done: collect(child) };
  return { log: () => stderr };
}

/** Stops the background run with SIGTERM, as a service manager would. */
async function stopRun(): Promise<CliResult | undefined> {
  const current = running;
  running = undefined;
  if (current === undefined) return undefined;
  current.child.kill('SIGTERM');
  return current.done;
}

async function targetNames(): Promise<Map<number, string>> {
  const [rows] = await target.query<mysql.RowDataPacket[]>('SELECT crm_id, name FROM customers');
  return new Map(rows.map((row) => [Number(row.crm_id), String(row.name)]));
}

async function arrives(id: number, name: string): Promise<void> {
  await eventually(async () => (await targetNames()).get(id) === name, `${id} = ${name} arrived`, {
    tries: 3000,
    everyMs: 20,
  });
}

async function setName(id: number, name: string): Promise<void> {
  await source.query(
    'INSERT INTO accounts (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = $2, updated_at = clock_timestamp()',
    [id, name],
  );
}

async function listenerPids(): Promise<number[]> {
  const { rows } = await source.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
    [crm.name, LISTENER_APPLICATION_NAME],
  );
  return rows.map((row) => row.pid);
}

/** The flow's runs, oldest first, read from the state file the running CLI writes. */
async function runs(): Promise<RunRecord[]> {
  const state = new SqliteStateStore(join(workspace.dir, 'state.db'));
  await state.init();
  try {
    return (await state.listRuns({ flow: 'customers', limit: 100_000 })).reverse();
  } finally {
    await state.close();
  }
}

beforeAll(async () => {
  [crm, erp] = await Promise.all([createPostgresDatabase('rt_crm'), createMysqlDatabase('rt_erp')]);
  source = postgresTestPool({ connectionString: crm.url, max: 8 });
  target = mysql.createPool({ uri: erp.url, connectionLimit: 2 });
});

afterAll(async () => {
  await stopRun();
  await source.end();
  await target.end();
  await Promise.all([crm.drop(), erp.drop()]);
});

beforeEach(async () => {
  workspace = createWorkspace();
  await source.query('DROP TABLE IF EXISTS accounts');
  await source.query('DROP FUNCTION IF EXISTS syncline_notify() CASCADE');
  await source.query(
    'CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())',
  );
  await target.query('DROP TABLE IF EXISTS customers');
  await target.query('CREATE TABLE customers (crm_id bigint PRIMARY KEY, name varchar(255) NOT NULL)');
  await setName(1, 'initial');
});

afterEach(async () => {
  const result = await stopRun();
  if (result !== undefined) expect(result.code, result.stderr).toBe(0);
  workspace.remove();
});

describe('syncline realtime install|remove', () => {
  it('installs and removes idempotently, and remove leaves no trigger or function behind', async () => {
    workspace.writeConfig(CONFIG('{ realtime: true }'));
    const first = await syncline('realtime', 'install', '--flow', 'customers');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/created trigger "syncline_accounts_notify" on public\.accounts/);
    const again = await syncline('realtime', 'install', '--flow', 'customers');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already installed/);
    const count = async (): Promise<{ triggers: number; functions: number }> => {
      const { rows } = await source.query<{ triggers: number; functions: number }>(
        `SELECT (SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE 'syncline%') AS triggers,
                (SELECT count(*)::int FROM pg_proc WHERE proname = 'syncline_notify') AS functions`,
      );
      return rows[0]!;
    };
    expect(await count()).toEqual({ triggers: 1, functions: 1 });

    const removed = await syncline('realtime', 'remove', '--flow', 'customers');
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/dropped trigger.*dropped function/);
    const removedAgain = await syncline('realtime', 'remove', '--flow', 'customers');
    expect(removedAgain.code).toBe(0);
    expect(removedAgain.stdout).toMatch(/nothing to remove/);
    expect(await count()).toEqual({ triggers: 0, functions: 0 });
  });

  it('refuses an unknown flow with exit 2', async () => {
    workspace.writeConfig(CONFIG('{ realtime: true }'));
    const result = await syncline('realtime', 'install', '--flow', 'nope');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no flow named "nope"/);
  });
});

describe('syncline run, realtime flow (PostgreSQL → MariaDB)', () => {
  it('delivers a change woken by its NOTIFY while the safety poll is an hour away', async () => {
    workspace.writeConfig(CONFIG('{ realtime: true, pollInterval: 1h }'));
    expect((await syncline('realtime', 'install', '--flow', 'customers')).code).toBe(0);
    const run = startRun();
    await arrives(1, 'initial');
    await setName(1, 'changed');
    await setName(2, 'new');
    await arrives(1, 'changed');
    await arrives(2, 'new');
    expect(run.log()).toMatch(/flow customers is woken by change events; safety poll every 1h/);
    const triggers = (await runs()).map((record) => record.trigger);
    expect(triggers[0]).toBe('start');
    expect(triggers.slice(1).every((trigger) => trigger === 'event')).toBe(true);
  });

  it('without the trigger, polls every second and says once how to install change events', async () => {
    workspace.writeConfig(CONFIG('{ realtime: true }'));
    const run = startRun();
    await arrives(1, 'initial');
    await setName(1, 'polled');
    await arrives(1, 'polled');
    await eventually(() => (run.log().match(/cycle succeeded/g) ?? []).length >= 3, 'a few polls ran', {
      tries: 3000,
      everyMs: 20,
    });
    const hints = run
      .log()
      .match(
        /change events are not installed on accounts; it polls every 1s\. To be woken by changes, run: syncline realtime install --flow customers/g,
      );
    expect(hints).toHaveLength(1);
    expect((await runs()).slice(1).every((record) => record.trigger === 'schedule')).toBe(true);
  });

  it('a missed event costs latency, never data: with the trigger disabled the safety poll delivers', async () => {
    workspace.writeConfig(CONFIG('{ realtime: true, pollInterval: 1s }'));
    expect((await syncline('realtime', 'install', '--flow', 'customers')).code).toBe(0);
    startRun();
    await arrives(1, 'initial');
    await source.query('ALTER TABLE accounts DISABLE TRIGGER syncline_accounts_notify');
    await setName(1, 'no event sent');
    await arrives(1, 'no event sent');
    expect((await runs()).at(-1)?.trigger).toBe('schedule');
  });

  it("loses nothing when the listener's session is killed: changes made meanwhile arrive (safety poll 1s)", async () => {
    workspace.writeConfig(CONFIG('{ realtime: true, pollInterval: 1s }'));
    expect((await syncline('realtime', 'install', '--flow', 'customers')).code).toBe(0);
    const run = startRun();
    await arrives(1, 'initial');
    const [killed] = await listenerPids();
    expect(killed).toBeDefined();
    await source.query('SELECT pg_terminate_backend($1)', [killed]);
    for (let id = 2; id <= 20; id++) await setName(id, `while down ${id}`);
    for (let id = 2; id <= 20; id++) await arrives(id, `while down ${id}`);
    expect(run.log()).toMatch(/change-event listener is not connected .*the safety poll covers the gap/);
  });

  it("resumes events after the listener's session is killed and reconnects (safety poll 1h)", async () => {
    workspace.writeConfig(CONFIG('{ realtime: true, pollInterval: 1h }'));
    expect((await syncline('realtime', 'install', '--flow', 'customers')).code).toBe(0);
    const run = startRun();
    await arrives(1, 'initial');
    const [killed] = await listenerPids();
    await source.query('SELECT pg_terminate_backend($1)', [killed]);
    await setName(2, 'during the outage');
    await eventually(
      async () => {
        const pids = await listenerPids();
        return pids.length === 1 && pids[0] !== killed;
      },
      'the listener reconnected',
      { tries: 3000, everyMs: 20 },
    );
    await arrives(2, 'during the outage');
    await setName(3, 'after the reconnect');
    await arrives(3, 'after the reconnect');
    expect(run.log()).toMatch(/change-event listener reconnected/);
  });

  it('debounces: 500 quick updates cause far fewer cycles than updates, and every one arrives', async () => {
    workspace.writeConfig(CONFIG('{ realtime: true, pollInterval: 1h }'));
    expect((await syncline('realtime', 'install', '--flow', 'customers')).code).toBe(0);
    await source.query("INSERT INTO accounts (id, name) SELECT g, 'v0' FROM generate_series(2, 500) g");
    startRun();
    await eventually(async () => (await targetNames()).size === 500, 'the initial 500 rows arrived', {
      tries: 3000,
      everyMs: 20,
    });
    const cyclesBefore = (await runs()).length;
    // 500 single-row UPDATE statements, each its own transaction, from 4 sessions at once.
    const ids = Array.from({ length: 500 }, (_, index) => index + 1);
    await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        for (const id of ids.filter((value) => value % 4 === lane)) await setName(id, `v1-${id}`);
      }),
    );
    await eventually(
      async () => {
        const names = await targetNames();
        return ids.every((id) => names.get(id) === `v1-${id}`);
      },
      'all 500 updates arrived',
      { tries: 3000, everyMs: 20 },
    );
    const cycles = (await runs()).slice(cyclesBefore);
    expect(cycles.length).toBeGreaterThan(0);
    expect(cycles.length).toBeLessThan(100);
    expect(cycles.every((record) => record.trigger === 'event')).toBe(true);
    // Never two cycles at once: each one started after the previous one finished.
    for (const [index, record] of cycles.entries()) {
      const previous = index === 0 ? undefined : cycles[index - 1];
      if (previous !== undefined)
        expect(Date.parse(record.startedAt)).toBeGreaterThanOrEqual(Date.parse(previous.finishedAt!));
    }
    expect(cycles.reduce((sum, record) => sum + record.counts.written, 0)).toBeGreaterThanOrEqual(500);
  });
});
