/**
 * Preloaded into every Syncline process the scale-out bench starts (`node --import
 * dist/bench/process-usage-probe.js`): when the process exits, it writes its own CPU time and peak
 * RSS (`process.resourceUsage()`: every thread of the process, lane worker threads included) to
 * `$BENCH_USAGE_DIR/<pid>.json`. Does nothing without `BENCH_USAGE_DIR`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** What the probe writes; read back by `syncline-process.ts`. */
export interface ProcessUsage {
  readonly pid: number;
  /** User + system CPU seconds of the whole process. */
  readonly cpuSeconds: number;
  /** Peak resident set size, KB. */
  readonly maxRssKb: number;
}

const directory = process.env['BENCH_USAGE_DIR'];
// Lane worker threads inherit the preload; only the main thread reports, for the whole process.
if (directory !== undefined && directory !== '' && isMainThread) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const report: ProcessUsage = {
      pid: process.pid,
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      maxRssKb: usage.maxRSS,
    };
    writeFileSync(join(directory, `${process.pid}.json`), JSON.stringify(report));
  });
}
