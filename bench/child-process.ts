import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a bench child process prints as its last stdout line. */
export interface ChildReport {
  /** Rows the child moved (read and written). */
  readonly rows: number;
  /** Milliseconds of the measured work, connections already open. */
  readonly ms: number;
  /** Peak resident set size of the child, `process.resourceUsage().maxRSS`, in KB. */
  readonly maxRssKb: number;
  /** Anything else the child wants recorded (counts, status). */
  readonly details?: Record<string, unknown>;
}

/** Children running now, so an interrupted bench can stop them before dropping their databases. */
const runningChildren = new Set<ChildProcess>();

/** Sends SIGTERM to every child process (node or shell) the bench is running. */
export function stopRunningChildren(): void {
  for (const child of runningChildren) {
    try {
      if (child.spawnargs[0] === 'bash' && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      else child.kill('SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

function track(child: ChildProcess): void {
  runningChildren.add(child);
  child.on('close', () => runningChildren.delete(child));
}

/** Prints a child's report as the last stdout line; the parent reads it with `runNodeChild`. */
export function printChildReport(report: Omit<ChildReport, 'maxRssKb'>): void {
  const full: ChildReport = { ...report, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(full)}\n`);
}

/** Reads the JSON argument a child was started with (`node child.js '<json>'`); the parent wrote it. */
export function readChildArgument(): unknown {
  const text = process.argv[2];
  if (text === undefined) throw new Error(`usage: node ${process.argv[1] ?? 'child.js'} '<json arguments>'`);
  return JSON.parse(text);
}

/** Absolute path of a compiled bench script beside this module (`dist/bench/<name>.js`). */
export function benchScript(name: string): string {
  return fileURLToPath(new URL(`./${name}.js`, import.meta.url));
}

/** Runs `node <script> '<json>'` and returns the report it printed; throws with its stderr if it failed. */
export function runNodeChild(script: string, argument: unknown): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir>: each Syncline cycle child writes a V8 CPU profile there (`--cpu-prof`).
    const profileDirectory = process.env['BENCH_CPU_PROF'];
    const profile =
      profileDirectory !== undefined && profileDirectory !== '' && script.includes('syncline-cycle-child')
        ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`]
        : [];
    const child = spawn(process.execPath, [...profile, script, JSON.stringify(argument)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0) {
        reject(
          new Error(
            `${script} exited with ${signal ?? `code ${code}`}: ${stderr.trim().split('\n').slice(-5).join('\n') || last}`,
          ),
        );
        return;
      }
      try {
        resolve(JSON.parse(last) as ChildReport);
      } catch {
        reject(new Error(`${script} printed no report; its last line was: ${last}`));
      }
    });
  });
}

/** Runs a bash command with `pipefail`; resolves with its wall-clock milliseconds, throws with its stderr. */
export function runShell(command: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
      // Its own process group, so stopping it stops both ends of the pipe.
      detached: true,
    });
    track(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else
        reject(
          new Error(
            `shell pipeline failed (${signal ?? `exit ${code}`}): ${stderr.trim()}\ncommand: ${command}`,
          ),
        );
    });
  });
}
