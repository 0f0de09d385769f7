import { POSTGRES_ADMIN_URL } from '../test/support/databases.js';

/** What `node dist/bench/scale-out-bench.js` measures; every value comes from an environment variable. */
export interface ScaleOutSettings {
  /** Which parts run (`BENCH_SCALE_PARTS`, comma-separated `backfill,flows`, default both). */
  readonly parts: readonly ('backfill' | 'flows')[];
  /** Rows of the source table of the partitioned backfill (`BENCH_ROWS`, default 1,000,000). */
  readonly rows: number;
  /** `backfill: { lanes }` of the flow (`BENCH_SCALE_LANES`, default 4). */
  readonly lanes: number;
  /** Rows per batch (`BENCH_BATCH`, default 5,000). */
  readonly batch: number;
  /** Numbers of `syncline worker` processes, one case each (`BENCH_WORKERS`, default `1,2,4`). */
  readonly workers: readonly number[];
  /** Flows of the scheduling-overhead part (`BENCH_FLOWS`, default 10,000). */
  readonly flows: number;
  /** `cadence: { every }` of those flows, seconds (`BENCH_FLOWS_EVERY_S`, default 1). */
  readonly flowsEverySeconds: number;
  /** Measured window of the scheduling part after start-up, seconds (`BENCH_FLOWS_WINDOW_S`, default 30). */
  readonly flowsWindowSeconds: number;
  /** Workers of the scheduling part (`BENCH_FLOWS_WORKERS`, default 2). */
  readonly flowsWorkers: number;
  /** Cycles at once per worker in the scheduling part (`BENCH_FLOWS_CONCURRENCY`, default 4, BullMQ's default). */
  readonly flowsConcurrency: number;
  /**
   * `runtime.leaderLease` of the scheduling part (`BENCH_FLOWS_LEADER_LEASE`, default `15s`, the
   * runtime's default; the leader renews every third of it and gives each renewal a third to answer).
   */
  readonly flowsLeaderLease: string;
  /** Longest wait for the scheduler to start with all flows, seconds (`BENCH_FLOWS_STARTUP_S`, default 240). */
  readonly flowsStartupSeconds: number;
  /**
   * State store URL of every process (`BENCH_STATE`), e.g. `postgres://…?schema=s` for the
   * PostgreSQL store; default an SQLite file in the bench's scratch directory (shared by the processes).
   */
  readonly stateUrl: string | undefined;
  /** PostgreSQL server of the source and target databases (`SYNCLINE_TEST_POSTGRES_URL`). */
  readonly postgresAdminUrl: string;
}

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name}=${text} is not a positive whole number (for example ${name}=${fallback})`);
  return value;
}

function integerList(name: string, fallback: string): number[] {
  const text = process.env[name] ?? fallback;
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((value) => !Number.isSafeInteger(value) || value < 1 || value > 16))
    throw new Error(`${name}=${text} must list whole numbers from 1 to 16, for example ${name}=${fallback}`);
  return [...new Set(values)];
}

function partList(): ('backfill' | 'flows')[] {
  const text = process.env['BENCH_SCALE_PARTS'] ?? 'backfill,flows';
  const parts = text.split(',').map((part) => part.trim());
  const known = ['backfill', 'flows'] as const;
  const chosen = known.filter((part) => parts.includes(part));
  if (chosen.length === 0 || parts.some((part) => !(known as readonly string[]).includes(part)))
    throw new Error(`BENCH_SCALE_PARTS=${text} must list "backfill" and/or "flows"`);
  return chosen;
}

/** Reads the settings from the environment; throws a readable error for a bad value. */
export function readScaleOutSettings(): ScaleOutSettings {
  const state = process.env['BENCH_STATE'];
  return {
    parts: partList(),
    rows: positiveInteger('BENCH_ROWS', 1_000_000),
    lanes: positiveInteger('BENCH_SCALE_LANES', 4),
    batch: positiveInteger('BENCH_BATCH', 5_000),
    workers: integerList('BENCH_WORKERS', '1,2,4'),
    flows: positiveInteger('BENCH_FLOWS', 10_000),
    flowsEverySeconds: positiveInteger('BENCH_FLOWS_EVERY_S', 1),
    flowsWindowSeconds: positiveInteger('BENCH_FLOWS_WINDOW_S', 30),
    flowsWorkers: positiveInteger('BENCH_FLOWS_WORKERS', 2),
    flowsConcurrency: positiveInteger('BENCH_FLOWS_CONCURRENCY', 4),
    flowsStartupSeconds: positiveInteger('BENCH_FLOWS_STARTUP_S', 240),
    flowsLeaderLease: process.env['BENCH_FLOWS_LEADER_LEASE'] ?? '15s',
    stateUrl: state === undefined || state.trim() === '' ? undefined : state.trim(),
    postgresAdminUrl: POSTGRES_ADMIN_URL,
  };
}
