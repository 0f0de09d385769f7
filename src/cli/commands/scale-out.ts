import { ConfigError } from '../../config/config-error.js';
import type { Logger } from '../../core/logger.js';
import { startAlerts } from '../alerts-runner.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { watchConfig } from '../config-reload.js';
import type { Engine } from '../engine.js';
import { ExitCodes } from '../exit-codes.js';
import { createProgressReporter } from '../progress-reporter.js';
import {
  bullmqSettings,
  createRuntime,
  createWorker,
  describeDeployment,
  type BullmqSettings,
} from '../runtime-factory.js';
import { stopOnSignals } from '../stop-signals.js';
import { pendingEstimator, preflight } from './run.js';

/** The config's BullMQ settings; a config error naming `runtime` when it has none. */
function requireBullmq(engine: Engine, logger: Logger, command: string): BullmqSettings {
  const settings = bullmqSettings(engine.config);
  if (settings !== undefined) {
    if ((engine.config.state ?? 'sqlite:').startsWith('sqlite:'))
      logger.warn(
        'state: an SQLite file is shared only by processes on this machine; workers and schedulers on several machines need state: postgres://… (docs/scale-out.md)',
      );
    return settings;
  }
  throw new ConfigError([
    {
      path: 'runtime',
      message: `syncline ${command} needs "runtime: { type: bullmq, redis: redis://host:6379 }" in the config (docs/scale-out.md); without it flows run in one process with syncline run or serve`,
    },
  ]);
}

/**
 * `syncline scheduler`: a scheduler candidate of a BullMQ deployment. Exactly one leads (a Redis
 * lease, taken over within `runtime.leaderLease` when the leader dies): it plans every enabled
 * flow's cycles (cadences, adaptive controller, peaks, realtime wake-ups, reconcile schedules) and
 * queues them for the workers. Runs until Ctrl-C / SIGTERM.
 */
export async function schedulerCommand(options: GlobalOptions): Promise<number> {
  const { engine, logger } = await openCliEngine(options);
  try {
    const settings = requireBullmq(engine, logger, 'scheduler');
    if (!(await preflight(engine, [], logger))) return ExitCodes.badConfig;
    const runtime = await createRuntime(engine, 'scheduler');
    runtime.subscribe(createProgressReporter(logger, { isTty: false, estimate: pendingEstimator(engine) }));
    const removeSignalHandlers = stopOnSignals(runtime, logger);
    const unwatch = watchConfig(options.config, () => ({ ...engine.operations, runtime }), logger);
    const alerts = startAlerts(engine, runtime, logger);
    logger.info(`scheduler of ${describeDeployment(settings)}: campaigning to lead; Ctrl-C stops cleanly`);
    try {
      await runtime.start();
    } finally {
      await alerts.close();
      await unwatch();
      removeSignalHandlers();
    }
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}

/** Options of `syncline worker`. */
export interface WorkerOptions extends GlobalOptions {
  /** Cycles at once; default `runtime.concurrency`, else 4. */
  readonly concurrency?: number;
}

/**
 * `syncline worker [--concurrency N]`: takes cycle jobs of a BullMQ deployment and runs them with
 * this process's connectors. SIGTERM drains: the batch in hand of every running cycle is written
 * and committed, no new job is taken; a second signal stops at once.
 */
export async function workerCommand(options: WorkerOptions): Promise<number> {
  const { engine, logger } = await openCliEngine(options);
  try {
    const settings = requireBullmq(engine, logger, 'worker');
    const worker = createWorker(engine, settings, options.concurrency ?? settings.concurrency);
    let stopped: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      stopped = resolve;
    });
    const removeSignalHandlers = stopOnSignals(
      {
        stop: async () => {
          await worker.drain();
          stopped();
        },
        abort: () => {
          void worker.abort().finally(stopped);
        },
      },
      logger,
    );
    try {
      await worker.start();
      await done;
    } finally {
      removeSignalHandlers();
    }
    logger.info(`worker ${worker.id} stopped`);
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}
