import type { SyncConfig } from '../config/config-schema.js';
import type { Engine } from './engine.js';
import { BullmqRuntime } from '../runtime/bullmq/bullmq-runtime.js';
import { readClusterSnapshot } from '../runtime/bullmq/cluster-snapshot.js';
export type { BullmqSettings } from '../runtime/bullmq/bullmq-settings.js';
import { processId, type BullmqSettings } from '../runtime/bullmq/bullmq-settings.js';
import { bullmqSettings } from './bullmq-config.js';
export { bullmqSettings } from './bullmq-config.js';
import { CycleWorker } from '../runtime/bullmq/cycle-worker.js';
import { redactUrl } from '../config/secret.js';
import { LocalRuntime, type LocalRuntimeOptions } from '../runtime/local/local-runtime.js';
import type { ClusterSnapshot, Runtime } from '../runtime/runtime.js';
import type { Logger } from '../core/logger.js';

/**
 * What the process is to the runtime: `run` plans and runs cycles (on BullMQ: a scheduler
 * candidate with a worker of its own); `serve` runs flows locally, or on BullMQ follows the leading
 * scheduler (API, metrics, dashboard); `scheduler` only plans (BullMQ).
 */
export type RuntimeRole = 'run' | 'serve' | 'scheduler';

/**
 * The runtime `run`, `serve`, `scheduler` and `demo` drive: flows in this process (the embedded
 * default), or on BullMQ workers when the config's `runtime:` says `bullmq` (docs/scale-out.md).
 */
export async function createRuntime(
  engine: Engine,
  role: RuntimeRole,
  options: LocalRuntimeOptions = {},
): Promise<Runtime> {
  const settings = bullmqSettings(engine.config);
  if (settings === undefined) return new LocalRuntime(engine.context, options);
  return BullmqRuntime.open(engine.context, {
    settings,
    scheduling: (context, executor) =>
      new LocalRuntime(context, { ...options, executor, concurrency: Number.MAX_SAFE_INTEGER }),
    schedules: role !== 'serve',
    ...(role === 'run' ? { worker: { concurrency: options.concurrency ?? settings.concurrency } } : {}),
  });
}

/** A worker process's job runner, as `syncline worker` drives it. */
export interface JobWorker {
  readonly id: string;
  start(): Promise<void>;
  /** Finishes and commits the batch in hand of every running cycle; takes no new job. */
  drain(): Promise<void>;
  /** Stops at once. */
  abort(): Promise<void>;
}

/** The worker of the config's BullMQ deployment, running cycles with the engine's connectors. */
export function createWorker(engine: Engine, settings: BullmqSettings, concurrency: number): JobWorker {
  return new CycleWorker({ settings, context: () => engine.context, concurrency, id: processId() });
}

/** Where a BullMQ deployment lives, for the log: its prefix and Redis, password masked. */
export function describeDeployment(settings: BullmqSettings): string {
  return `${settings.prefix} on Redis ${redactUrl(settings.redis)}`;
}

/**
 * Reads the cluster of the config's BullMQ deployment without running a runtime (`syncline
 * status`): fails within about 3 s with `RUNTIME_UNAVAILABLE` when Redis cannot be reached.
 * Undefined for the local runtime.
 */
export function clusterReader(
  config: SyncConfig,
  logger?: Logger,
): (() => Promise<ClusterSnapshot>) | undefined {
  const settings = bullmqSettings(config);
  if (settings === undefined) return undefined;
  return () => readClusterSnapshot(settings, logger);
}
