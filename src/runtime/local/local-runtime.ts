import { setTimeout as sleep } from 'node:timers/promises';
import { AdaptiveCadence } from '../../cadence/adaptive-cadence.js';
import type { TuningOverrides } from '../../cadence/adaptive-tuning.js';
import type { RealtimeWakeup } from '../../cadence/realtime-wakeup.js';
import { emptyCounts } from '../../core/batch-handler.js';
import { diffConfig, flowsToRestart, type ConfigChangeSummary } from '../../core/config-diff.js';
import type { CycleResult } from '../../core/cycle-ports.js';
import { SyncError, toSyncError } from '../../core/errors.js';
import type { Flow } from '../../core/flow.js';
import { newLeaseOwner } from '../../core/flow-lease.js';
import { clearPause, readPause, writePause } from '../../core/flow-pause.js';
import type { RunTrigger } from '../../core/state-store.js';
import type {
  EngineContext,
  FlowSnapshot,
  Runtime,
  RuntimeSubscriber,
  TriggerOutcome,
  WakeOutcome,
} from '../runtime.js';
import { RuntimeEvents } from '../runtime-events.js';
import { inProcessCycles, type CycleExecutor } from '../cycle-executor.js';
import { ContextGenerations } from './context-generations.js';
import { CycleSlots } from './cycle-slots.js';
import { LocalFlowState } from './local-flow-state.js';
import { recordEventHooks, writeSampleObserver } from '../record-event-hooks.js';
import { runFlowLoops } from './flow-loops.js';

/** How long `runOnce` waits for a flow that another process is running. */
const BUSY_WAIT_MS = 5 * 60_000;

/** A paused flow re-reads its pause this often, to notice a resume from another process. */
const PAUSE_RECHECK_MS = 5_000;

/** setTimeout cannot wait longer than ~24.8 days; a longer sleep wakes up and re-plans. */
const MAX_SLEEP_MS = 2_147_000_000;

/** Options of the in-process runtime. */
export interface LocalRuntimeOptions {
  /** Cycles of different flows running at once. Default 4. */
  readonly concurrency?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
  /**
   * Realtime flows: how long the first change event of a burst waits for more before its cycle
   * starts, in milliseconds. Default 20.
   */
  readonly eventDebounceMs?: number;
  /** Overrides of the adaptive controller's tuning (docs/cadence.md); tests use short steps. */
  readonly adaptiveTuning?: TuningOverrides;
  /** Length of the sliding window of target health, ms. Default 2 minutes. */
  readonly healthWindowMs?: number;
  /** How often an adaptive flow re-decides its cadence while it waits, ms. Default 1 minute. */
  readonly redecideEveryMs?: number;
  /**
   * Where cycles run: in this process (default), or as jobs on BullMQ workers (the scheduler of
   * the BullMQ runtime plans cycles with this runtime and runs them remotely).
   */
  readonly executor?: CycleExecutor;
}

/**
 * Runs cycles in this process. Each flow has its own loop and its cycles take turns, so a flow
 * never runs two cycles at once (the state store's lease also guards against other processes); a
 * semaphore bounds how many flows run at the same time.
 */
export class LocalRuntime implements Runtime {
  #context: EngineContext;
  readonly #options: LocalRuntimeOptions;
  readonly #now: () => number;
  readonly #owner = newLeaseOwner();
  readonly #stop = new AbortController();
  readonly #hardStop = new AbortController();
  #running: Promise<void>[] = [];
  /** The flows `start()` was asked for (undefined: every enabled flow), while started. */
  #started: { readonly names: readonly string[] | undefined } | undefined;
  readonly #generations: ContextGenerations;
  /** Cycles started by `trigger` outside the loops of `start()`. */
  readonly #background = new Set<Promise<void>>();
  /** Flows whose requested cycles `#runRequested` runs now. */
  readonly #serving = new Set<string>();
  readonly #slots: CycleSlots;
  readonly #adaptive: AdaptiveCadence;
  readonly #events: RuntimeEvents;
  #flows = new Map<string, LocalFlowState>();
  /** The wake-ups of running realtime flows, for `wake` (webhooks). */
  readonly #wakeups = new Map<string, RealtimeWakeup>();
  readonly #executor: CycleExecutor;

  constructor(context: EngineContext, options: LocalRuntimeOptions = {}) {
    this.#context = context;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#executor = options.executor ?? inProcessCycles;
    this.#slots = new CycleSlots(options.concurrency ?? 4);
    this.#events = new RuntimeEvents(context.logger, this.#now);
    this.#generations = new ContextGenerations(context.logger);
    this.#adaptive = new AdaptiveCadence(context.state, context.logger, this.#now, {
      ...(options.adaptiveTuning === undefined ? {} : { tuning: options.adaptiveTuning }),
      ...(options.healthWindowMs === undefined ? {} : { healthWindowMs: options.healthWindowMs }),
      onDecision: (decision) => {
        this.#events.emit({
          type: 'cadence.decided',
          flow: decision.flow,
          intervalMs: decision.intervalMs,
          intervalMsBefore: decision.intervalMsBefore,
          batch: decision.batch,
          batchBefore: decision.batchBefore,
          reason: decision.reason,
          health: decision.health,
          at: decision.at,
        });
      },
    });
    for (const flow of context.flows) this.#flows.set(flow.name, new LocalFlowState(flow));
  }

  subscribe(listener: RuntimeSubscriber): () => void {
    return this.#events.subscribe(listener);
  }

  snapshot(): FlowSnapshot[] {
    const now = this.#now();
    return [...this.#flows.values()].map((state) => state.snapshot(this.#adaptive, this.#isStopping(), now));
  }

  /** The flow's state; a `FLOW_UNKNOWN` error naming the configured flows when there is none. */
  #state(name: string): LocalFlowState {
    const state = this.#flows.get(name);
    if (state !== undefined) return state;
    const known = this.#context.flows.map((candidate) => candidate.name).join(', ');
    throw new SyncError('FLOW_UNKNOWN', `No flow named "${name}" in the config (flows: ${known})`, {
      flow: name,
    });
  }

  #select(names: readonly string[] | undefined): LocalFlowState[] {
    if (names === undefined || names.length === 0)
      return [...this.#flows.values()].filter((state) => state.flow.enabled);
    return names.map((name) => this.#state(name));
  }

  /** One cycle of the flow, after its previous one in this process ended and a slot is free. */
  #cycle(flow: Flow, trigger: RunTrigger, reason: string): Promise<CycleResult> {
    const state = this.#state(flow.name);
    return state.exclusive(() =>
      this.#slots.run(async () => {
        state.started(trigger, reason, this.#now());
        this.#events.emit({ type: 'cycle.started', flow: flow.name, trigger, reason });
        // The cycle keeps the context (and connectors) it started with, whatever a reload does.
        const context = this.#context;
        const leave = this.#generations.enter(context);
        const ports = context.portsFor(flow);
        const pauseStop = new AbortController();
        state.cycleStop = pauseStop;
        const stop = this.#adaptive.cycleStop(flow, AbortSignal.any([this.#stop.signal, pauseStop.signal]));
        let result: CycleResult;
        try {
          result = await this.#executor.run(this.#adaptive.flowForCycle(flow), ports, {
            trigger,
            onWrite: writeSampleObserver(this.#events, flow, this.#adaptive.observer(flow)),
            signal: this.#hardStop.signal,
            stop: stop.signal,
            owner: this.#owner,
            onProgress: (progress) => {
              if (state.running !== undefined) state.running.counts = progress.counts;
              this.#events.emit({ type: 'cycle.progress', ...progress });
              stop.afterBatch();
            },
            ...recordEventHooks(this.#events, flow.name),
          });
        } catch (error) {
          // The state store failed before the cycle began (its lease, its run): a failed cycle.
          const syncError = toSyncError(error, { flow: flow.name });
          result = {
            flow: flow.name,
            status: 'failed',
            runId: undefined,
            counts: emptyCounts(),
            durationMs: 0,
            error: syncError,
          };
        } finally {
          stop.release();
          state.cycleStop = undefined;
        }
        state.finished(result, this.#now());
        // A trigger came during a cycle no loop drives (`runOnce`): its one more cycle runs here.
        if (state.requested !== undefined && !state.hasLoop) this.#serveRequests(state);
        this.#events.emit({
          type: 'cycle.finished',
          flow: flow.name,
          status: result.status,
          runId: result.runId,
          trigger,
          counts: result.counts,
          durationMs: result.durationMs,
          ...(result.error === undefined ? {} : { error: result.error.toJSON() }),
        });
        try {
          await this.#adaptive.afterCycle(flow, ports, result);
        } finally {
          leave();
        }
        if (result.counts.written > 0) this.#wakeDependents(flow.name);
        return result;
      }),
    );
  }

  /**
   * Runs each flow once; a flow whose `dependsOn` flows are among them runs after they finished.
   * A paused flow is left out (and logged).
   */
  async runOnce(flowNames?: readonly string[]): Promise<CycleResult[]> {
    const flows: Flow[] = [];
    for (const state of this.#select(flowNames)) {
      if (await this.#readPause(state))
        this.#context.logger.warn(`flow ${state.flow.name} is paused by ${state.paused?.by ?? ''}; not run`);
      else flows.push(state.flow);
    }
    const started = new Map<string, Promise<CycleResult>>();
    const start = (flow: Flow): Promise<CycleResult> => {
      let cycle = started.get(flow.name);
      if (cycle === undefined) {
        const dependencies = flows.filter((candidate) => flow.dependsOn.includes(candidate.name));
        cycle = Promise.all(dependencies.map(start)).then(() => this.#cycleWhenFree(flow));
        started.set(flow.name, cycle);
      }
      return cycle;
    };
    return Promise.all(flows.map(start));
  }

  /** A flow wrote records: realtime flows that depend on it retry their waiting references now. */
  #wakeDependents(flowName: string): void {
    for (const flow of this.#context.flows)
      if (flow.dependsOn.includes(flowName) && flow.references.length > 0)
        this.#wakeups.get(flow.name)?.notify();
  }

  /** One cycle; while another process holds the flow, waits for it (up to a few minutes). */
  async #cycleWhenFree(flow: Flow): Promise<CycleResult> {
    const deadline = Date.now() + BUSY_WAIT_MS;
    let result = await this.#cycle(flow, 'manual', 'run --once');
    while (result.status === 'busy' && Date.now() < deadline && !this.#isStopping()) {
      this.#context.logger.info(`flow ${flow.name} is busy in another process; waiting for it to finish`);
      await this.#sleepUntil(Date.now() + 2_000);
      result = await this.#cycle(flow, 'manual', 'run --once');
    }
    return result;
  }

  async start(flowNames?: readonly string[]): Promise<void> {
    this.#started = { names: flowNames === undefined || flowNames.length === 0 ? undefined : flowNames };
    const states = this.#select(flowNames);
    for (const state of states) state.hasLoop = true;
    // Every configured flow's pause, so the snapshot shows the ones this process does not run too.
    await Promise.all([...this.#flows.values()].map((state) => this.#readPause(state)));
    for (const state of states) this.#startLoops(state);
    // A reload adds the loops of new and changed flows meanwhile: wait for those too.
    let awaited = 0;
    while (awaited < this.#running.length) {
      const count = this.#running.length;
      await Promise.all(this.#running.slice(awaited));
      awaited = count;
    }
  }

  /** Whether the started runtime runs the flow: the named flows, or every enabled one. */
  #runsOnStart(flow: Flow): boolean {
    if (this.#started === undefined || this.#isStopping()) return false;
    const { names } = this.#started;
    return names === undefined ? flow.enabled : names.includes(flow.name);
  }

  /** Starts the flow's loops (its cadence, its reconcile schedule) once `after` settled. */
  #startLoops(state: LocalFlowState, after: Promise<void> = Promise.resolve()): void {
    state.hasLoop = true;
    const loopStop = new AbortController();
    state.loopStop = loopStop;
    const stop = AbortSignal.any([this.#stop.signal, loopStop.signal]);
    const options = this.#options;
    const loops = after
      .catch(() => undefined)
      .then(() =>
        stop.aborted
          ? undefined
          : runFlowLoops(state, stop, {
              context: () => this.#context,
              adaptive: this.#adaptive,
              now: this.#now,
              hardStop: this.#hardStop.signal,
              ...(options.eventDebounceMs === undefined ? {} : { eventDebounceMs: options.eventDebounceMs }),
              ...(options.redecideEveryMs === undefined ? {} : { redecideEveryMs: options.redecideEveryMs }),
              cycle: (trigger, reason) => this.#cycle(state.flow, trigger, reason),
              waitWhilePaused: (signal) => this.#waitWhilePaused(state, signal),
              readPause: () => this.#readPause(state),
              sleepUntil: (dueAt, signal, isNudgeable) =>
                this.#sleepUntil(dueAt, isNudgeable ? state : undefined, signal),
              scheduled: (dueAt, reason) => {
                this.#scheduled(state, dueAt, reason);
              },
              wakeups: this.#wakeups,
              onReconcileFinished: (event) => {
                this.#events.emit({ type: 'reconcile.finished', ...event });
              },
            }),
      )
      .finally(() => {
        if (this.#isStopping() || state.isRemoved) state.dropRequest();
      });
    state.loops = loops;
    this.#running.push(loops);
  }

  async reconfigure(context: EngineContext): Promise<ConfigChangeSummary> {
    // The pauses of added flows are read first: from here on nothing awaits, so reloads never interleave.
    const added = new Map<string, LocalFlowState>();
    for (const flow of context.flows.filter((candidate) => !this.#flows.has(candidate.name))) {
      const state = new LocalFlowState(flow);
      state.paused = await readPause(context.state, flow.name);
      added.set(flow.name, state);
    }
    const previous = this.#context;
    const summary = diffConfig(previous, context);
    const restart = flowsToRestart(summary, context.flows);
    this.#context = context;
    const stopped: Promise<void>[] = [];
    for (const name of summary.removedFlows) {
      const state = this.#flows.get(name);
      if (state === undefined) continue;
      state.isRemoved = true;
      stopped.push(state.stopLoops());
      state.dropRequest();
    }
    const flows = new Map<string, LocalFlowState>();
    for (const flow of context.flows) {
      let state = this.#flows.get(flow.name);
      if (state === undefined) {
        state = added.get(flow.name) ?? new LocalFlowState(flow);
        if (this.#runsOnStart(flow)) this.#startLoops(state);
      } else {
        state.flow = flow;
        if (restart.has(flow.name)) {
          state.isReconfigured = true;
          const old = state.hasLoop ? state.stopLoops() : Promise.resolve();
          stopped.push(old);
          if (this.#runsOnStart(flow)) this.#startLoops(state, old);
        }
      }
      flows.set(flow.name, state);
    }
    this.#flows = flows;
    void this.#generations.retire(previous, stopped);
    this.#events.emit({ type: 'config.reloaded', summary });
    return summary;
  }

  async trigger(flowName: string, reason: string): Promise<TriggerOutcome> {
    const state = this.#flows.get(flowName);
    if (state === undefined) return 'unknown';
    if (await this.#readPause(state)) return 'paused';
    if (state.isBusy) {
      state.again ??= { reason };
      return 'already-running';
    }
    const started = new Promise<void>((resolve) => {
      state.requested = { reason, onStarted: [resolve] };
    });
    if (state.hasLoop && !this.#isStopping()) {
      state.nudge();
      this.#wakeups.get(flowName)?.notify();
    } else this.#serveRequests(state);
    await started;
    return 'started';
  }

  /** Runs the flow's requested cycles outside the loops of `start()`, unless that already happens. */
  #serveRequests(state: LocalFlowState): void {
    if (this.#serving.has(state.flow.name)) return;
    this.#serving.add(state.flow.name);
    const work = this.#runRequested(state).finally(() => {
      this.#serving.delete(state.flow.name);
      this.#background.delete(work);
    });
    this.#background.add(work);
  }

  /** Outside the loops: runs the requested cycle, and the one more a trigger asked for meanwhile. */
  async #runRequested(state: LocalFlowState): Promise<void> {
    let request = state.requested;
    while (request !== undefined && !this.#isStopping()) {
      await this.#cycle(state.flow, 'manual', request.reason);
      request = state.requested;
      if (request !== undefined && (await this.#readPause(state))) state.dropRequest();
    }
    state.dropRequest();
  }

  wake(flowName: string): WakeOutcome {
    const wakeup = this.#wakeups.get(flowName);
    if (wakeup !== undefined) {
      wakeup.notify();
      return 'woken';
    }
    return this.#flows.has(flowName) ? 'not-realtime' : 'unknown';
  }

  async pause(flowName: string, by: { readonly actor: string; readonly reason?: string }): Promise<void> {
    const state = this.#state(flowName);
    const pause = {
      by: by.actor,
      at: new Date(this.#now()).toISOString(),
      ...(by.reason === undefined ? {} : { reason: by.reason }),
    };
    await writePause(this.#context.state, flowName, pause);
    state.paused = pause;
    state.cycleStop?.abort();
    state.dropRequest();
    state.nudge();
    this.#events.emit({
      type: 'flow.paused',
      flow: flowName,
      by: by.actor,
      ...(by.reason === undefined ? {} : { reason: by.reason }),
    });
  }

  async resume(flowName: string, by: { readonly actor: string }): Promise<void> {
    const state = this.#state(flowName);
    await clearPause(this.#context.state, flowName);
    state.paused = undefined;
    state.nudge();
    this.#events.emit({ type: 'flow.resumed', flow: flowName, by: by.actor });
  }

  refresh(flowName: string): void {
    const state = this.#flows.get(flowName);
    if (state === undefined) return;
    state.replan = true;
    state.nudge();
  }

  /** Reads the flow's pause from the state store (another process may have set it); true when paused. */
  async #readPause(state: LocalFlowState): Promise<boolean> {
    state.paused = await readPause(this.#context.state, state.flow.name);
    return state.paused !== undefined;
  }

  /** While the flow is paused, waits for its resume (here, or in another process) or `stop`. */
  async #waitWhilePaused(state: LocalFlowState, stop: AbortSignal): Promise<void> {
    while (!stop.aborted && (await this.#readPause(state))) {
      state.nextDueAt = undefined;
      await this.#sleepUntil(this.#now() + PAUSE_RECHECK_MS, state, stop);
    }
  }

  #scheduled(state: LocalFlowState, dueAt: number, reason: string): void {
    state.nextDueAt = dueAt;
    state.nextReason = reason;
    this.#events.emit({ type: 'flow.scheduled', flow: state.flow.name, dueAt, reason });
  }

  /** Resolves at `dueAt`, or earlier on `stop` (default: the runtime's) or a nudge of the flow (if given). */
  async #sleepUntil(dueAt: number, state?: LocalFlowState, stop = this.#stop.signal): Promise<void> {
    const delay = dueAt - this.#now();
    if (delay <= 0) return;
    const signal = state === undefined ? stop : AbortSignal.any([stop, state.sleepSignal]);
    await sleep(Math.min(delay, MAX_SLEEP_MS), undefined, { signal }).catch(() => undefined);
    state?.rearm();
  }

  #isStopping(): boolean {
    return this.#stop.signal.aborted;
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#running, ...this.#background]);
  }

  abort(): void {
    this.#stop.abort();
    this.#hardStop.abort();
  }
}
