import { MYSQL_ADMIN_URL, POSTGRES_ADMIN_URL } from '../test/support/databases.js';

/** What one `npm run bench` measures; every value can be overridden by an environment variable. */
export interface BenchSettings {
  /** Rows of the large source table (`BENCH_ROWS`, default 1,000,000). */
  readonly rows: number;
  /** Rows of the small source table of the incremental comparison (`BENCH_SMALL_ROWS`, default 10,000). */
  readonly smallRows: number;
  /** Source rows changed before each incremental cycle (`BENCH_CHANGES`, default 1,000). */
  readonly changes: number;
  /** Rows per batch of Syncline and of the plain loop (`BENCH_BATCH`, default 5,000). */
  readonly batch: number;
  /**
   * Syncline's backfill is measured once per entry, with `backfill: { lanes: N }` (`BENCH_LANES`,
   * a comma-separated list, default `1,2,4`); the incremental cycles use the first entry's flow.
   */
  readonly lanes: readonly number[];
  /** PostgreSQL server the bench makes its databases on (`SYNCLINE_TEST_POSTGRES_URL`). */
  readonly postgresAdminUrl: string;
  /** MariaDB/MySQL server the bench makes its target database on (`SYNCLINE_TEST_MYSQL_URL`). */
  readonly mysqlAdminUrl: string;
}

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name}=${text} is not a positive whole number (for example ${name}=50000)`);
  }
  return value;
}

/** `BENCH_LANES`: distinct lane counts from 1 to 16, in the order given. */
function laneList(): number[] {
  const text = process.env['BENCH_LANES'] ?? '1,2,4';
  const lanes = text.split(',').map((part) => Number(part.trim()));
  if (lanes.length === 0 || lanes.some((lane) => !Number.isSafeInteger(lane) || lane < 1 || lane > 16))
    throw new Error(`BENCH_LANES=${text} must list lane counts from 1 to 16, for example BENCH_LANES=1,2,4`);
  return [...new Set(lanes)];
}

/** Reads the bench settings from the environment; throws a readable error for a bad value. */
export function readBenchSettings(): BenchSettings {
  const rows = positiveInteger('BENCH_ROWS', 1_000_000);
  const smallRows = positiveInteger('BENCH_SMALL_ROWS', 10_000);
  const changes = positiveInteger('BENCH_CHANGES', 1_000);
  if (changes > Math.min(rows, smallRows)) {
    throw new Error(
      `BENCH_CHANGES=${changes} exceeds the rows of a source table (BENCH_ROWS=${rows}, BENCH_SMALL_ROWS=${smallRows})`,
    );
  }
  return {
    rows,
    smallRows,
    changes,
    batch: positiveInteger('BENCH_BATCH', 5_000),
    lanes: laneList(),
    postgresAdminUrl: POSTGRES_ADMIN_URL,
    mysqlAdminUrl: MYSQL_ADMIN_URL,
  };
}
