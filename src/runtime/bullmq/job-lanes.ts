import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WriteSample } from '../../core/batch-writer.js';
import { SyncError, toSyncError, type SyncErrorJson } from '../../core/errors.js';
import { runLaneTask, type LaneEvents, type LaneRunner, type LaneTask } from '../../core/lane-task.js';
import { backfillLaneName, type DeadLetterKind, type RunCounts } from '../../core/state-store.js';
import type { Logger } from '../../core/logger.js';
import type { ScalarValue } from '../../core/values.js';
import type { EngineContext } from '../runtime.js';
import { LANE_QUEUE, processId, redisNames, type BullmqSettings } from './bullmq-settings.js';
import { closeRedis, openRedis, redisOptions } from './redis-connection.js';

// Lanes of a partitioned backfill as jobs on the `lanes` queue (docs/scale-out.md): the cycle that
// planned them queues one job per lane and waits; any worker takes a lane, writes its range and
// commits each batch under the cycle's lease fence, reporting counts, dead letters and write
// samples back. A lane job whose worker died is retried elsewhere and resumes from the lane's last
// committed key; once the flow is taken over, its lanes cannot commit any more.

/** What a lane job carries. */
interface LaneJobData {
  readonly task: LaneTask;
  readonly replyTo: string;
}

type LaneReport =
  | {
      readonly kind: 'lane-committed';
      readonly jobId: string;
      readonly added: RunCounts;
      readonly letters: readonly {
        readonly key: string;
        readonly kind: DeadLetterKind;
        readonly code: string;
        readonly reason: string;
        readonly field?: string;
      }[];
    }
  | { readonly kind: 'lane-write'; readonly jobId: string; readonly sample: WriteSample }
  | { readonly kind: 'lane-done'; readonly jobId: string; readonly isComplete: boolean }
  | { readonly kind: 'lane-failed'; readonly jobId: string; readonly error: SyncErrorJson };

/** A lane job's return value. */
type LaneOutcome = { readonly isComplete: boolean } | { readonly error: SyncErrorJson };

interface Waiting {
  readonly flow: string;
  readonly events: LaneEvents;
  readonly settle: (outcome: LaneOutcome) => void;
  heardAt: number;
  missing: number;
}

const POLL_EVERY_MS = 2_000;
const QUIET_MS = 5_000;
const MISSING_LOOKUPS = 3;

/**
 * A LaneRunner that queues each lane as a job for any worker of the deployment. Connects on first
 * use; `close()` disconnects.
 */
export class JobLaneRunner implements LaneRunner {
  readonly where = 'BullMQ lane jobs on the workers';
  readonly #settings: BullmqSettings;
  readonly #logger: Logger;
  readonly #replyTo: string;
  readonly #waiting = new Map<string, Waiting>();
  #opening: Promise<{ queue: Queue; client: Redis; subscriber: Redis }> | undefined;
  #poller: NodeJS.Timeout | undefined;

  constructor(settings: BullmqSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
    this.#replyTo = redisNames(settings).reports(`lanes-${processId()}`);
  }

  #open(): Promise<{ queue: Queue; client: Redis; subscriber: Redis }> {
    this.#opening ??= (async () => {
      const { redis, prefix } = this.#settings;
      const client = openRedis(redis, 'lanes', this.#logger);
      const subscriber = openRedis(redis, 'lane-reports', this.#logger);
      const queue = new Queue(LANE_QUEUE, { connection: redisOptions(redis, 'lane-queue'), prefix });
      queue.on('error', (error) => {
        this.#logger.warn(`lane queue: ${error.message}`);
      });
      subscriber.on('message', (_channel: string, message: string) => {
        this.#onReport(message);
      });
      await queue.waitUntilReady();
      await subscriber.subscribe(this.#replyTo);
      this.#poller = setInterval(() => {
        void this.#poll(queue, client);
      }, POLL_EVERY_MS);
      this.#poller.unref();
      return { queue, client, subscriber };
    })();
    return this.#opening;
  }

  async run(task: LaneTask, events: LaneEvents, signal: AbortSignal, stop?: AbortSignal): Promise<boolean> {
    const { queue, client } = await this.#open();
    const jobId = `${task.flow}.lane-${task.lane}.${randomUUID()}`;
    const control = (action: 'stop' | 'abort'): void => {
      void client
        .publish(redisNames(this.#settings).control, JSON.stringify({ jobId, action }))
        .catch(() => undefined);
    };
    const onAbort = (): void => {
      control('abort');
    };
    const onStop = (): void => {
      control('stop');
    };
    const outcome = await new Promise<LaneOutcome>((settle) => {
      this.#waiting.set(jobId, { flow: task.flow, events, settle, heardAt: Date.now(), missing: 0 });
      signal.addEventListener('abort', onAbort, { once: true });
      stop?.addEventListener('abort', onStop, { once: true });
      queue
        .add('lane', { task, replyTo: this.#replyTo } satisfies LaneJobData, {
          jobId,
          priority: 1,
          attempts: 1,
          removeOnComplete: { age: 3_600 },
          removeOnFail: { age: 86_400 },
        })
        .catch((error: unknown) => {
          settle({
            error: new SyncError(
              'RUNTIME_UNAVAILABLE',
              `lane ${task.lane} could not be queued: ${String(error)}`,
              {
                flow: task.flow,
              },
            ).toJSON(),
          });
        });
    }).finally(() => {
      this.#waiting.delete(jobId);
      signal.removeEventListener('abort', onAbort);
      stop?.removeEventListener('abort', onStop);
    });
    if ('error' in outcome) throw SyncError.fromJSON(outcome.error);
    return outcome.isComplete;
  }

  #onReport(message: string): void {
    let report: LaneReport;
    try {
      report = JSON.parse(message) as LaneReport;
    } catch {
      return;
    }
    const waiting = this.#waiting.get(report.jobId);
    if (waiting === undefined) return;
    waiting.heardAt = Date.now();
    switch (report.kind) {
      case 'lane-committed':
        waiting.events.onCommitted(
          report.added,
          report.letters.map((letter) => ({ ...letter, flow: waiting.flow, payload: {} })),
        );
        break;
      case 'lane-write':
        waiting.events.onWrite?.(report.sample);
        break;
      case 'lane-done':
        waiting.settle({ isComplete: report.isComplete });
        break;
      case 'lane-failed':
        waiting.settle({ error: report.error });
        break;
    }
  }

  /** Lane jobs not heard of for a while: a lost report (the job's return value), or a lost job. */
  async #poll(queue: Queue, client: Redis): Promise<void> {
    if (client.status !== 'ready') return;
    const now = Date.now();
    const quiet = [...this.#waiting.entries()].filter(([, waiting]) => now - waiting.heardAt >= QUIET_MS);
    if (quiet.length === 0) return;
    const pipeline = client.pipeline();
    for (const [jobId] of quiet) pipeline.hmget(queue.toKey(jobId), 'finishedOn', 'returnvalue', 'name');
    const replies = await pipeline.exec().catch(() => null);
    quiet.forEach(([jobId, waiting], index) => {
      const [error, value] = replies?.[index] ?? [null, undefined];
      if (error !== null || !Array.isArray(value)) return;
      const [finishedOn, returnvalue, name] = value as (string | null)[];
      if (name === null) {
        waiting.missing += 1;
        if (waiting.missing >= MISSING_LOOKUPS)
          waiting.settle({
            error: new SyncError('RUNTIME_JOB_LOST', `lane job ${jobId} is no longer in Redis`, {
              flow: waiting.flow,
            }).toJSON(),
          });
        return;
      }
      waiting.missing = 0;
      if (finishedOn === null || typeof returnvalue !== 'string') return;
      try {
        waiting.settle(JSON.parse(returnvalue) as LaneOutcome);
      } catch {
        waiting.settle({
          error: new SyncError('RUNTIME_JOB_LOST', `lane job ${jobId} ended without a result`, {
            flow: waiting.flow,
          }).toJSON(),
        });
      }
    });
  }

  async close(): Promise<void> {
    if (this.#poller !== undefined) clearInterval(this.#poller);
    const opening = this.#opening;
    this.#opening = undefined;
    if (opening === undefined) return;
    const { queue, client, subscriber } = await opening.catch(() => ({
      queue: undefined,
      client: undefined,
      subscriber: undefined,
    }));
    await queue?.close().catch(() => undefined);
    if (subscriber !== undefined) await closeRedis(subscriber);
    if (client !== undefined) await closeRedis(client);
  }
}

/** A running lane job on this worker: how to stop it. */
export interface ActiveLane {
  readonly stop: AbortController;
  readonly abort: AbortController;
}

/**
 * Takes lane jobs and runs them with this process's connectors and state store. A lane retried
 * after its worker died resumes from the lane's last committed key, and a lane already done ends
 * at once. `active` lets the worker's control channel stop or abort a running lane.
 */
export function startLaneWorker(
  settings: BullmqSettings,
  context: () => EngineContext,
  concurrency: number,
  client: Redis,
  active: Map<string, ActiveLane>,
  name: string,
): Worker<LaneJobData, LaneOutcome> {
  const worker = new Worker<LaneJobData, LaneOutcome>(
    LANE_QUEUE,
    async (job: Job<LaneJobData, LaneOutcome>) => {
      const jobId = job.id ?? '';
      const { task, replyTo } = job.data;
      const report = (message: LaneReport): void => {
        void client.publish(replyTo, JSON.stringify(message)).catch(() => undefined);
      };
      const controls: ActiveLane = { stop: new AbortController(), abort: new AbortController() };
      active.set(jobId, controls);
      let outcome: LaneOutcome;
      try {
        outcome = {
          isComplete: await runLane(task, context(), controls, (message) => {
            report({ ...message, jobId });
          }),
        };
        report({ kind: 'lane-done', jobId, isComplete: outcome.isComplete });
      } catch (error) {
        const failure = toSyncError(error, { flow: task.flow }).toJSON();
        outcome = { error: failure };
        report({ kind: 'lane-failed', jobId, error: failure });
      } finally {
        active.delete(jobId);
      }
      return outcome;
    },
    {
      connection: redisOptions(settings.redis, 'worker-lanes'),
      prefix: settings.prefix,
      concurrency,
      lockDuration: settings.jobLeaseMs,
      stalledInterval: Math.max(500, Math.floor(settings.jobLeaseMs / 2)),
      maxStalledCount: 5,
      name,
    },
  );
  return worker;
}

type UnaddressedReport = LaneReport extends infer R
  ? R extends { jobId: string }
    ? Omit<R, 'jobId'>
    : never
  : never;

/** Runs one lane from where it last committed (read from the state store). */
async function runLane(
  task: LaneTask,
  context: EngineContext,
  controls: ActiveLane,
  report: (message: UnaddressedReport) => void,
): Promise<boolean> {
  const flow = context.flows.find((candidate) => candidate.name === task.flow);
  if (flow === undefined)
    throw new SyncError(
      'FLOW_UNKNOWN',
      `This worker has no flow "${task.flow}" in its config; run every worker and scheduler with the same config file`,
      { flow: task.flow },
    );
  const ports = context.portsFor(flow);
  const saved = await ports.state.getCheckpoint(backfillLaneName(task.flow, task.lane));
  const progress = saved as { readonly after?: ScalarValue | null; readonly done?: boolean } | undefined;
  if (progress?.done === true) return true;
  const resumed: LaneTask = progress?.after === undefined ? task : { ...task, after: progress.after };
  return runLaneTask(
    resumed,
    { flow, source: ports.source, target: ports.target, state: ports.state, log: ports.logger },
    {
      onCommitted: (added, letters) => {
        report({
          kind: 'lane-committed',
          added,
          letters: letters.map((letter) => ({
            key: letter.key,
            kind: letter.kind,
            code: letter.code,
            reason: letter.reason,
            ...(letter.field === undefined ? {} : { field: letter.field }),
          })),
        });
      },
      onWrite: (sample) => {
        report({ kind: 'lane-write', sample });
      },
    },
    controls.abort.signal,
    controls.stop.signal,
  );
}
