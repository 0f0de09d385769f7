/**
 * Preloaded into every Syncline process the scale-out bench starts (`node --import
 * dist/bench/process-usage-probe.js`): when the process exits, it writes its own CPU time and peak
 * RSS (`process.resourceUsage()`: every thread of the process, lane worker threads included) to
 * `$BENCH_USAGE_DIR/<pid>.json`. Does nothing without `BENCH_USAGE_DIR`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/** What the probe writes; read back by `syncline-process.ts`. */
export interface ProcessUsage {
  readonly pid: number;
  /** User + system CPU seconds of the whole process. */
  readonly cpuSeconds: number;
  /** Peak resident set size, KB. */
  readonly maxRssKb: number;
  /** Event-loop delay of the main thread over the process's life, ms (how late timers and I/O callbacks ran). */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

const directory = process.env['BENCH_USAGE_DIR'];
// Lane worker threads inherit the preload; only the main thread reports, for the whole process.
if (directory !== undefined && directory !== '' && isMainThread) {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const write = (): void => {
    const usage = process.resourceUsage();
    const ms = (ns: number): number => Math.round(ns / 1e5) / 10;
    const report: ProcessUsage = {
      pid: process.pid,
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      maxRssKb: usage.maxRSS,
      eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    };
    writeFileSync(join(directory, `${process.pid}.json`), JSON.stringify(report));
  };
  process.on('exit', write);
  // Also every 5 s, so a process killed with SIGKILL (a drain that hung) leaves a recent report.
  setInterval(write, 5_000).unref();
}
