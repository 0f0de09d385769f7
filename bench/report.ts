import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableDigest } from './checksum.js';
import type { RealtimeResults } from './realtime-report.js';

/** The source→target pairs the bench measures. */
export const Pairs = ['PG→PG', 'PG→MariaDB'] as const;
export type Pair = (typeof Pairs)[number];

/** How rows were moved. */
export type Method = 'bulk pipe' | 'plain loop' | 'Syncline' | 'Syncline, upsert path';

/** One measured case. */
export interface CaseResult {
  readonly phase: 'backfill' | 'incremental';
  readonly pair: Pair;
  readonly method: Method;
  /** Rows of the source table. */
  readonly tableRows: number;
  /** Rows moved: the whole table for a backfill, the changed rows for an incremental cycle. */
  readonly rows: number;
  readonly seconds: number;
  /** Peak RSS of the process(es) doing the work, in MB; null when it could not be measured. */
  readonly peakRssMb: number | null;
  /** The target's digest after the case; it equalled the source's. */
  readonly verified: TableDigest;
  /** Counts and other facts the case reported. */
  readonly details?: Record<string, unknown>;
}

/** Everything one run wrote to bench/results/. */
export interface BenchResults {
  readonly date: string;
  readonly machine: Record<string, unknown>;
  readonly settings: Record<string, unknown>;
  readonly notes: readonly string[];
  readonly cases: readonly CaseResult[];
  readonly incrementalScaling: readonly ScalingRow[];
  /** Realtime change-to-target latency beside the bare LISTEN/NOTIFY round trip (realtime-latency.ts). */
  readonly realtime?: RealtimeResults;
}

/** An incremental cycle on the large table against the same cycle on the small one. */
export interface ScalingRow {
  readonly pair: Pair;
  readonly method: Method;
  readonly largeRows: number;
  readonly largeMs: number;
  readonly smallRows: number;
  readonly smallMs: number;
  /** largeMs / smallMs: 1.0 means the cycle does not grow with the table. */
  readonly ratio: number;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Kilobytes (as `resourceUsage().maxRSS` gives them) to megabytes with one decimal. */
export function kbToMb(kb: number | undefined): number | null {
  return kb === undefined || !Number.isFinite(kb) ? null : Math.round((kb / 1024) * 10) / 10;
}

function caseLabel(result: CaseResult): string {
  const what =
    result.phase === 'backfill' ? 'backfill' : `incremental (${integer.format(result.tableRows)}-row table)`;
  return `${what} ${result.pair} · ${result.method}`;
}

/** Baseline seconds ÷ case seconds, for the baseline measured on the same phase, pair and table. */
function speedRatio(results: readonly CaseResult[], result: CaseResult, method: Method): number | undefined {
  const baseline = results.find(
    (other) =>
      other.method === method &&
      other.phase === result.phase &&
      other.pair === result.pair &&
      other.tableRows === result.tableRows,
  );
  return baseline === undefined || result.seconds === 0 ? undefined : baseline.seconds / result.seconds;
}

const ratioText = (ratio: number | undefined): string => (ratio === undefined ? '—' : `${ratio.toFixed(2)}×`);

/** The markdown table of all cases, then the incremental scaling table. */
export function markdownReport(results: readonly CaseResult[], scaling: readonly ScalingRow[]): string {
  const lines = [
    '| case | rows | lanes | seconds | rows/s | peak RSS MB | ratio vs bulk pipe | ratio vs plain loop |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const result of results) {
    const lanes = result.details?.['lanes'];
    lines.push(
      `| ${caseLabel(result)} | ${integer.format(result.rows)} | ${typeof lanes === 'number' ? lanes : '—'} | ${result.seconds.toFixed(3)} | ` +
        `${integer.format(result.rows / result.seconds)} | ${result.peakRssMb === null ? '—' : result.peakRssMb.toFixed(1)} | ` +
        `${ratioText(speedRatio(results, result, 'bulk pipe'))} | ${ratioText(speedRatio(results, result, 'plain loop'))} |`,
    );
  }
  lines.push(
    '',
    'Ratios are speed relative to the baseline of the same pair and table (baseline seconds ÷ case seconds): ' +
      'above 1× is faster than the baseline, below 1× slower. Bulk-pipe RSS is both ends of the pipe together.',
    ...results.flatMap((result) =>
      result.phase === 'backfill' && typeof result.details?.['bulkPath'] === 'string'
        ? [`Syncline backfill ${result.pair}: ${result.details['bulkPath']}.`]
        : [],
    ),
    '',
    '| incremental cycle | large table | ms | small table | ms | ratio large/small |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of scaling) {
    lines.push(
      `| ${row.pair} · ${row.method} | ${integer.format(row.largeRows)} | ${row.largeMs.toFixed(1)} | ` +
        `${integer.format(row.smallRows)} | ${row.smallMs.toFixed(1)} | ${row.ratio.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

/** Pairs each incremental case on the large table with the same case on the small one. */
export function incrementalScaling(
  results: readonly CaseResult[],
  largeRows: number,
  smallRows: number,
): ScalingRow[] {
  const incremental = results.filter((result) => result.phase === 'incremental');
  const rows: ScalingRow[] = [];
  for (const large of incremental.filter((result) => result.tableRows === largeRows)) {
    const small = incremental.find(
      (r) => r.tableRows === smallRows && r.pair === large.pair && r.method === large.method,
    );
    if (small === undefined) continue;
    const largeMs = large.seconds * 1000;
    const smallMs = small.seconds * 1000;
    rows.push({
      pair: large.pair,
      method: large.method,
      largeRows,
      largeMs,
      smallRows,
      smallMs,
      ratio: largeMs / smallMs,
    });
  }
  return rows;
}

/** Writes `bench-<ISO date>.json` into `directory` and returns its path. */
export function writeResults(directory: string, results: BenchResults): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `bench-${results.date.replace(/:/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
