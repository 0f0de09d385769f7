import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LatencySummary } from './realtime-load.js';

/** One rate of the realtime bench. */
export interface RealtimeRow {
  /** Offered changes per second (single-row INSERTs, each its own transaction). */
  readonly rate: number;
  readonly seconds: number;
  /** Changes committed at the source. */
  readonly changes: number;
  readonly achievedRate: number;
  /** Most INSERTs waiting for an answer at once (the generator falls behind when this grows). */
  readonly maxInFlight: number;
  /** Source changes missing from the target after the run settled; must be 0. */
  readonly lost: number;
  /** Cycles the flow ran while the rate was applied and the target caught up. */
  readonly cycles: number;
  /** Change-to-target latency. */
  readonly latencyMs: LatencySummary;
  /** The bare LISTEN/NOTIFY round trip at the same rate, same server, same run. */
  readonly notifyRoundTripMs: LatencySummary;
  readonly notifyLost: number;
}

/** Everything the realtime bench reports; part of the bench JSON under `realtime`. */
export interface RealtimeResults {
  readonly method: string;
  /** MariaDB clock minus PostgreSQL clock, median of 20 bracketed reads (ms). */
  readonly clockOffsetMs: number;
  /** The flow's `source.lookback`. */
  readonly lookback: string;
  readonly debounceMs: number;
  readonly rows: readonly RealtimeRow[];
}

/** The goals on this machine, per rate. */
function goal(row: RealtimeRow): { text: string; isMet: boolean } {
  const latency = row.latencyMs;
  if (row.rate <= 100) {
    const isMet = latency.p95 <= 50 && latency.p99 <= 250 && row.lost === 0;
    return { text: 'p95 ≤ 50 ms, p99 ≤ 250 ms, none lost', isMet };
  }
  return { text: 'p99 ≤ 1 s, none lost', isMet: latency.p99 <= 1000 && row.lost === 0 };
}

const ms = (value: number): string => value.toFixed(1);

/** A markdown table: one row per rate, Syncline's latency beside the bare NOTIFY round trip. */
export function realtimeMarkdown(results: RealtimeResults): string {
  const lines = [
    `Realtime PG→MariaDB change-to-target latency (lookback ${results.lookback}, debounce ${results.debounceMs} ms, clock offset ${results.clockOffsetMs} ms)`,
    '',
    '| changes/s (achieved) | changes | lost | cycles | changes/cycle | p50 ms | p95 ms | p99 ms | max ms | NOTIFY round trip p50 / p95 / p99 ms | goal | met |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const row of results.rows) {
    const latency = row.latencyMs;
    const notify = row.notifyRoundTripMs;
    const { text, isMet } = goal(row);
    lines.push(
      `| ${row.rate} (${row.achievedRate.toFixed(0)}) | ${row.changes} | ${row.lost} | ${row.cycles} | ${(row.changes / Math.max(1, row.cycles)).toFixed(1)} | ` +
        `${ms(latency.p50)} | ${ms(latency.p95)} | ${ms(latency.p99)} | ${ms(latency.max)} | ` +
        `${ms(notify.p50)} / ${ms(notify.p95)} / ${ms(notify.p99)} | ${text} | ${isMet ? 'yes' : 'NO'} |`,
    );
  }
  lines.push('', `Method: ${results.method}.`);
  return lines.join('\n');
}

/** Writes `bench-realtime-<ISO date>.json` into `directory` (stand-alone runs) and returns its path. */
export function writeRealtimeResults(directory: string, results: RealtimeResults): string {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `bench-realtime-${new Date().toISOString().replace(/:/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
