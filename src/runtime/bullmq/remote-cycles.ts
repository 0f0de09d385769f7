import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { emptyCounts } from '../../core/batch-handler.js';
import type { CycleOptions, CyclePorts, CycleResult } from '../../core/cycle-ports.js';
import type { ErrorCode } from '../../core/error-codes.js';
import { SyncError } from '../../core/errors.js';
import type { Flow } from '../../core/flow.js';
import type { Logger } from '../../core/logger.js';
import type { CycleExecutor } from '../cycle-executor.js';
import { CYCLE_QUEUE, redisNames, type BullmqSettings } from './bullmq-settings.js';
import {
  cyclePriority,
  resultFromJson,
  type ControlMessage,
  type CycleJobData,
  type CycleReport,
  type CycleResultJson,
} from './cycle-job.js';
import { localJobs } from './local-jobs.js';
import { closeRedis, openRedis, redisOptions } from './redis-connection.js';

/** How often jobs not heard of for a while are looked up in Redis (a lost report, a lost job). */
const POLL_EVERY_MS = 2_000;
/** A job is looked up once nothing was heard of it for this long. */
const QUIET_MS = 3_000;
/**
 * A job no worker started yet is looked up this rarely (only to notice Redis lost it): with a long
 * queue, looking each one up every few seconds would cost more Redis calls than running them.
 */
const WAITING_QUIET_MS = 30_000;
/** Lookups that find no job before it counts as lost (Redis restarted without persistence). */
const MISSING_LOOKUPS = 2;
/** Times a job Redis lost is queued again before its cycle fails as RUNTIME_JOB_LOST. */
const MAX_REQUEUES = 3;
/** How long queuing a job may wait for Redis before the cycle fails as RUNTIME_UNAVAILABLE. */
const ADD_TIMEOUT_MS = 10_000;
/** Finished cycle jobs stay this long in Redis (a lookup of a lost report finds their result), seconds. */
const KEEP_FINISHED_S = 600;

interface Pending {
  readonly flow: string;
  readonly options: CycleOptions;
  readonly resolve: (result: CycleResult) => void;
  heardAt: number;
  isQueued: boolean;
  /** A worker said it started the job. */
  isStarted: boolean;
  missing: number;
  startedAt: number;
  /** Queues the job (again, when Redis lost it). */
  readonly requeue: () => Promise<unknown>;
  requeues: number;
}

/**
 * Runs cycles as jobs on the `cycles` queue: a worker anywhere takes the job, runs the cycle with
 * its own connectors and reports progress, write samples, dead letters and the result on this
 * process's reports channel; `options` hears them as if the cycle ran here. A graceful stop or an
 * abort is published to the workers. A job whose worker died is retried by BullMQ on another
 * worker; a job Redis lost (a restart without persistence) ends as RUNTIME_JOB_LOST, and the flow's
 * next cycle reads on from its last committed checkpoint.
 */
export class RemoteCycles implements CycleExecutor {
  readonly where = 'on BullMQ workers';
  readonly #settings: BullmqSettings;
  readonly #logger: Logger;
  readonly #replyTo: string;
  readonly #pending = new Map<string, Pending>();
  #client: Redis | undefined;
  #subscriber: Redis | undefined;
  #queue: Queue | undefined;
  #poller: NodeJS.Timeout | undefined;
  #opening: Promise<void> | undefined;
  /** Answers to commands this process sent (keyed by request id). */
  readonly #answers = new Map<string, (answer: unknown) => void>();

  constructor(settings: BullmqSettings, logger: Logger, id: string) {
    this.#settings = settings;
    this.#logger = logger;
    this.#replyTo = redisNames(settings).reports(id);
  }

  /** This process's reports channel (answers to its commands arrive there too). */
  get replyTo(): string {
    return this.#replyTo;
  }

  /** The queue of cycles (opened on first use). */
  async queue(): Promise<Queue> {
    await this.open();
    if (this.#queue === undefined) throw new Error('the cycle queue is closed');
    return this.#queue;
  }

  /** Connects and subscribes to the reports channel; safe to call again. */
  open(): Promise<void> {
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<void> {
    const { redis, prefix } = this.#settings;
    this.#client = openRedis(redis, 'scheduler', this.#logger);
    this.#subscriber = openRedis(redis, 'scheduler-reports', this.#logger);
    this.#queue = new Queue(CYCLE_QUEUE, { connection: redisOptions(redis, 'scheduler-queue'), prefix });
    this.#queue.on('error', (error) => {
      this.#logger.warn(`cycle queue: ${error.message}`);
    });
    this.#subscriber.on('message', (_channel: string, message: string) => {
      this.#onReport(message);
    });
    await this.#queue.waitUntilReady();
    await this.#subscriber.subscribe(this.#replyTo);
    this.#poller = setInterval(() => {
      void this.#poll();
    }, POLL_EVERY_MS);
    this.#poller.unref();
  }

  /** Publishes a message on a channel of this deployment. */
  async publish(channel: string, message: unknown): Promise<void> {
    await this.open();
    await this.#client?.publish(channel, JSON.stringify(message));
  }

  /** Sends a command and waits for an answer on this process's channel; undefined after `timeoutMs`. */
  async ask(channel: string, command: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const request = randomUUID();
    const answered = new Promise<unknown>((resolve) => {
      this.#answers.set(request, resolve);
      setTimeout(() => {
        resolve(undefined);
      }, timeoutMs).unref();
    });
    try {
      await this.publish(channel, { ...command, request, replyTo: this.#replyTo });
      return await answered;
    } finally {
      this.#answers.delete(request);
    }
  }

  async run(flow: Flow, ports: CyclePorts, options: CycleOptions): Promise<CycleResult> {
    await this.open();
    // Every pending job listens to the runtime's stop signals: thousands with many flows.
    setMaxListeners(0, options.signal, ...(options.stop === undefined ? [] : [options.stop]));
    const queue = this.#queue;
    if (queue === undefined) return failed(flow.name, 'RUNTIME_UNAVAILABLE', 'the runtime is closed');
    const jobId = `${flow.name}.${randomUUID()}`;
    const data: CycleJobData = {
      flow: flow.name,
      trigger: options.trigger,
      batchSize: flow.source.batchSize,
      replyTo: this.#replyTo,
    };
    const add = () =>
      queue.add('cycle', data, {
        jobId,
        priority: cyclePriority(flow),
        attempts: 1,
        removeOnComplete: { age: KEEP_FINISHED_S },
        removeOnFail: { age: 24 * KEEP_FINISHED_S },
      });
    return new Promise<CycleResult>((resolve) => {
      const now = Date.now();
      const pending: Pending = {
        flow: flow.name,
        options,
        resolve: (result) => {
          this.#pending.delete(jobId);
          localJobs.delete(jobId);
          options.signal.removeEventListener('abort', onAbort);
          options.stop?.removeEventListener('abort', onStop);
          resolve(result);
        },
        heardAt: now,
        isQueued: false,
        isStarted: false,
        missing: 0,
        startedAt: now,
        requeue: () => add(),
        requeues: 0,
      };
      const control = (action: ControlMessage['action']): void => {
        void this.publish(redisNames(this.#settings).control, {
          jobId,
          action,
        } satisfies ControlMessage).catch(() => undefined);
      };
      // A graceful stop: a running cycle ends after the batch in hand; a job no worker took yet is
      // taken back from the queue (BullMQ refuses to remove a job a worker holds).
      const onStop = (): void => {
        control('stop');
        void queue.remove(jobId).then(
          (removed) => {
            if (removed === 1)
              pending.resolve(
                failed(flow.name, 'CYCLE_ABORTED', 'stopped before a worker took it', 'aborted'),
              );
          },
          () => undefined,
        );
      };
      // An abort does not wait for the worker: the scheduler is going away; the worker stops at once
      // and its unfinished batch is read again by the flow's next cycle.
      const onAbort = (): void => {
        control('abort');
        pending.resolve(
          failed(flow.name, 'CYCLE_ABORTED', 'the cycle was aborted', 'aborted', pending.startedAt),
        );
      };
      this.#pending.set(jobId, pending);
      localJobs.add(jobId, { flow, ports, signal: options.signal, stop: options.stop });
      options.signal.addEventListener('abort', onAbort, { once: true });
      options.stop?.addEventListener('abort', onStop, { once: true });
      if (options.signal.aborted) {
        onAbort();
        return;
      }
      const timeout = new Promise<'timeout'>((settle) =>
        setTimeout(() => {
          settle('timeout');
        }, ADD_TIMEOUT_MS).unref(),
      );
      const added = add().then(() => 'added' as const);
      void Promise.race([added, timeout]).then(
        (outcome) => {
          if (outcome === 'added') {
            pending.isQueued = true;
            return;
          }
          pending.resolve(
            failed(
              flow.name,
              'RUNTIME_UNAVAILABLE',
              `Redis did not take the cycle job within ${ADD_TIMEOUT_MS / 1000} s`,
            ),
          );
        },
        (error: unknown) => {
          pending.resolve(
            failed(flow.name, 'RUNTIME_UNAVAILABLE', `the cycle job could not be queued: ${String(error)}`),
          );
        },
      );
    });
  }

  #onReport(message: string): void {
    let report: CycleReport | { readonly kind: 'answer'; readonly request: string; readonly answer: unknown };
    try {
      report = JSON.parse(message) as typeof report;
    } catch {
      return;
    }
    if (report.kind === 'answer') {
      this.#answers.get(report.request)?.(report.answer);
      return;
    }
    const pending = this.#pending.get(report.jobId);
    if (pending === undefined) return;
    pending.heardAt = Date.now();
    pending.isQueued = true;
    const { options } = pending;
    try {
      switch (report.kind) {
        case 'started':
          pending.isStarted = true;
          pending.startedAt = Date.now();
          break;
        case 'progress':
          options.onProgress?.({ flow: pending.flow, counts: report.counts, elapsedMs: report.elapsedMs });
          break;
        case 'write':
          options.onWrite?.(report.sample);
          break;
        case 'dead-letter':
          options.onDeadLetter?.({
            flow: pending.flow,
            key: report.key,
            kind: report.letterKind,
            code: report.code,
            reason: report.reason,
            payload: {},
            ...(report.field === undefined ? {} : { field: report.field }),
          });
          break;
        case 'conflict':
          options.onConflict?.({
            flow: pending.flow,
            key: report.key,
            base: undefined,
            source: {},
            target: {},
            fields: report.fields,
            reason: report.reason,
          });
          break;
        case 'result':
          pending.resolve(resultFromJson(report.result));
          break;
      }
    } catch (error) {
      this.#logger.warn(`a report of flow ${pending.flow} could not be handled: ${String(error)}`);
    }
  }

  /** Looks up jobs not heard of for a while: a finished one whose report was lost, or a lost job. */
  async #poll(): Promise<void> {
    const queue = this.#queue;
    const client = this.#client;
    if (queue === undefined || client?.status !== 'ready') return;
    const now = Date.now();
    const quiet = [...this.#pending.entries()].filter(
      ([, pending]) =>
        pending.isQueued && now - pending.heardAt >= (pending.isStarted ? QUIET_MS : WAITING_QUIET_MS),
    );
    if (quiet.length === 0) return;
    const pipeline = client.pipeline();
    for (const [jobId] of quiet)
      pipeline.hmget(queue.toKey(jobId), 'finishedOn', 'returnvalue', 'failedReason', 'name');
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch {
      return;
    }
    quiet.forEach(([jobId, pending], index) => {
      const [error, value] = replies?.[index] ?? [null, undefined];
      if (error !== null || !Array.isArray(value)) return;
      const [finishedOn, returnvalue, failedReason, name] = value as (string | null)[];
      if (name === null) {
        pending.missing += 1;
        if (pending.missing < MISSING_LOOKUPS) return;
        pending.missing = 0;
        // Redis lost the job (a restart without persistence): queue it again, a few times.
        if (pending.requeues < MAX_REQUEUES) {
          pending.requeues += 1;
          pending.heardAt = Date.now();
          this.#logger.warn(
            `flow ${pending.flow}: its cycle job ${jobId} vanished from Redis (restarted without persistence?); queued again`,
          );
          void pending.requeue().catch(() => undefined);
          return;
        }
        pending.resolve(
          failed(
            pending.flow,
            'RUNTIME_JOB_LOST',
            `the cycle job ${jobId} is no longer in Redis (restarted without persistence?); the flow's next cycle reads on from its last committed checkpoint`,
          ),
        );
        return;
      }
      pending.missing = 0;
      if (finishedOn === null) return;
      if (typeof returnvalue === 'string' && returnvalue !== 'null') {
        try {
          pending.resolve(resultFromJson(JSON.parse(returnvalue) as CycleResultJson));
          return;
        } catch {
          // Fall through to the failure below.
        }
      }
      pending.resolve(
        failed(
          pending.flow,
          'RUNTIME_JOB_LOST',
          `the cycle job ${jobId} failed on its worker: ${failedReason ?? 'no reason given'}`,
        ),
      );
    });
  }

  /** Jobs of this process not finished yet. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  async close(): Promise<void> {
    if (this.#poller !== undefined) clearInterval(this.#poller);
    for (const pending of [...this.#pending.values()])
      pending.resolve(
        failed(pending.flow, 'CYCLE_ABORTED', 'the scheduler closed', 'aborted', pending.startedAt),
      );
    const opened = this.#opening;
    this.#opening = undefined;
    if (opened === undefined) return;
    await opened.catch(() => undefined);
    await this.#queue?.close().catch(() => undefined);
    if (this.#subscriber !== undefined) await closeRedis(this.#subscriber);
    if (this.#client !== undefined) await closeRedis(this.#client);
  }
}

function failed(
  flow: string,
  code: ErrorCode,
  message: string,
  status: 'failed' | 'aborted' = 'failed',
  startedAt = Date.now(),
): CycleResult {
  return {
    flow,
    status,
    runId: undefined,
    counts: emptyCounts(),
    durationMs: Date.now() - startedAt,
    error: new SyncError(code, message, { flow }),
  };
}
