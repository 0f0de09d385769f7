import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/cli/engine.js';
import { silentLogger } from '../../src/core/logger.js';
import { LocalRuntime } from '../../src/runtime/local/local-runtime.js';
import { DECISION_LOG_META } from '../../src/cadence/adaptive-cadence.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  type TestDatabase,
  postgresTestPool,
} from '../support/databases.js';

// A target made slow by another session's row locks: the controller backs off within a few
// cycles, nothing is lost, and it recovers after the locks are released — asserted on the
// recorded decisions, never on wall-clock time.

interface RecordedDecision {
  readonly intervalMsBefore: number;
  readonly intervalMs: number;
  readonly reason: string;
  readonly health: string;
}

let crm: TestDatabase;
let erp: TestDatabase;
let source: pg.Pool;
let target: mysql.Pool;
let dir: string;
let engine: Engine;

const ROWS = 50;

async function decisions(): Promise<RecordedDecision[]> {
  const log = await engine.state.getFlowMeta('customers', DECISION_LOG_META);
  return (Array.isArray(log) ? log : []) as unknown as RecordedDecision[];
}

async function waitFor(what: string, check: () => Promise<boolean>, limitMs = 90_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; decisions: ${JSON.stringify(await decisions())}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function targetNames(): Promise<string[]> {
  const [rows] = await target.query<mysql.RowDataPacket[]>('SELECT name FROM customers ORDER BY crm_id');
  return rows.map((row) => String(row.name));
}

beforeAll(async () => {
  [crm, erp] = await Promise.all([
    createPostgresDatabase('adaptive_crm'),
    createMysqlDatabase('adaptive_erp'),
  ]);
  source = postgresTestPool({ connectionString: crm.url, max: 2 });
  target = mysql.createPool({ uri: erp.url, connectionLimit: 3 });
  await source.query(
    `CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
  await source.query(
    `INSERT INTO accounts (id, name) SELECT g, 'v1-' || g FROM generate_series(1, ${ROWS}) g`,
  );
  await target.query('CREATE TABLE customers (crm_id bigint PRIMARY KEY, name varchar(100) NOT NULL)');
  dir = mkdtempSync(join(tmpdir(), 'syncline-adaptive-'));
  writeFileSync(
    join(dir, 'syncline.yaml'),
    `state: sqlite:${join(dir, 'state.db')}
connections:
  crm: { type: postgres, url: "${crm.url}" }
  erp: { type: mysql, url: "${erp.url}", lockWaitTimeout: 1s }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name }
    retry: { attempts: 1 }
    cadence: { every: 500ms, adaptive: { min: 500ms, max: 8s } }
`,
  );
  engine = await openEngine(join(dir, 'syncline.yaml'), () => silentLogger);
});

afterAll(async () => {
  await engine.close();
  await source.end();
  await target.end();
  await Promise.all([crm.drop(), erp.drop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('adaptive cadence against a real MariaDB target', () => {
  it('backs off while another session holds the target rows locked, loses nothing, and recovers after', async () => {
    const runtime = new LocalRuntime(engine.context, {
      // Production steps are minutes; the same controller with short steps keeps the test short.
      adaptiveTuning: { minStepMs: 0, recoveryDwellMs: { high: 1_000, normal: 1_000, low: 1_000 } },
      healthWindowMs: 3_000,
    });
    const running = runtime.start();
    try {
      await waitFor('the first sync', async () => (await targetNames()).length === ROWS);

      const locker = await target.getConnection();
      try {
        await locker.query('BEGIN');
        await locker.query('SELECT * FROM customers FOR UPDATE');
        await source.query("UPDATE accounts SET name = 'v2-' || id, updated_at = clock_timestamp()");
        await waitFor('a back-off decision', async () =>
          (await decisions()).some((decision) => decision.intervalMs > decision.intervalMsBefore),
        );
        const backOff = (await decisions()).find(
          (decision) => decision.intervalMs > decision.intervalMsBefore,
        );
        expect(backOff?.health).toBe('unhealthy');
        expect(backOff?.reason).toMatch(/^customers: every 500ms → \S+.*: erp \d+ lock wait timeouts/);
        expect(await targetNames()).toContain('v1-1');
      } finally {
        await locker.query('ROLLBACK');
        locker.release();
      }

      await waitFor('the updates to arrive', async () =>
        (await targetNames()).every((name) => name.startsWith('v2-')),
      );
      await waitFor('a recovery decision', async () => {
        const all = await decisions();
        const backOffAt = all.findIndex((decision) => decision.intervalMs > decision.intervalMsBefore);
        return all.slice(backOffAt + 1).some((decision) => decision.intervalMs < decision.intervalMsBefore);
      });
      expect((await targetNames()).length).toBe(ROWS);
    } finally {
      await runtime.stop();
      await running;
    }
  });
});
