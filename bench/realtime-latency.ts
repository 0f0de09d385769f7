/**
 * Realtime change-to-target latency (`npm run bench:realtime`; also the last part of `npm run
 * bench`): a realtime PostgreSQL → MariaDB flow run by the real CLI (`syncline run`, its trigger
 * installed by `syncline realtime install`), fed single-row INSERTs at fixed rates, beside the bare
 * LISTEN/NOTIFY round trip measured on the same server in the same run.
 *
 * Method: the source row's cursor `updated_at` defaults to `clock_timestamp()` (the time PostgreSQL
 * executed the change); the target row's `synced_at` defaults to `CURRENT_TIMESTAMP(6)` (the time
 * MariaDB executed Syncline's write). Both servers run on this machine and read the same system
 * clock, so `synced_at − updated_at` is the change-to-target latency without any polling observer;
 * the run checks the two clocks against each other and reports the offset. Nothing is lost: after
 * each rate every source row must be in the target.
 * Settings: BENCH_REALTIME_RATES (default 100,1000), BENCH_REALTIME_SECONDS (default 10),
 * BENCH_REALTIME_LOOKBACK (the flow's lookback, default: the flow default).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { SqliteStateStore } from '../src/state/sqlite/sqlite-state-store.js';
import { createMysqlDatabase, createPostgresDatabase } from '../test/support/databases.js';
import {
  realtimeMarkdown,
  writeRealtimeResults,
  type RealtimeResults,
  type RealtimeRow,
} from './realtime-report.js';
import { measureNotifyRoundTrip, openLoop, summarize } from './realtime-load.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SESSIONS = 8;

const log = (message: string): void => {
  process.stderr.write(`[bench realtime ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function settingsFromEnv(): { rates: number[]; seconds: number; lookback: string | undefined } {
  const rates = (process.env.BENCH_REALTIME_RATES ?? '100,1000').split(',').map(Number);
  const seconds = Number(process.env.BENCH_REALTIME_SECONDS ?? '10');
  if (rates.some((rate) => !(rate > 0)) || !(seconds > 0))
    throw new Error('BENCH_REALTIME_RATES must list positive numbers and BENCH_REALTIME_SECONDS be positive');
  return { rates, seconds, lookback: process.env.BENCH_REALTIME_LOOKBACK };
}

function configYaml(
  sourceUrl: string,
  targetUrl: string,
  statePath: string,
  lookback: string | undefined,
): string {
  return `state: "sqlite:${statePath}"
connections:
  crm: { type: postgres, url: "${sourceUrl}" }
  erp: { type: mysql, url: "${targetUrl}" }
flows:
  changes:
    source: { connection: crm, table: rt_changes, key: id, cursor: updated_at${lookback === undefined ? '' : `, lookback: ${lookback}`} }
    target: { connection: erp, table: rt_changes, key: crm_id }
    fields: { payload: payload }
    cadence: { realtime: true }
`;
}

/** Runs the CLI to completion; throws with its stderr when it fails. */
async function cli(args: readonly string[]): Promise<string> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`syncline ${args.join(' ')} failed (${code}): ${output}`);
  return output.trim();
}

/** The difference of the two servers' clocks, in ms (MariaDB minus PostgreSQL), from reads bracketed by this process's clock. */
async function clockOffsetMs(source: pg.Pool, target: mysql.Pool): Promise<number> {
  const offsets: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.timeOrigin + performance.now();
    const pgRows = await source.query<{ ms: string }>(
      'SELECT (extract(epoch from clock_timestamp()) * 1000)::text AS ms',
    );
    const t1 = performance.timeOrigin + performance.now();
    const [myRows] = await target.query<mysql.RowDataPacket[]>(
      'SELECT UNIX_TIMESTAMP(SYSDATE(6)) * 1000 AS ms',
    );
    const t2 = performance.timeOrigin + performance.now();
    offsets.push(Number(myRows[0]!.ms) - (t1 + t2) / 2 - (Number(pgRows.rows[0]!.ms) - (t0 + t1) / 2));
  }
  return summarize(offsets).p50;
}

async function waitForTarget(target: mysql.Pool, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [rows] = await target.query<mysql.RowDataPacket[]>('SELECT count(*) AS n FROM rt_changes');
    const n = Number(rows[0]!.n);
    if (n >= count || Date.now() > deadline) return n;
    await sleep(50);
  }
}

/** Latency of each change in [from, to): target `synced_at` minus source `updated_at`, in ms. */
async function latencies(
  source: pg.Pool,
  target: mysql.Pool,
  from: number,
  to: number,
): Promise<{ values: number[]; missing: number }> {
  const sourceRows = await source.query<{ id: string; us: string }>(
    'SELECT id::text AS id, (extract(epoch from updated_at) * 1000000)::bigint::text AS us FROM rt_changes WHERE id >= $1 AND id < $2',
    [from, to],
  );
  const [targetRows] = await target.query<mysql.RowDataPacket[]>(
    'SELECT CAST(crm_id AS CHAR) AS id, CAST(UNIX_TIMESTAMP(synced_at) * 1000000 AS CHAR) AS us FROM rt_changes WHERE crm_id >= ? AND crm_id < ?',
    [from, to],
  );
  const syncedAt = new Map(targetRows.map((row) => [String(row.id), Number.parseFloat(String(row.us))]));
  const values: number[] = [];
  let missing = 0;
  for (const row of sourceRows.rows) {
    const synced = syncedAt.get(row.id);
    if (synced === undefined) missing += 1;
    else values.push((synced - Number(row.us)) / 1000);
  }
  return { values, missing };
}

/** Cycles the flow started within [from, to] (epoch ms). */
async function cyclesBetween(statePath: string, from: number, to: number): Promise<number> {
  const state = new SqliteStateStore(statePath);
  await state.init();
  try {
    const runs = await state.listRuns({ flow: 'changes', limit: 1_000_000 });
    return runs.filter((run) => Date.parse(run.startedAt) >= from && Date.parse(run.startedAt) <= to).length;
  } finally {
    await state.close();
  }
}

/** Measures every rate; creates and drops its own databases. */
export async function runRealtimeLatencyBench(): Promise<RealtimeResults> {
  const settings = settingsFromEnv();
  const workDir = mkdtempSync(join(tmpdir(), 'syncline-bench-realtime-'));
  const crm = await createPostgresDatabase('benchrtsource');
  const erp = await createMysqlDatabase('benchrttarget');
  const source = new pg.Pool({ connectionString: crm.url, max: SESSIONS });
  const target = mysql.createPool({ uri: erp.url, connectionLimit: 2 });
  let syncline: ChildProcess | undefined;
  try {
    await source.query(
      'CREATE TABLE rt_changes (id bigint PRIMARY KEY, payload varchar(64) NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())',
    );
    await source.query('CREATE INDEX rt_changes_cursor ON rt_changes (updated_at, id)');
    await target.query(
      'CREATE TABLE rt_changes (crm_id bigint PRIMARY KEY, payload varchar(64) NOT NULL, synced_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))',
    );
    const statePath = join(workDir, 'state.db');
    const configPath = join(workDir, 'syncline.yaml');
    writeFileSync(configPath, configYaml(crm.url, erp.url, statePath, settings.lookback));
    log(await cli(['-c', configPath, 'realtime', 'install', '--flow', 'changes']));
    const offsetMs = await clockOffsetMs(source, target);
    log(`clock offset MariaDB − PostgreSQL: ${offsetMs} ms`);

    syncline = spawn(process.execPath, [CLI, '-c', configPath, '--log-level', 'warn', 'run'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await source.query("INSERT INTO rt_changes (id, payload) VALUES (0, 'warm-up')");
    if ((await waitForTarget(target, 1, 60_000)) < 1) throw new Error('the realtime flow did not start');
    await Promise.all(Array.from({ length: SESSIONS }, () => source.query('SELECT 1')));

    const rows: RealtimeRow[] = [];
    let nextId = 1;
    for (const rate of settings.rates) {
      log(`LISTEN/NOTIFY round trip at ${rate}/s for ${settings.seconds} s`);
      const roundTrip = await measureNotifyRoundTrip(crm.url, rate, settings.seconds, SESSIONS);
      log(`Syncline realtime flow at ${rate} changes/s for ${settings.seconds} s`);
      const first = nextId;
      const startedAt = Date.now();
      const load = await openLoop(rate, settings.seconds, async (index) => {
        await source.query('INSERT INTO rt_changes (id, payload) VALUES ($1, $2)', [
          first + index,
          `change ${first + index}`,
        ]);
      });
      nextId = first + load.issued;
      const sourceCount = await source.query<{ n: number }>('SELECT count(*)::int AS n FROM rt_changes');
      await waitForTarget(target, sourceCount.rows[0]!.n, 60_000);
      const endedAt = Date.now();
      const measured = await latencies(source, target, first, nextId);
      const cycles = await cyclesBetween(statePath, startedAt, endedAt);
      rows.push({
        rate,
        seconds: settings.seconds,
        changes: load.completed,
        achievedRate: load.achievedRate,
        maxInFlight: load.maxInFlight,
        lost: measured.missing,
        cycles,
        latencyMs: summarize(measured.values),
        notifyRoundTripMs: roundTrip.roundTripMs,
        notifyLost: roundTrip.lost,
      });
      log(
        `${rate}/s: p50 ${rows.at(-1)!.latencyMs.p50} ms, p95 ${rows.at(-1)!.latencyMs.p95} ms, p99 ${rows.at(-1)!.latencyMs.p99} ms, ${cycles} cycles`,
      );
    }
    return {
      method:
        'latency = target synced_at (MariaDB CURRENT_TIMESTAMP(6) of the write) − source updated_at (PostgreSQL clock_timestamp() of the INSERT), same host clock; round trip = pg_notify sent → notification received, one process clock',
      clockOffsetMs: offsetMs,
      lookback: settings.lookback ?? 'flow default',
      debounceMs: 20,
      rows,
    };
  } finally {
    if (syncline !== undefined && syncline.exitCode === null) {
      const closed = new Promise((resolve) => syncline?.on('close', resolve));
      syncline.kill('SIGTERM');
      await closed;
    }
    await source.end();
    await target.end();
    await Promise.all([crm.drop(), erp.drop()]);
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runRealtimeLatencyBench().then(
    (results) => {
      const file = writeRealtimeResults(
        fileURLToPath(new URL('../../bench/results/', import.meta.url)),
        results,
      );
      process.stdout.write(`\n${realtimeMarkdown(results)}\nJSON: ${file}\n`);
    },
    (error: unknown) => {
      process.stderr.write(
        `\nrealtime bench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
