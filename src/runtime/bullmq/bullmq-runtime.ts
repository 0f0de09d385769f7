import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConfigChangeSummary } from '../../core/config-diff.js';
import type { CycleResult } from '../../core/cycle-ports.js';
import { SyncError } from '../../core/errors.js';
import type { CycleExecutor } from '../cycle-executor.js';
import type {
  ClusterSnapshot,
  EngineContext,
  FlowSnapshot,
  Runtime,
  RuntimeEvent,
  RuntimeSubscriber,
  TriggerOutcome,
  WakeOutcome,
} from '../runtime.js';
import { RuntimeEvents } from '../runtime-events.js';
import { CYCLE_QUEUE, LANE_QUEUE, processId, redisNames, type BullmqSettings } from './bullmq-settings.js';
import { clusterSnapshotOf } from './cluster-snapshot.js';
import { CycleWorker } from './cycle-worker.js';
import { LeaderElection, readLeader } from './leader-election.js';
import { closeRedis, openRedis, redisOptions } from './redis-connection.js';
import { RemoteCycles } from './remote-cycles.js';

/** Builds the runtime that plans cycles (cadences, adaptive controller, forecasts, realtime). */
export type SchedulingFactory = (context: EngineContext, executor: CycleExecutor) => Runtime;

export interface BullmqRuntimeOptions {
  readonly settings: BullmqSettings;
  /** The runtime that plans cycles while this process leads (the local runtime, running cycles remotely). */
  readonly scheduling: SchedulingFactory;
  /**
   * Whether `start()` campaigns to lead the scheduling (`syncline scheduler`, `run`), or only
   * follows the leader's snapshots and events (`syncline serve`).
   */
  readonly schedules: boolean;
  /** Runs a cycle worker in this process too, with this many cycles at once. */
  readonly worker?: { readonly concurrency: number };
}

/** How long a command to the leader waits for its answer before this process acts itself. */
const ASK_TIMEOUT_MS = 2_000;
/** How often the leader publishes its flow snapshots (and followers read them), at least. */
const SNAPSHOT_EVERY_MS = 1_000;
/** More flows, rarer snapshots: this long per flow (10,000 flows: every 5 s). */
const SNAPSHOT_MS_PER_FLOW = 0.5;
/** A leader's snapshot older than this many of its periods is not shown (the leader is gone). */
const SNAPSHOT_STALE_PERIODS = 10;

interface PublishedSnapshot {
  readonly leader: string;
  readonly at: number;
  readonly flows: FlowSnapshot[];
}

interface Command {
  readonly cmd: 'trigger' | 'wake' | 'refresh';
  readonly flow: string;
  readonly reason?: string;
  readonly request?: string;
  readonly replyTo?: string;
}

/**
 * The BullMQ runtime (docs/scale-out.md): cycles are jobs on Redis, run by `syncline worker`
 * processes anywhere; exactly one scheduler leads (a Redis lease, taken over within its time when
 * the leader dies) and plans every flow's cycles with the scheduling runtime, from the health
 * every worker reports. Other processes (`serve`, standby schedulers) follow: they show the
 * leader's snapshots and relay its events, and send it triggers, wake-ups and refreshes. A flow
 * never runs two cycles at once anywhere: each cycle takes the flow's lease in the state store.
 */
export class BullmqRuntime implements Runtime {
  #context: EngineContext;
  readonly #options: BullmqRuntimeOptions;
  readonly #id = processId();
  readonly #names: ReturnType<typeof redisNames>;
  readonly #events: RuntimeEvents;
  readonly #remote: RemoteCycles;
  readonly #stop = new AbortController();
  #client: Redis | undefined;
  #subscriber: Redis | undefined;
  #lanes: Queue | undefined;
  #worker: CycleWorker | undefined;
  #inner: Runtime;
  #unsubscribeInner: () => void;
  #innerStarted = false;
  #innerRun: Promise<void> | undefined;
  #isLeading = false;
  #isFollowing = false;
  #followed: PublishedSnapshot | undefined;
  #startNames: readonly string[] | undefined;
  #loops: Promise<void>[] = [];

  private constructor(context: EngineContext, options: BullmqRuntimeOptions) {
    this.#context = context;
    this.#options = options;
    this.#names = redisNames(options.settings);
    this.#events = new RuntimeEvents(context.logger);
    this.#remote = new RemoteCycles(options.settings, context.logger, this.#id);
    this.#inner = options.scheduling(context, this.#remote);
    this.#unsubscribeInner = this.#wire(this.#inner);
  }

  /** Connects to Redis (and starts this process's worker, if any). */
  static async open(context: EngineContext, options: BullmqRuntimeOptions): Promise<BullmqRuntime> {
    const runtime = new BullmqRuntime(context, options);
    try {
      await runtime.#open();
    } catch (error) {
      await runtime.#close();
      throw error;
    }
    return runtime;
  }

  async #open(): Promise<void> {
    const { settings } = this.#options;
    const logger = this.#context.logger;
    this.#client = openRedis(settings.redis, 'runtime', logger);
    this.#subscriber = openRedis(settings.redis, 'runtime-events', logger);
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#names.events) this.#onLeaderEvent(message);
      else if (channel === this.#names.commands) this.#onCommand(message);
    });
    await this.#subscriber.subscribe(this.#names.events, this.#names.commands);
    await this.#remote.open();
    if (this.#options.worker !== undefined) {
      this.#worker = new CycleWorker({
        settings,
        context: () => this.#context,
        concurrency: this.#options.worker.concurrency,
        id: this.#id,
      });
      await this.#worker.start();
    }
  }

  /** This process's id (`host:pid:random`). */
  get id(): string {
    return this.#id;
  }

  /** Whether this process leads the scheduling now. */
  get isLeading(): boolean {
    return this.#isLeading;
  }

  /** Subscribes to a scheduling runtime's events: told here, and published while leading. */
  #wire(inner: Runtime): () => void {
    return inner.subscribe((event) => {
      this.#events.emit(event);
      if (this.#isLeading && this.#client !== undefined)
        void this.#client
          .publish(this.#names.events, JSON.stringify({ from: this.#id, event }))
          .catch(() => undefined);
    });
  }

  /** A new scheduling runtime over the current context (a stopped one cannot start again). */
  #renewInner(): void {
    this.#unsubscribeInner();
    this.#inner = this.#options.scheduling(this.#context, this.#remote);
    this.#unsubscribeInner = this.#wire(this.#inner);
    this.#innerStarted = false;
  }

  #onLeaderEvent(message: string): void {
    // Followers (`serve`) relay the leader's events; a standby scheduler does not, so that alerts
    // and logs come once, from whoever leads.
    if (this.#isLeading || this.#options.schedules) return;
    try {
      const { from, event } = JSON.parse(message) as { from: string; event: RuntimeEvent };
      if (from !== this.#id) this.#events.emit(event);
    } catch {
      // Not ours: ignore.
    }
  }

  #onCommand(message: string): void {
    if (!this.#isLeading) return;
    let command: Command;
    try {
      command = JSON.parse(message) as Command;
    } catch {
      return;
    }
    const answer = (value: unknown): void => {
      if (command.replyTo === undefined || command.request === undefined) return;
      void this.#remote
        .publish(command.replyTo, { kind: 'answer', request: command.request, answer: value })
        .catch(() => undefined);
    };
    switch (command.cmd) {
      case 'trigger':
        this.#inner.trigger(command.flow, command.reason ?? 'run now').then(answer, () => {
          answer(undefined);
        });
        break;
      case 'wake':
        answer(this.#inner.wake(command.flow));
        break;
      case 'refresh':
        this.#inner.refresh(command.flow);
        answer(true);
        break;
    }
  }

  subscribe(listener: RuntimeSubscriber): () => void {
    return this.#events.subscribe(listener);
  }

  snapshot(): FlowSnapshot[] {
    if (this.#isFollowing && !this.#isLeading) {
      const followed = this.#followed;
      if (
        followed !== undefined &&
        Date.now() - followed.at < SNAPSHOT_STALE_PERIODS * this.#snapshotPeriod()
      ) {
        const known = new Set(this.#context.flows.map((flow) => flow.name));
        return followed.flows.filter((flow) => known.has(flow.flow));
      }
    }
    return this.#inner.snapshot();
  }

  runOnce(flowNames?: readonly string[]): Promise<CycleResult[]> {
    return this.#inner.runOnce(flowNames);
  }

  async start(flowNames?: readonly string[]): Promise<void> {
    this.#startNames = flowNames;
    this.#isFollowing = true;
    const loops = [this.#snapshotLoop()];
    if (this.#options.schedules) loops.push(this.#campaignLoop());
    this.#loops.push(...loops);
    await Promise.all(loops);
    await this.#innerRun;
  }

  /** Campaigns for leadership; leads (plans cycles) while renewing it; steps down when it cannot. */
  async #campaignLoop(): Promise<void> {
    const { leaderLeaseMs, redis } = this.#options.settings;
    // A connection of its own: a renewal never queues behind event publishes or a large snapshot.
    const client = openRedis(redis, 'leadership', this.#context.logger);
    try {
      await this.#campaign(new LeaderElection(client, this.#names.leader, this.#id, leaderLeaseMs));
    } finally {
      await closeRedis(client);
    }
  }

  async #campaign(election: LeaderElection): Promise<void> {
    const { leaderLeaseMs } = this.#options.settings;
    const logger = this.#context.logger;
    let renewedAt = 0;
    while (!this.#stop.signal.aborted) {
      try {
        if (!this.#isLeading) {
          if (await withTimeout(election.campaign(), leaderLeaseMs / 3)) {
            renewedAt = Date.now();
            this.#lead();
          }
        } else if (await withTimeout(election.renew(), leaderLeaseMs / 3)) renewedAt = Date.now();
        else {
          logger.warn(`scheduler ${this.#id}: another scheduler leads now; this one steps down`);
          await this.#stepDown();
        }
      } catch (error) {
        if (this.#isLeading && Date.now() - renewedAt >= leaderLeaseMs) {
          logger.warn(
            `scheduler ${this.#id}: leadership not renewed for ${Math.round((Date.now() - renewedAt) / 1000)} s (${error instanceof Error ? error.message : String(error)}); stepping down`,
          );
          await this.#stepDown();
        }
      }
      await sleep(Math.max(100, Math.floor(leaderLeaseMs / 3)), undefined, {
        signal: this.#stop.signal,
      }).catch(() => undefined);
    }
    if (this.#isLeading) {
      this.#isLeading = false;
      await election.resign().catch(() => undefined);
    }
  }

  #lead(): void {
    if (this.#innerStarted) this.#renewInner();
    this.#isLeading = true;
    this.#innerStarted = true;
    this.#context.logger.info(
      `scheduler ${this.#id} leads: it plans every flow's cycles, run on the workers`,
    );
    this.#innerRun = this.#inner.start(this.#startNames);
    void this.#publishSnapshot();
  }

  async #stepDown(): Promise<void> {
    this.#isLeading = false;
    await this.#inner.stop();
    this.#renewInner();
  }

  /** How often snapshots are published and read: every second, rarer with many flows. */
  #snapshotPeriod(): number {
    return Math.max(SNAPSHOT_EVERY_MS, Math.round(this.#context.flows.length * SNAPSHOT_MS_PER_FLOW));
  }

  /** Leading: publishes the flow snapshots every period; following: reads the leader's. */
  async #snapshotLoop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      if (this.#isLeading) await this.#publishSnapshot();
      else await this.#readSnapshot();
      await sleep(this.#snapshotPeriod(), undefined, { signal: this.#stop.signal }).catch(() => undefined);
    }
  }

  async #publishSnapshot(): Promise<void> {
    const snapshot: PublishedSnapshot = { leader: this.#id, at: Date.now(), flows: this.#inner.snapshot() };
    await this.#client
      ?.set(
        this.#names.snapshot,
        JSON.stringify(snapshot),
        'PX',
        SNAPSHOT_STALE_PERIODS * this.#snapshotPeriod(),
      )
      .catch(() => undefined);
  }

  async #readSnapshot(): Promise<void> {
    const value = await this.#client?.get(this.#names.snapshot).catch(() => null);
    if (value === null || value === undefined) {
      this.#followed = undefined;
      return;
    }
    try {
      this.#followed = JSON.parse(value) as PublishedSnapshot;
    } catch {
      this.#followed = undefined;
    }
  }

  /** Whether a scheduler leads now (and it is not this process). */
  async #otherLeads(): Promise<boolean> {
    if (this.#isLeading || this.#client === undefined) return false;
    const leader = await readLeader(this.#client, this.#names.leader).catch(() => undefined);
    return leader !== undefined && leader.id !== this.#id;
  }

  #isKnown(flow: string): boolean {
    return this.#context.flows.some((candidate) => candidate.name === flow);
  }

  async trigger(flow: string, reason: string): Promise<TriggerOutcome> {
    if (!this.#isKnown(flow)) return 'unknown';
    if (await this.#otherLeads()) {
      const answer = await this.#remote.ask(
        this.#names.commands,
        { cmd: 'trigger', flow, reason },
        ASK_TIMEOUT_MS,
      );
      if (typeof answer === 'string') return answer as TriggerOutcome;
    }
    return this.#inner.trigger(flow, reason);
  }

  wake(flow: string): WakeOutcome {
    const configured = this.#context.flows.find((candidate) => candidate.name === flow);
    if (configured === undefined) return 'unknown';
    if (configured.cadence.realtime !== true) return 'not-realtime';
    if (this.#isLeading) return this.#inner.wake(flow);
    void this.#remote
      .publish(this.#names.commands, { cmd: 'wake', flow } satisfies Command)
      .catch(() => undefined);
    return 'woken';
  }

  async pause(flow: string, by: { readonly actor: string; readonly reason?: string }): Promise<void> {
    await this.#inner.pause(flow, by);
    if (!this.#isLeading) this.#askRefresh(flow);
  }

  async resume(flow: string, by: { readonly actor: string }): Promise<void> {
    await this.#inner.resume(flow, by);
    if (!this.#isLeading) this.#askRefresh(flow);
  }

  refresh(flow: string): void {
    if (this.#isLeading) this.#inner.refresh(flow);
    else this.#askRefresh(flow);
  }

  #askRefresh(flow: string): void {
    void this.#remote
      .publish(this.#names.commands, { cmd: 'refresh', flow } satisfies Command)
      .catch(() => undefined);
  }

  async reconfigure(context: EngineContext): Promise<ConfigChangeSummary> {
    this.#context = context;
    return this.#inner.reconfigure(context);
  }

  /** Leader, workers (their heartbeats) and queue depths, for `status` and the API. */
  async cluster(): Promise<ClusterSnapshot> {
    const client = this.#client;
    if (client === undefined) throw new SyncError('RUNTIME_UNAVAILABLE', 'the BullMQ runtime is closed');
    this.#lanes ??= new Queue(LANE_QUEUE, {
      connection: redisOptions(this.#options.settings.redis, 'status'),
      prefix: this.#options.settings.prefix,
    });
    const lanes = this.#lanes;
    const sources = this.#remote.queue().then((cycles) => ({
      redis: client,
      queues: { [CYCLE_QUEUE]: cycles, [LANE_QUEUE]: lanes },
    }));
    return clusterSnapshotOf(this.#options.settings, sources);
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    // The scheduling runtime first: its running cycles are told to stop after the batch in hand.
    const innerStopped = this.#inner.stop();
    await Promise.allSettled(this.#loops);
    await innerStopped;
    await this.#innerRun?.catch(() => undefined);
    await this.#worker?.drain();
    await this.#close();
  }

  abort(): void {
    this.#stop.abort();
    this.#inner.abort();
    void this.#worker?.abort();
  }

  async #close(): Promise<void> {
    await this.#lanes?.close().catch(() => undefined);
    await this.#remote.close();
    if (this.#subscriber !== undefined) await closeRedis(this.#subscriber);
    if (this.#client !== undefined) await closeRedis(this.#client);
    this.#subscriber = undefined;
    this.#client = undefined;
  }
}

/** The promise's value, or a rejection after `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`Redis did not answer within ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
