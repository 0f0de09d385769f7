import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ProcessUsage } from './process-usage-probe.js';

const SYNCLINE_BIN = fileURLToPath(new URL('../../bin/syncline.js', import.meta.url));
const USAGE_PROBE = new URL('./process-usage-probe.js', import.meta.url).href;
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU and memory of one process as /proc shows it now. */
export interface ProcSample {
  /** User + system CPU seconds, all threads. */
  readonly cpuSeconds: number;
  readonly rssMb: number;
  /** Peak RSS so far (VmHWM), MB. */
  readonly peakRssMb: number;
}

/** What one Syncline process cost, measured when it ended. */
export interface ProcessCost {
  readonly role: string;
  readonly cpuSeconds: number | null;
  readonly peakRssMb: number | null;
  /** Main-thread event-loop delay over the process's life (p50, p99, max), ms; null without the probe's report. */
  readonly eventLoopDelayMs: ProcessUsage['eventLoopDelayMs'] | null;
}

/** Reads /proc/<pid>/stat and /status; undefined once the process is gone. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number =>
      Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return {
      cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND,
      rssMb: kb('VmRSS') / 1024,
      peakRssMb: kb('VmHWM') / 1024,
    };
  } catch {
    return undefined;
  }
}

/**
 * A `syncline <args>` process of the compiled CLI (bin/syncline.js → dist/), its stderr and stdout
 * in a log file, with the usage probe preloaded so its CPU time and peak RSS are known after it ends.
 */
export class SynclineProcess {
  readonly role: string;
  readonly logFile: string;
  readonly startedAt = performance.now();
  readonly #child: ChildProcess;
  readonly #usageDir: string;
  #log = '';
  #exit: Promise<number | null>;

  /** `nodeArgs`: extra flags for node itself (e.g. `--cpu-prof`). */
  constructor(role: string, args: readonly string[], workDir: string, nodeArgs: readonly string[] = []) {
    this.role = role;
    // BENCH_LOG_DIR keeps the logs after the run (the scratch directory is removed).
    const logDir = process.env['BENCH_LOG_DIR'];
    this.logFile = join(logDir === undefined || logDir === '' ? workDir : logDir, `${role}.log`);
    this.#usageDir = workDir;
    const log = createWriteStream(this.logFile);
    this.#child = spawn(process.execPath, [...nodeArgs, '--import', USAGE_PROBE, SYNCLINE_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_USAGE_DIR: workDir },
    });
    for (const stream of [this.#child.stdout, this.#child.stderr])
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        this.#log += chunk;
        log.write(chunk);
      });
    this.#exit = new Promise((resolve) => {
      this.#child.on('close', (code) => {
        log.end();
        resolve(code);
      });
    });
  }

  get pid(): number {
    if (this.#child.pid === undefined) throw new Error(`${this.role}: the process did not start`);
    return this.#child.pid;
  }

  /** Everything the process printed so far. */
  get output(): string {
    return this.#log;
  }

  /** Resolves with the ms since spawn when the output matches `pattern`; throws if it exits first or after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (!pattern.test(this.#log)) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null)
        throw new Error(`${this.role} exited before printing ${String(pattern)}:\n${this.tail()}`);
      if (performance.now() > deadline)
        throw new Error(
          `${this.role} did not print ${String(pattern)} within ${timeoutMs / 1000} s:\n${this.tail()}`,
        );
      await sleep(50);
    }
    return performance.now() - this.startedAt;
  }

  /** The last lines of its output, for an error message. */
  tail(lines = 15): string {
    return this.#log.trim().split('\n').slice(-lines).join('\n');
  }

  /** Waits for the process to end by itself; throws with its output unless it exited 0. */
  async exited(): Promise<ProcessCost> {
    const code = await this.#exit;
    if (code !== 0) throw new Error(`${this.role} exited with ${code}:\n${this.tail()}`);
    return this.#cost(undefined);
  }

  /** SIGTERM (a clean drain), SIGKILL after `graceMs`; CPU and peak RSS from the probe, else /proc. */
  async stop(graceMs = 15_000): Promise<ProcessCost> {
    const last = sampleProcess(this.pid);
    this.#child.kill('SIGTERM');
    const killed = await Promise.race([this.#exit.then(() => false), sleep(graceMs).then(() => true)]);
    if (killed) {
      this.#child.kill('SIGKILL');
      await this.#exit;
    }
    return this.#cost(last);
  }

  #cost(last: ProcSample | undefined): ProcessCost {
    const file = join(this.#usageDir, `${this.pid}.json`);
    if (existsSync(file)) {
      const usage = JSON.parse(readFileSync(file, 'utf8')) as ProcessUsage;
      return {
        role: this.role,
        cpuSeconds: usage.cpuSeconds,
        peakRssMb: usage.maxRssKb / 1024,
        eventLoopDelayMs: usage.eventLoopDelayMs,
      };
    }
    return {
      role: this.role,
      cpuSeconds: last?.cpuSeconds ?? null,
      peakRssMb: last?.peakRssMb ?? null,
      eventLoopDelayMs: null,
    };
  }
}
