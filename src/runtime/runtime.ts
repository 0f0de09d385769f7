import type { ConfigChangeSummary } from '../core/config-diff.js';
import type { CyclePorts, CycleResult } from '../core/cycle-ports.js';
import type { SyncErrorJson } from '../core/errors.js';
import type { Flow } from '../core/flow.js';
import type { FlowPause } from '../core/flow-pause.js';
import type { Logger } from '../core/logger.js';
import type {
  DeadLetterKind,
  ReconciliationInput,
  RunCounts,
  RunTrigger,
  StateStore,
} from '../core/state-store.js';

/** What a runtime runs: compiled flows and the systems each one talks to. */
export interface EngineContext {
  readonly flows: readonly Flow[];
  readonly state: StateStore;
  readonly logger: Logger;
  /** The source, target and state of a flow. */
  portsFor(flow: Flow): CyclePorts;
  /**
   * Each connection's fingerprint by name (`config/connection-fingerprint.ts`), so `reconfigure`
   * can say which connections changed; without it connection changes are not reported.
   */
  readonly connections?: Readonly<Record<string, string>>;
  /** Each webhook inbox's settings fingerprint by name, so a reload can say which inboxes changed. */
  readonly webhooks?: Readonly<Record<string, string>>;
  /**
   * Closes what only this context uses (the connectors of connections a reload changed or
   * removed). After `reconfigure` replaced the context, the runtime calls it once no cycle started
   * with it runs any more.
   */
  retire?(): Promise<void>;
}

/**
 * What `trigger` did: `started` a cycle; `already-running` (the running cycle is followed by one
 * more); the flow is `paused`; or no flow of that name is configured (`unknown`).
 */
export type TriggerOutcome = 'started' | 'already-running' | 'paused' | 'unknown';

/** What `wake` did: `woken`, the flow is not realtime (`not-realtime`), or no such flow (`unknown`). */
export type WakeOutcome = 'woken' | 'not-realtime' | 'unknown';

/** What a flow is doing now (see {@link FlowSnapshot}). */
export type FlowActivity = 'idle' | 'waiting' | 'running' | 'paused' | 'disabled' | 'stopped';

/** A flow's cadence now: the controller's interval and batch beside the configured ones. */
export interface CadenceSnapshot {
  /** The interval the flow runs at now, ms; undefined for a cron cadence. */
  readonly intervalMs: number | undefined;
  /** The configured interval at this moment (peaks included), ms; undefined for a cron cadence. */
  readonly configuredIntervalMs: number | undefined;
  /** Changes per batch now. */
  readonly batch: number;
  readonly configuredBatch: number;
  /** Whether the adaptive controller sets interval and batch. */
  readonly isAdaptive: boolean;
  /** The controller's last reason, when it decided. */
  readonly reason: string | undefined;
}

/** One configured flow's state now, as a runtime sees it. Plain JSON. */
export interface FlowSnapshot {
  readonly flow: string;
  readonly activity: FlowActivity;
  /** When its next cycle is due, epoch ms, while `waiting`. */
  readonly nextDueAt: number | undefined;
  /** Why then (`every 1h`, `safety poll every 1m`…), while `waiting`. */
  readonly nextReason: string | undefined;
  readonly cadence: CadenceSnapshot;
  /** The cycle running now. */
  readonly running:
    | {
        readonly trigger: RunTrigger;
        readonly reason: string;
        /** Epoch ms. */
        readonly startedAt: number;
        /** Counts so far (after the last committed batch). */
        readonly counts: RunCounts;
      }
    | undefined;
  /** The last cycle this runtime ran to its end. */
  readonly lastCycle:
    | {
        readonly status: CycleResult['status'];
        readonly runId: number | undefined;
        /** Epoch ms. */
        readonly endedAt: number;
        readonly durationMs: number;
        readonly counts: RunCounts;
        readonly error: SyncErrorJson | undefined;
      }
    | undefined;
  /** The operator's pause, while the flow is paused (persisted: seen by every process). */
  readonly paused: FlowPause | undefined;
}

/** A cycle began. */
export interface CycleStartedEvent {
  readonly type: 'cycle.started';
  readonly flow: string;
  readonly trigger: RunTrigger;
  readonly reason: string;
  /** Epoch ms, as every event's `at`. */
  readonly at: number;
}

/** A batch of a running cycle was committed. */
export interface CycleProgressEvent {
  readonly type: 'cycle.progress';
  readonly flow: string;
  readonly counts: RunCounts;
  /** Milliseconds since the cycle started. */
  readonly elapsedMs: number;
  readonly at: number;
}

/** A cycle ended (`busy`: another process held the flow, nothing ran). */
export interface CycleFinishedEvent {
  readonly type: 'cycle.finished';
  readonly flow: string;
  readonly status: CycleResult['status'];
  readonly runId: number | undefined;
  readonly trigger: RunTrigger;
  readonly counts: RunCounts;
  readonly durationMs: number;
  readonly error?: SyncErrorJson;
  readonly at: number;
}

/** The flow's next cycle is due at `dueAt` (epoch ms). */
export interface FlowScheduledEvent {
  readonly type: 'flow.scheduled';
  readonly flow: string;
  readonly dueAt: number;
  readonly reason: string;
  readonly at: number;
}

export interface FlowPausedEvent {
  readonly type: 'flow.paused';
  readonly flow: string;
  readonly by: string;
  readonly reason?: string;
  readonly at: number;
}

export interface FlowResumedEvent {
  readonly type: 'flow.resumed';
  readonly flow: string;
  readonly by: string;
  readonly at: number;
}

/** The adaptive controller decided a flow's interval and batch (changed or not). */
export interface CadenceDecidedEvent {
  readonly type: 'cadence.decided';
  readonly flow: string;
  readonly intervalMs: number;
  readonly intervalMsBefore: number;
  readonly batch: number;
  readonly batchBefore: number;
  readonly reason: string;
  /** How the target was judged: `healthy`, `strained` or `unhealthy`. */
  readonly health: string;
  readonly at: number;
}

/** One write attempt to a flow's target. */
export interface WriteSampleEvent {
  readonly type: 'write.sample';
  readonly flow: string;
  /** The target connection's name. */
  readonly target: string;
  readonly latencyMs: number;
  /** `error` is target trouble (a health signal); `refused`, a record the target cannot take. */
  readonly outcome: 'ok' | 'error' | 'refused';
  /** Error code of a failed attempt. */
  readonly code?: string;
  /** Records in the attempt, when known. */
  readonly rows?: number;
  readonly at: number;
}

/** A record was dead-lettered (the commit that stored it went through). */
export interface DeadLetterEvent {
  readonly type: 'dead-letter';
  readonly flow: string;
  readonly key: string;
  readonly kind: DeadLetterKind;
  readonly code: string;
  readonly reason: string;
  readonly field?: string;
  readonly at: number;
}

/** A two-way flow parked a conflict (both sides changed a record). */
export interface ConflictEvent {
  readonly type: 'conflict';
  readonly flow: string;
  readonly key: string;
  readonly fields: readonly string[];
  readonly reason: string;
  readonly at: number;
}

/** A scheduled reconcile of a flow ended: the summary the state store keeps of it. */
export interface ReconcileFinishedEvent
  extends Pick<
    ReconciliationInput,
    'flow' | 'mode' | 'status' | 'missing' | 'extra' | 'different' | 'repaired' | 'error'
  > {
  readonly type: 'reconcile.finished';
  readonly at: number;
}

/** A new config was applied between cycles (`reconfigure`): what it changed. */
export interface ConfigReloadedEvent {
  readonly type: 'config.reloaded';
  readonly summary: ConfigChangeSummary;
  readonly at: number;
}

/** What a runtime reports to its subscribers (metrics, alerts, the dashboard, logs). Plain JSON. */
export type RuntimeEvent =
  | CycleStartedEvent
  | CycleProgressEvent
  | CycleFinishedEvent
  | FlowScheduledEvent
  | FlowPausedEvent
  | FlowResumedEvent
  | CadenceDecidedEvent
  | WriteSampleEvent
  | DeadLetterEvent
  | ConflictEvent
  | ReconcileFinishedEvent
  | ConfigReloadedEvent;

/** Receives runtime events; a throw is logged and never reaches the runtime. */
export type RuntimeSubscriber = (event: RuntimeEvent) => void;

/** Jobs of one queue by state. */
export interface QueueDepth {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
  /** Finished jobs still kept in Redis (an hour). */
  readonly completed: number;
}

/** A worker process of a BullMQ deployment, from its heartbeat. */
export interface ClusterWorker {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  /** Flows whose cycles it runs now. */
  readonly running: string[];
  readonly jobsDone: number;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly state: 'running' | 'draining';
}

/** Who runs a scaled-out deployment: the leading scheduler, the workers, the queues. Plain JSON. */
export interface ClusterSnapshot {
  readonly runtime: 'bullmq';
  /** The Redis key prefix of the deployment. */
  readonly prefix: string;
  /** The leading scheduler; undefined while none leads (a takeover is under way). */
  readonly leader:
    | { readonly id: string; readonly host: string; readonly pid: number; readonly since: string }
    | undefined;
  readonly workers: ClusterWorker[];
  /** By queue name (`cycles`, `lanes`). */
  readonly queues: Readonly<Record<string, QueueDepth>>;
}

/** Who runs cycles where: in this process (local) or on workers (BullMQ). */
export interface Runtime {
  /**
   * Runs every enabled flow (or the named ones) one cycle each (dependencies first), then resolves
   * with their results. A paused flow is left out.
   */
  runOnce(flowNames?: readonly string[]): Promise<CycleResult[]>;
  /** Runs flows on their cadences until `stop()`. */
  start(flowNames?: readonly string[]): Promise<void>;
  /**
   * Runs the flow's cycle now, ahead of its cadence (an operator's "run now"). When the runtime
   * is not started, runs the cycle itself; resolves once the cycle started, not when it ends.
   */
  trigger(flow: string, reason: string): Promise<TriggerOutcome>;
  /** Wakes a realtime flow as a change event would. */
  wake(flow: string): WakeOutcome;
  /**
   * No new cycle of the flow starts until `resume`; a running cycle stops after the batch in
   * hand. Persisted: survives restarts and is seen by other processes. A flow not in the config
   * is refused with `FLOW_UNKNOWN`.
   */
  pause(flow: string, by: { readonly actor: string; readonly reason?: string }): Promise<void>;
  resume(flow: string, by: { readonly actor: string }): Promise<void>;
  /**
   * Reads the flow's persisted settings again (a cadence override set or cleared, a pause from
   * elsewhere) and plans its next cycle from them now; a running cycle is not disturbed.
   */
  refresh(flow: string): void;
  /** Every configured flow's state now. */
  snapshot(): FlowSnapshot[];
  /**
   * Runs a new config from now on, between cycles: a running cycle finishes with the flow it
   * started with and the flow's next cycle uses the new one; removed flows stop after their
   * cycle; added (enabled) flows start when the runtime runs all flows; a flow whose config or
   * connection changed starts its wait anew on its new cadence. The previous context is retired
   * (`EngineContext.retire`) once none of its cycles runs. Emits `config.reloaded` and resolves
   * with what changed, as soon as the new config is in place (not when old cycles end).
   */
  reconfigure(context: EngineContext): Promise<ConfigChangeSummary>;
  /**
   * Any number of subscribers; returns the unsubscribe function. A throwing subscriber is logged,
   * never breaks the runtime or other subscribers.
   */
  subscribe(listener: RuntimeSubscriber): () => void;
  /** Graceful: the batch in hand is finished and committed, no new cycle starts. */
  stop(): Promise<void>;
  /** Stops at once: connectors abort; unfinished batches are read again next time. */
  abort(): void;
  /** Scaled-out runtimes: the leader, workers and queue depths (absent for the local runtime). */
  cluster?(): Promise<ClusterSnapshot>;
}
