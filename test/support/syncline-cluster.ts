import type { ChildProcess } from 'node:child_process';
import { spawnCli, type Workspace } from './cli.js';
import { eventually } from './eventually.js';

/** What a cluster process is to the BullMQ runtime. */
export type ClusterRole = 'scheduler' | 'worker';

/** How a cluster process ended. */
export interface ClusterExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One `syncline scheduler` or `syncline worker` child process, with its log. */
export interface ClusterProcess {
  /** `scheduler-1`, `worker-3`…: unique in the cluster, for messages. */
  readonly name: string;
  readonly role: ClusterRole;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Settles when the process exits. */
  readonly exited: Promise<ClusterExit>;
  readonly isRunning: boolean;
  /** What it printed so far (stdout and stderr, as they came). */
  log(): string;
  /** The runtime id (`host:pid:random`) it logged on start, once it did. */
  runtimeId(): string | undefined;
  /** Sends a signal and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<ClusterExit>;
}

/** Lines that say which runtime id a process has: the worker's start line, the scheduler's lead line. */
const ID_PATTERNS: Record<ClusterRole, RegExp> = {
  worker: /worker (\S+) takes cycle jobs/,
  scheduler: /scheduler (\S+) leads/,
};

/**
 * Schedulers and workers of one BullMQ deployment, each a real `syncline` child process (through
 * tsx) over the same config, each with its own captured log. `stop()` ends every process still
 * running: SIGTERM, then SIGKILL when it does not exit in time.
 */
export class SynclineCluster {
  readonly #workspace: Workspace;
  readonly #env: Record<string, string>;
  readonly #processes: ClusterProcess[] = [];
  readonly #counts: Record<ClusterRole, number> = { scheduler: 0, worker: 0 };

  constructor(workspace: Workspace, env: Record<string, string>) {
    this.#workspace = workspace;
    this.#env = env;
  }

  /** Every process started, running or not, in start order. */
  get processes(): readonly ClusterProcess[] {
    return this.#processes;
  }

  /** The running processes of a role. */
  running(role: ClusterRole): ClusterProcess[] {
    return this.#processes.filter((candidate) => candidate.role === role && candidate.isRunning);
  }

  /** The process with this pid; throws naming the pid when the cluster has none. */
  byPid(pid: number): ClusterProcess {
    const found = this.#processes.find((candidate) => candidate.pid === pid);
    if (found === undefined) throw new Error(`no process of the cluster has pid ${String(pid)}`);
    return found;
  }

  /** Starts `syncline scheduler`. */
  startScheduler(): ClusterProcess {
    return this.#start('scheduler', ['scheduler']);
  }

  /** Starts `syncline worker --concurrency <n>` and waits until it takes jobs. */
  async startWorker(concurrency: number): Promise<ClusterProcess> {
    const worker = this.#start('worker', ['worker', '--concurrency', String(concurrency)]);
    await eventually(
      () => {
        if (!worker.isRunning) throw new Error(`${worker.name} exited on start:\n${worker.log()}`);
        return worker.runtimeId() !== undefined;
      },
      `${worker.name} takes cycle jobs`,
      { tries: 600, everyMs: 100 },
    );
    return worker;
  }

  #start(role: ClusterRole, args: readonly string[]): ClusterProcess {
    this.#counts[role] += 1;
    const name = `${role}-${String(this.#counts[role])}`;
    const child = spawnCli(['-c', this.#workspace.configPath, ...args], {
      cwd: this.#workspace.dir,
      env: this.#env,
    });
    if (child.pid === undefined) throw new Error(`${name} did not start (syncline ${args.join(' ')})`);
    const { pid } = child;
    let output = '';
    let isRunning = true;
    const append = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exited = new Promise<ClusterExit>((resolve) => {
      child.on('exit', (code, signal) => {
        isRunning = false;
        resolve({ code, signal });
      });
    });
    const started: ClusterProcess = {
      name,
      role,
      pid,
      child,
      exited,
      get isRunning() {
        return isRunning;
      },
      log: () => output,
      runtimeId: () => ID_PATTERNS[role].exec(output)?.[1],
      kill: async (signal) => {
        if (isRunning) child.kill(signal);
        return exited;
      },
    };
    this.#processes.push(started);
    return started;
  }

  /** Every process's log, headed by its name, pid and how it ended; the last `tail` characters of each. */
  logs(tail = 8_000): string {
    return this.#processes
      .map((entry) => {
        const log = entry.log();
        const shown = log.length > tail ? `…${log.slice(-tail)}` : log;
        return `===== ${entry.name} (pid ${String(entry.pid)}${entry.isRunning ? '' : ', exited'}) =====\n${shown}`;
      })
      .join('\n');
  }

  /** Stops every running process: SIGTERM (workers drain), SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    await Promise.all(
      this.#processes
        .filter((entry) => entry.isRunning)
        .map(async (entry) => {
          entry.child.kill('SIGTERM');
          const timer = setTimeout(() => entry.child.kill('SIGKILL'), graceMs);
          await entry.exited;
          clearTimeout(timer);
        }),
    );
  }
}
