import type { AdaptiveCadence } from '../../cadence/adaptive-cadence.js';
import { intervalMsAt } from '../../cadence/schedule.js';
import { emptyCounts } from '../../core/batch-handler.js';
import type { CycleResult } from '../../core/cycle-ports.js';
import type { Flow } from '../../core/flow.js';
import type { FlowPause } from '../../core/flow-pause.js';
import type { RunCounts, RunTrigger } from '../../core/state-store.js';
import type { FlowSnapshot } from '../runtime.js';

/**
 * What the local runtime knows of one flow: its next due time, the cycle running now and the
 * last one, its pause, and the run-now requests waiting. Cycles of one flow take turns through
 * {@link exclusive}, so they never overlap in this process (the lease guards other processes).
 */
export class LocalFlowState {
  /** The flow as configured now; a reload may replace it (a running cycle keeps its own). */
  flow: Flow;
  /** Whether a loop of `start()` drives the flow. */
  hasLoop = false;
  /** The flow's loops (cadence and reconcile) while it has them, settled once they stopped. */
  loops: Promise<void> | undefined;
  /** Stops the flow's loops after the cycle in hand (a reload replaced or removed the flow). */
  loopStop = new AbortController();
  /** A reload removed the flow from the config. */
  isRemoved = false;
  /** A reload changed the flow: its new loops go on from its last cycle, on the new cadence. */
  isReconfigured = false;
  /** When the next cycle is due (epoch ms) and why, while the flow waits for it. */
  nextDueAt: number | undefined;
  nextReason: string | undefined;
  /** The cycle running now, with its counts after the last committed batch. */
  running: { trigger: RunTrigger; reason: string; startedAt: number; counts: RunCounts } | undefined;
  lastCycle: FlowSnapshot['lastCycle'];
  /** The pause as last read from the state store (or set here). */
  paused: FlowPause | undefined;
  /** An operator's run-now not yet started, with who waits for it to start. */
  requested: { reason: string; onStarted: (() => void)[] } | undefined;
  /** A run-now came while a cycle ran: one more cycle follows it. */
  again: { reason: string } | undefined;
  /** Set by `refresh`: the flow's persisted settings changed; plan its next cycle again. */
  replan = false;

  /** Whether an operator asked for a cycle (`trigger`) that has not started yet. */
  hasRequest(): boolean {
    return this.requested !== undefined;
  }

  /** Whether `refresh` asked for a new plan since the loop last planned (read after a wait). */
  isReplanDue(): boolean {
    return this.replan;
  }
  /** Graceful stop of the running cycle (a pause stops it after the batch in hand). */
  cycleStop: AbortController | undefined;
  #nudge = new AbortController();
  #turn: Promise<unknown> = Promise.resolve();

  constructor(flow: Flow) {
    this.flow = flow;
  }

  /** Whether a cycle runs or is about to (claimed by a trigger). */
  get isBusy(): boolean {
    return this.running !== undefined || this.requested !== undefined;
  }

  /** Runs `work` once the flow's previous cycle in this process ended. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#turn.then(work, work);
    this.#turn = next.catch(() => undefined);
    return next;
  }

  /**
   * Aborts on the next {@link nudge}; already aborted when a nudge came since the last
   * {@link rearm}, so a nudge between two sleeps is not lost.
   */
  get sleepSignal(): AbortSignal {
    return this.#nudge.signal;
  }

  /** After a sleep: the nudge that ended it is spent. */
  rearm(): void {
    if (this.#nudge.signal.aborted) this.#nudge = new AbortController();
  }

  /** Wakes the flow's loop (a trigger, a pause, a resume). */
  nudge(): void {
    this.#nudge.abort();
  }

  /** Stops the flow's loops after the cycle in hand; returns them, settled once they stopped. */
  stopLoops(): Promise<void> {
    this.loopStop.abort();
    this.nudge();
    this.hasLoop = false;
    return this.loops ?? Promise.resolve();
  }

  /** Lets whoever waits for a requested cycle go (it was dropped: a pause, a stop). */
  dropRequest(): void {
    const waiting = this.requested?.onStarted ?? [];
    this.requested = undefined;
    this.again = undefined;
    for (const resolve of waiting) resolve();
  }

  started(trigger: RunTrigger, reason: string, at: number): void {
    this.running = { trigger, reason, startedAt: at, counts: emptyCounts() };
    this.nextDueAt = undefined;
    this.nextReason = undefined;
    const waiting = this.requested?.onStarted ?? [];
    this.requested = undefined;
    for (const resolve of waiting) resolve();
  }

  /** The cycle ended; a run-now that came meanwhile becomes the next request. */
  finished(result: CycleResult, at: number): void {
    this.running = undefined;
    if (this.again !== undefined) this.requested = { reason: this.again.reason, onStarted: [] };
    this.again = undefined;
    this.lastCycle = {
      status: result.status,
      runId: result.runId,
      endedAt: at,
      durationMs: result.durationMs,
      counts: result.counts,
      error: result.error?.toJSON(),
    };
  }

  snapshot(adaptive: AdaptiveCadence, isStopped: boolean, now: number): FlowSnapshot {
    const adapted = adaptive.cadenceOf(this.flow.name);
    const configuredIntervalMs = intervalMsAt(this.flow.cadence, now);
    const isWaiting = this.running === undefined && this.nextDueAt !== undefined;
    const activity: FlowSnapshot['activity'] =
      this.running !== undefined
        ? 'running'
        : this.paused !== undefined
          ? 'paused'
          : isStopped
            ? 'stopped'
            : !this.flow.enabled && !this.hasLoop
              ? 'disabled'
              : isWaiting
                ? 'waiting'
                : 'idle';
    return {
      flow: this.flow.name,
      activity,
      nextDueAt: activity === 'waiting' ? this.nextDueAt : undefined,
      nextReason: activity === 'waiting' ? this.nextReason : undefined,
      cadence: {
        intervalMs: adapted?.intervalMs ?? configuredIntervalMs,
        configuredIntervalMs,
        batch: adapted?.batch ?? this.flow.source.batchSize,
        configuredBatch: this.flow.source.batchSize,
        isAdaptive: adapted !== undefined,
        reason: adaptive.lastDecision(this.flow.name)?.reason,
      },
      running:
        this.running === undefined ? undefined : { ...this.running, counts: { ...this.running.counts } },
      lastCycle: this.lastCycle,
      paused: this.paused,
    };
  }
}
