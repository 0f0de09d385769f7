import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { connectionFingerprint } from '../config/connection-fingerprint.js';
import type { SyncConfig } from '../config/config-schema.js';
import { SyncError, toSyncError, type SyncErrorJson } from '../core/errors.js';
import type { WriteSample } from '../core/batch-writer.js';
import type { LaneRunner, LaneTask } from '../core/lane-task.js';
import type { Logger, LogFields } from '../core/logger.js';
import type { DeadLetterInput, RunCounts, StateStore } from '../core/state-store.js';
import { answerStateCall, type StateAnswer, type StateCall } from './state-relay.js';

// Lanes of a partitioned backfill in worker threads (docs/backfill.md): each lane opens the config
// file and its two connections in a thread of its own, so reading, mapping, hashing and formatting
// run on every core; state-store calls come back to the cycle's store (state-relay.ts), and the
// cycle's thread keeps the lease and adds up.

/** What a lane worker thread is started with. */
export interface LaneWorkerData {
  readonly configPath: string;
  /** `laneFingerprint` of the config the cycle runs with: the thread refuses a config file that changed since. */
  readonly fingerprint: string;
  readonly task: LaneTask;
}

/** What the cycle tells a lane thread. */
export type ToLaneWorker = { readonly type: 'abort' } | { readonly type: 'stop' } | StateAnswer;

/** What a lane thread tells the cycle. */
export type FromLaneWorker =
  | {
      readonly type: 'committed';
      readonly added: RunCounts;
      readonly letters: readonly DeadLetterInput[];
    }
  | { readonly type: 'write'; readonly sample: WriteSample }
  | {
      readonly type: 'log';
      readonly level: 'info' | 'warn' | 'error';
      readonly message: string;
      readonly fields?: LogFields;
    }
  | StateCall
  | { readonly type: 'done'; readonly isComplete: boolean }
  | { readonly type: 'failed'; readonly error: SyncErrorJson };

/**
 * What a lane thread must find in the config file to run the cycle's flow: the flow and both of its
 * connections as the cycle has them (a digest, secrets included, never revealing them).
 */
export function laneFingerprint(config: SyncConfig, flow: string): string {
  const spec = config.flows[flow];
  return connectionFingerprint({
    flow: spec ?? null,
    source: spec === undefined ? null : (config.connections[spec.source.connection] ?? null),
    target: spec === undefined ? null : (config.connections[spec.target.connection] ?? null),
  });
}

/** The young generation of a lane thread's heap, MB: bounds each thread's memory at little GC cost. */
const LANE_YOUNG_GENERATION_MB = 16;

/** How a lane thread is started: its script, or code that loads it. */
interface WorkerStart {
  readonly script: URL | string;
  readonly isEval: boolean;
}

/**
 * How to start a lane thread: the compiled `lane-worker.js` beside this file, or, when the engine
 * runs from TypeScript sources under tsx (the CLI's tests), code registering tsx in the thread and
 * importing `lane-worker.ts`; undefined when neither can run (sources loaded by a test runner).
 */
function workerStart(): WorkerStart | undefined {
  const compiled = new URL('./lane-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return { script: compiled, isEval: false };
  const source = new URL('./lane-worker.ts', import.meta.url);
  if (!process.execArgv.some((argument) => argument.includes('tsx')) || !existsSync(fileURLToPath(source)))
    return undefined;
  const tsx = import.meta.resolve('tsx/esm/api');
  return {
    script: `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source.href)}); });`,
    isEval: true,
  };
}

/**
 * A LaneRunner on worker threads for the config file at `configPath`, or undefined where threads
 * cannot serve (lanes then run in the cycle's own thread): no worker script can run (`workerStart`),
 * or the state store is not a file every thread can open (`sqlite::memory:`).
 */
export function threadLaneRunner(
  configPath: string,
  config: () => SyncConfig,
  logger: Logger,
  state: StateStore,
): LaneRunner | undefined {
  const start = workerStart();
  if (start === undefined || (config().state ?? '').includes(':memory:')) return undefined;
  return {
    where: 'worker threads',
    run: (task, events, signal, stop) =>
      new Promise<boolean>((resolve, reject) => {
        const data: LaneWorkerData = { configPath, fingerprint: laneFingerprint(config(), task.flow), task };
        const worker = new Worker(start.script, {
          workerData: data,
          eval: start.isEval,
          // A small young generation: a lane's garbage is short-lived, and every thread's heap counts.
          resourceLimits: { maxYoungGenerationSizeMb: LANE_YOUNG_GENERATION_MB },
        });
        const log = logger.child({ lane: task.lane });
        let settled = false;
        const tell = (message: ToLaneWorker): void => {
          worker.postMessage(message);
        };
        const onAbort = (): void => {
          tell({ type: 'abort' });
        };
        const onStop = (): void => {
          tell({ type: 'stop' });
        };
        signal.addEventListener('abort', onAbort, { once: true });
        stop?.addEventListener('abort', onStop, { once: true });
        const settle = (outcome: () => void): void => {
          if (settled) return;
          settled = true;
          // Its last word is in: the thread must not keep the process alive.
          worker.unref();
          signal.removeEventListener('abort', onAbort);
          stop?.removeEventListener('abort', onStop);
          outcome();
        };
        if (signal.aborted) onAbort();
        if (stop?.aborted === true) onStop();
        worker.on('message', (message: FromLaneWorker) => {
          switch (message.type) {
            case 'committed':
              events.onCommitted(message.added, message.letters);
              break;
            case 'state':
              answerStateCall(worker, state, message);
              break;
            case 'write':
              events.onWrite?.(message.sample);
              break;
            case 'log':
              log[message.level](message.message, message.fields);
              break;
            case 'done':
              settle(() => {
                resolve(message.isComplete);
              });
              break;
            case 'failed': {
              const error = SyncError.fromJSON(message.error);
              settle(() => {
                reject(error);
              });
              break;
            }
          }
        });
        worker.on('error', (error) => {
          settle(() => {
            reject(toSyncError(error, { flow: task.flow }));
          });
        });
        worker.on('exit', (code) => {
          settle(() => {
            reject(
              new SyncError(
                'INTERNAL',
                `Flow "${task.flow}": the worker thread of backfill lane ${task.lane} exited (code ${code}) before it said how the lane ended; the lane resumes from its checkpoint next cycle`,
                { flow: task.flow, retryable: true },
              ),
            );
          });
        });
      }),
  };
}
