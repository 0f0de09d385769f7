import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { emptyCounts } from '../../core/batch-handler.js';
import { runCycle } from '../../core/cycle.js';
import type { CycleResult } from '../../core/cycle-ports.js';
import { SyncError, toSyncError } from '../../core/errors.js';
import type { Flow } from '../../core/flow.js';
import { LEASE_TTL_MS, newLeaseOwner } from '../../core/flow-lease.js';
import type { ClusterWorker, EngineContext } from '../runtime.js';
import {
  CYCLE_QUEUE,
  redisNames,
  WORKER_HEARTBEAT_MS,
  WORKER_HEARTBEAT_TTL_MS,
  type BullmqSettings,
} from './bullmq-settings.js';
import {
  resultToJson,
  type ControlMessage,
  type CycleJobData,
  type CycleReport,
  type CycleResultJson,
} from './cycle-job.js';
import { startLaneWorker, type ActiveLane } from './job-lanes.js';
import { localJobs } from './local-jobs.js';
import { TargetSlots } from './target-slots.js';
import { closeRedis, openRedis, redisOptions } from './redis-connection.js';

/** Times a job may be found stalled (its worker gone) and retried before it fails. */
const MAX_STALLS = 5;

/** A worker as `status` and the API show it: its heartbeat in Redis. */
export type WorkerHeartbeat = ClusterWorker;

interface ActiveJob {
  readonly flow: string;
  readonly stop: AbortController;
  readonly abort: AbortController;
}

export interface CycleWorkerOptions {
  readonly settings: BullmqSettings;
  /** The engine context of this process (its connectors); a reload may replace it. */
  readonly context: () => EngineContext;
  /** Cycles run at once. */
  readonly concurrency: number;
  readonly id: string;
}

/**
 * Takes cycle jobs from the `cycles` queue and runs them with this process's connectors and state
 * store, reporting progress, write samples, dead letters and the result to the process that queued
 * each job. Each job's cycle takes the flow's lease under an owner of its own, so two jobs of one
 * flow never run at once, here or anywhere. `drain()` finishes and commits the batch in hand of
 * every running cycle and takes no new job (SIGTERM).
 */
export class CycleWorker {
  readonly #options: CycleWorkerOptions;
  readonly #active = new Map<string, ActiveJob>();
  readonly #startedAt = new Date().toISOString();
  #worker: Worker<CycleJobData, CycleResultJson> | undefined;
  /** Takes lane jobs of partitioned backfills (beside cycles, so a cycle waiting for its lanes never starves them). */
  #laneWorker: Worker | undefined;
  readonly #activeLanes = new Map<string, ActiveLane>();
  #client: Redis | undefined;
  #subscriber: Redis | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #jobsDone = 0;
  #draining = false;

  constructor(options: CycleWorkerOptions) {
    this.#options = options;
  }

  get id(): string {
    return this.#options.id;
  }

  /** Connects, listens for stop/abort of its jobs, beats and starts taking jobs. */
  async start(): Promise<void> {
    const { settings, concurrency } = this.#options;
    const logger = this.#options.context().logger;
    const names = redisNames(settings);
    this.#client = openRedis(settings.redis, 'worker', logger);
    this.#subscriber = openRedis(settings.redis, 'worker-control', logger);
    this.#subscriber.on('message', (_channel: string, message: string) => {
      this.#onControl(message);
    });
    await this.#subscriber.subscribe(names.control);
    this.#worker = new Worker<CycleJobData, CycleResultJson>(CYCLE_QUEUE, (job) => this.#process(job), {
      connection: redisOptions(settings.redis, 'worker-jobs'),
      prefix: settings.prefix,
      concurrency,
      lockDuration: settings.jobLeaseMs,
      stalledInterval: Math.max(500, Math.floor(settings.jobLeaseMs / 2)),
      maxStalledCount: MAX_STALLS,
      name: this.#options.id,
    });
    this.#worker.on('error', (error) => {
      logger.warn(`worker ${this.#options.id}: ${error.message}`);
    });
    this.#worker.on('failed', (job, error) => {
      logger.warn(`cycle job ${job?.id ?? '?'} failed on worker ${this.#options.id}: ${error.message}`);
    });
    this.#laneWorker = startLaneWorker(
      settings,
      this.#options.context,
      concurrency,
      this.#client,
      this.#activeLanes,
      this.#options.id,
    );
    this.#laneWorker.on('error', (error) => {
      logger.warn(`worker ${this.#options.id} (lanes): ${error.message}`);
    });
    await this.#worker.waitUntilReady();
    await this.#laneWorker.waitUntilReady();
    await this.#beat();
    this.#heartbeat = setInterval(() => {
      void this.#beat();
    }, WORKER_HEARTBEAT_MS);
    this.#heartbeat.unref();
    logger.info(`worker ${this.#options.id} takes cycle jobs (concurrency ${concurrency})`);
  }

  /** The worker's heartbeat now. */
  heartbeat(): WorkerHeartbeat {
    return {
      id: this.#options.id,
      host: hostname(),
      pid: process.pid,
      concurrency: this.#options.concurrency,
      running: [...this.#active.values()].map((job) => job.flow),
      jobsDone: this.#jobsDone,
      startedAt: this.#startedAt,
      heartbeatAt: new Date().toISOString(),
      state: this.#draining ? 'draining' : 'running',
    };
  }

  async #beat(): Promise<void> {
    const names = redisNames(this.#options.settings);
    await this.#client
      ?.set(names.worker(this.#options.id), JSON.stringify(this.heartbeat()), 'PX', WORKER_HEARTBEAT_TTL_MS)
      .catch(() => undefined);
  }

  #onControl(message: string): void {
    let control: ControlMessage;
    try {
      control = JSON.parse(message) as ControlMessage;
    } catch {
      return;
    }
    const job = this.#active.get(control.jobId) ?? this.#activeLanes.get(control.jobId);
    if (job === undefined) return;
    if (control.action === 'abort') job.abort.abort();
    job.stop.abort();
  }

  async #process(job: Job<CycleJobData, CycleResultJson>): Promise<CycleResultJson> {
    const jobId = job.id ?? '';
    const { data } = job;
    const context = this.#options.context();
    const report = (message: CycleReport): void => {
      void this.#client?.publish(data.replyTo, JSON.stringify(message)).catch(() => undefined);
    };
    const active: ActiveJob = { flow: data.flow, stop: new AbortController(), abort: new AbortController() };
    if (this.#draining) active.stop.abort();
    this.#active.set(jobId, active);
    report({ kind: 'started', jobId, worker: this.#options.id });
    void this.#beat();
    let result: CycleResult;
    const unlink: (() => void)[] = [];
    try {
      // Queued by this process: run it with the flow and ports its cycle started with.
      const local = localJobs.get(jobId);
      const configured = local?.flow ?? context.flows.find((flow) => flow.name === data.flow);
      if (configured === undefined) {
        throw new SyncError(
          'FLOW_UNKNOWN',
          `Worker ${this.#options.id} has no flow "${data.flow}" in its config; run every worker and scheduler with the same config file`,
          { flow: data.flow },
        );
      }
      if (local !== undefined) {
        for (const [from, to] of [
          [local.signal, active.abort],
          [local.stop, active.stop],
        ] as const) {
          if (from === undefined) continue;
          const forward = (): void => {
            to.abort();
          };
          if (from.aborted) forward();
          from.addEventListener('abort', forward, { once: true });
          unlink.push(() => {
            from.removeEventListener('abort', forward);
          });
        }
      }
      const ports = local?.ports ?? context.portsFor(configured);
      const flow: Flow =
        data.batchSize === configured.source.batchSize
          ? configured
          : { ...configured, source: { ...configured.source, batchSize: data.batchSize } };
      const run = (): Promise<CycleResult> =>
        runCycle(flow, ports, {
          trigger: data.trigger,
          signal: active.abort.signal,
          stop: active.stop.signal,
          owner: newLeaseOwner(),
          onProgress: (progress) => {
            report({ kind: 'progress', jobId, counts: progress.counts, elapsedMs: progress.elapsedMs });
          },
          onWrite: (sample) => {
            report({ kind: 'write', jobId, sample });
          },
          onDeadLetter: (letter) => {
            report({
              kind: 'dead-letter',
              jobId,
              key: letter.key,
              letterKind: letter.kind,
              code: letter.code,
              reason: letter.reason,
              ...(letter.field === undefined ? {} : { field: letter.field }),
            });
          },
          onConflict: (conflict) => {
            report({
              kind: 'conflict',
              jobId,
              key: conflict.key,
              fields: conflict.fields,
              reason: conflict.reason,
            });
          },
        });
      const release = await this.#takeTargetSlot(flow, jobId, active, context);
      if (release === undefined) result = aborted(flow.name);
      else {
        try {
          result = await run();
        } finally {
          await release();
        }
      }
      // A retried job (its first worker died) may find the dead worker's lease still held: wait
      // for it to expire, once, rather than report the flow busy.
      if (result.status === 'busy' && job.attemptsStarted > 1 && !active.stop.signal.aborted) {
        const holder = await ports.state.getLeaseHolder(data.flow);
        const waitMs =
          holder === undefined ? 0 : Math.min(Date.parse(holder.expiresAt) - Date.now(), LEASE_TTL_MS);
        context.logger.info(
          `flow ${data.flow}: retried cycle job waits ${Math.max(0, Math.round(waitMs / 1000))} s for the lease of its dead worker to expire`,
        );
        await sleep(Math.max(0, waitMs) + 250, undefined, { signal: active.stop.signal }).catch(
          () => undefined,
        );
        if (!isAborted(active.stop.signal)) result = await run();
      }
    } catch (error) {
      result = {
        flow: data.flow,
        status: 'failed',
        runId: undefined,
        counts: emptyCounts(),
        durationMs: 0,
        error: toSyncError(error, { flow: data.flow }),
      };
    } finally {
      this.#active.delete(jobId);
      for (const undo of unlink) undo();
    }
    this.#jobsDone += 1;
    void this.#beat();
    const json = resultToJson(result, this.#options.id);
    report({ kind: 'result', jobId, result: json });
    return json;
  }

  /**
   * Under `runtime.limits`, waits for a slot of the flow's target connection (shared by every
   * worker) and returns its release; undefined when the job was stopped while waiting.
   */
  async #takeTargetSlot(
    flow: Flow,
    jobId: string,
    active: ActiveJob,
    context: EngineContext,
  ): Promise<(() => Promise<void>) | undefined> {
    const limit = this.#options.settings.limits?.[flow.targetConnection];
    const client = this.#client;
    if (limit === undefined || client === undefined) return () => Promise.resolve();
    const slots = new TargetSlots(
      client,
      redisNames(this.#options.settings).slots(flow.targetConnection),
      limit.cycles,
    );
    return slots.take(jobId, AbortSignal.any([active.stop.signal, active.abort.signal]), () => {
      context.logger.info(
        `flow ${flow.name} waits for one of the ${limit.cycles} cycle slots of target ${flow.targetConnection} (runtime.limits)`,
      );
    });
  }

  /** Finishes the batch in hand of every running cycle, commits it, and takes no new job. */
  async drain(): Promise<void> {
    this.#draining = true;
    for (const job of [...this.#active.values(), ...this.#activeLanes.values()]) job.stop.abort();
    await this.#beat();
    await Promise.all([this.#worker?.close(), this.#laneWorker?.close()]);
    await this.#close();
  }

  /** Stops at once: running cycles abort; their unfinished batches are read again next time. */
  async abort(): Promise<void> {
    this.#draining = true;
    for (const job of [...this.#active.values(), ...this.#activeLanes.values()]) job.abort.abort();
    await Promise.all([
      this.#worker?.close(true).catch(() => undefined),
      this.#laneWorker?.close(true).catch(() => undefined),
    ]);
    await this.#close();
  }

  async #close(): Promise<void> {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    const names = redisNames(this.#options.settings);
    await this.#client?.del(names.worker(this.#options.id)).catch(() => undefined);
    if (this.#subscriber !== undefined) await closeRedis(this.#subscriber);
    if (this.#client !== undefined) await closeRedis(this.#client);
    this.#subscriber = undefined;
    this.#client = undefined;
  }
}

/** Whether the signal fired (a function, so a check after an await is not narrowed away). */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** The result of a cycle stopped before it began (while it waited for a target slot). */
function aborted(flow: string): CycleResult {
  return {
    flow,
    status: 'aborted',
    runId: undefined,
    counts: emptyCounts(),
    durationMs: 0,
    error: undefined,
  };
}
