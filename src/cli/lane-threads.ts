import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { connectionFingerprint } from '../config/connection-fingerprint.js';
import type { SyncConfig } from '../config/config-schema.js';
import { SyncError, toSyncError, type SyncErrorJson } from '../core/errors.js';
import type { WriteSample } from '../core/batch-writer.js';
import type { LaneRunner, LaneTask } from '../core/lane-task.js';
import type { Logger, LogFields } from '../core/logger.js';
import type { DeadLetterInput, RunCounts } from '../core/state-store.js';

// Lanes of a partitioned backfill in worker threads (docs/backfill.md): each lane opens the config
// file, its two connections and the state store in a thread of its own, so mapping, hashing and
// formatting run on every core while the cycle's own thread only keeps the lease and adds up.

/** What a lane worker thread is started with. */
export interface LaneWorkerData {
  readonly configPath: string;
  /** `laneFingerprint` of the config the cycle runs with: the thread refuses a config file that changed since. */
  readonly fingerprint: string;
  readonly task: LaneTask;
}

/** What the cycle tells a lane thread. */
export type ToLaneWorker = { readonly type: 'abort' } | { readonly type: 'stop' };

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

const WORKER_FILE = new URL('./lane-worker.js', import.meta.url);

/**
 * A LaneRunner on worker threads for the config file at `configPath`, or undefined where threads
 * cannot serve: the engine runs from TypeScript sources (tests; no compiled worker file), or the
 * state store is not a file every thread can open (`sqlite::memory:`).
 */
export function threadLaneRunner(
  configPath: string,
  config: () => SyncConfig,
  logger: Logger,
): LaneRunner | undefined {
  const state = config().state ?? '';
  if (!existsSync(fileURLToPath(WORKER_FILE)) || state.includes(':memory:')) return undefined;
  return {
    where: 'worker threads',
    run: (task, events, signal, stop) =>
      new Promise<boolean>((resolve, reject) => {
        const data: LaneWorkerData = { configPath, fingerprint: laneFingerprint(config(), task.flow), task };
        const worker = new Worker(WORKER_FILE, { workerData: data });
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
              const { code, message: text, ...rest } = message.error;
              settle(() => {
                reject(new SyncError(code, text, rest));
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
