import { nextRun } from '../../cadence/schedule.js';
import { formatDuration } from '../../config/duration.js';
import type { ChangeWatch } from '../../core/connector.js';
import { runCycle, type CycleResult } from '../../core/cycle.js';
import { newLeaseOwner } from '../../core/flow-lease.js';
import { SyncError } from '../../core/errors.js';
import type { Flow } from '../../core/flow.js';
import type { RunTrigger } from '../../core/state-store.js';
import type { EngineContext, Runtime, RuntimeListener } from '../runtime.js';
import type { TuningOverrides } from '../../cadence/adaptive-tuning.js';
import { AdaptiveCadence } from '../../cadence/adaptive-cadence.js';
import { waitForTurn } from '../../cadence/adaptive-wait.js';
import { safetyPollMs } from '../../cadence/schedule.js';
import { RealtimeWakeup, safetyPoll, type WakeReason } from '../../cadence/realtime-wakeup.js';
import { reconcileLoop } from './reconcile-schedule.js';

/** How long `runOnce` waits for a flow that another process is running. */
const BUSY_WAIT_MS = 5 * 60_000;

/** After a failed cycle, a realtime flow ignores events this long, doubled per failure (up to its poll). */
const FAILURE_PAUSE_MS = 1_000;

/** Options of the in-process runtime. */
export interface LocalRuntimeOptions {
  /** Cycles of different flows running at once. Default 4. */
  readonly concurrency?: number;
  readonly listener?: RuntimeListener;
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
}

/**
 * Runs cycles in this process. Each flow has its own loop, so a flow never runs two cycles at
 * once (the state store's lease also guards against other processes); a semaphore bounds how many
 * flows run at the same time.
 */
export class LocalRuntime implements Runtime {
  readonly #context: EngineContext;
  readonly #options: LocalRuntimeOptions;
  readonly #owner = newLeaseOwner();
  readonly #stop = new AbortController();
  readonly #hardStop = new AbortController();
  #running: Promise<void>[] = [];
  #slots: number;
  readonly #waiting: (() => void)[] = [];
  readonly #adaptive: AdaptiveCadence;
  /** The wake-ups of running realtime flows, for `wake` (webhooks). */
  readonly #wakeups = new Map<string, RealtimeWakeup>();

  constructor(context: EngineContext, options: LocalRuntimeOptions = {}) {
    this.#context = context;
    this.#options = options;
    this.#slots = options.concurrency ?? 4;
    this.#adaptive = new AdaptiveCadence(context.state, context.logger, options.now ?? Date.now, {
      ...(options.adaptiveTuning === undefined ? {} : { tuning: options.adaptiveTuning }),
      ...(options.healthWindowMs === undefined ? {} : { healthWindowMs: options.healthWindowMs }),
    });
  }

  #flows(names: readonly string[] | undefined): Flow[] {
    if (names === undefined || names.length === 0) return this.#context.flows.filter((flow) => flow.enabled);
    return names.map((name) => {
      const flow = this.#context.flows.find((candidate) => candidate.name === name);
      if (flow === undefined) {
        const known = this.#context.flows.map((candidate) => candidate.name).join(', ');
        throw new SyncError('FLOW_UNKNOWN', `No flow named "${name}" in the config (flows: ${known})`, {
          flow: name,
        });
      }
      return flow;
    });
  }

  async #withSlot<T>(work: () => Promise<T>): Promise<T> {
    while (this.#slots === 0) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#slots -= 1;
    try {
      return await work();
    } finally {
      this.#slots += 1;
      this.#waiting.shift()?.();
    }
  }

  async #cycle(flow: Flow, trigger: RunTrigger, reason: string): Promise<CycleResult> {
    return this.#withSlot(async () => {
      this.#options.listener?.onCycleStart?.(flow.name, trigger, reason);
      const ports = this.#context.portsFor(flow);
      const stop = this.#adaptive.cycleStop(flow, this.#stop.signal);
      let result: CycleResult;
      try {
        result = await runCycle(this.#adaptive.flowForCycle(flow), ports, {
          trigger,
          onWrite: this.#adaptive.observer(flow),
          signal: this.#hardStop.signal,
          stop: stop.signal,
          owner: this.#owner,
          onProgress: (progress) => {
            this.#options.listener?.onCycleProgress?.(progress);
            stop.afterBatch();
          },
        });
      } finally {
        stop.release();
      }
      this.#options.listener?.onCycleEnd?.(result);
      await this.#adaptive.afterCycle(flow, ports, result);
      if (result.counts.written > 0) this.#wakeDependents(flow.name);
      return result;
    });
  }

  /** Runs each flow once; a flow whose `dependsOn` flows are among them runs after they finished. */
  async runOnce(flowNames?: readonly string[]): Promise<CycleResult[]> {
    const flows = this.#flows(flowNames);
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
    while (result.status === 'busy' && Date.now() < deadline && !this.#stop.signal.aborted) {
      this.#context.logger.info(`flow ${flow.name} is busy in another process; waiting for it to finish`);
      await this.#sleepUntil(Date.now() + 2_000, Date.now);
      result = await this.#cycle(flow, 'manual', 'run --once');
    }
    return result;
  }

  async start(flowNames?: readonly string[]): Promise<void> {
    const flows = this.#flows(flowNames);
    const now = this.#options.now ?? Date.now;
    this.#running = [
      ...flows.map((flow) => (flow.cadence.realtime === true ? this.#realtimeLoop(flow) : this.#loop(flow))),
      ...flows
        .filter((flow) => flow.reconcile !== undefined)
        .map((flow) =>
          reconcileLoop(this.#context, flow, {
            now,
            sleepUntil: (dueAt) => this.#sleepUntil(dueAt, now),
            isStopping: () => this.#isStopping(),
            signal: this.#hardStop.signal,
          }),
        ),
    ];
    await Promise.all(this.#running);
  }

  async #loop(flow: Flow): Promise<void> {
    const now = this.#options.now ?? Date.now;
    const lastSuccess = await this.#context.state.lastSuccessfulRun(flow.name);
    await this.#adaptive.register(flow);
    let lastEndedAt: number | undefined;
    while (!this.#stop.signal.aborted) {
      const planned = nextRun(
        flow.cadence,
        {
          lastSuccessAt: lastSuccess === undefined ? undefined : Date.parse(lastSuccess.startedAt),
          lastEndedAt,
        },
        now(),
      );
      const decision = await waitForTurn(this.#adaptive, flow, planned, lastEndedAt, {
        now,
        sleepUntil: (dueAt) => this.#sleepUntil(dueAt, now),
        isStopping: () => this.#isStopping(),
        onScheduled: (next) => this.#options.listener?.onScheduled?.(flow.name, next.dueAt, next.reason),
        ...(this.#options.redecideEveryMs === undefined
          ? {}
          : { redecideEveryMs: this.#options.redecideEveryMs }),
      });
      if (this.#isStopping()) break;
      const result = await this.#cycle(flow, decision.trigger, decision.reason);
      lastEndedAt = now();
      if (result.status === 'failed') {
        this.#context.logger.error(`flow ${flow.name}: cycle failed; next try on its cadence`, {
          code: result.error?.code,
        });
      }
    }
  }

  /**
   * A realtime flow: a cycle at start, then one whenever a (debounced) change event or the safety
   * poll wakes it. Cycles of a flow never overlap; events during a cycle lead to one more cycle.
   */
  async #realtimeLoop(flow: Flow): Promise<void> {
    const now = this.#options.now ?? Date.now;
    const wakeup = new RealtimeWakeup({
      now,
      ...(this.#options.eventDebounceMs === undefined ? {} : { debounceMs: this.#options.eventDebounceMs }),
    });
    // Listen before the first cycle, so no change committed after that cycle's read goes unnoticed.
    const watch = await this.#watchChanges(flow, wakeup);
    this.#wakeups.set(flow.name, wakeup);
    try {
      let wake: { trigger: RunTrigger; reason: string } = {
        trigger: 'start',
        reason: 'runs when Syncline starts',
      };
      let failures = 0;
      while (!this.#isStopping()) {
        wakeup.take();
        const result = await this.#cycle(flow, wake.trigger, wake.reason);
        failures = result.status === 'failed' ? failures + 1 : 0;
        const endedAt = now();
        const poll = safetyPoll(flow.cadence, watch?.isInstalled === true, endedAt);
        const notBefore =
          failures === 0
            ? 0
            : endedAt + Math.min(poll.dueAt - endedAt, FAILURE_PAUSE_MS * 2 ** (failures - 1));
        if (failures > 0) {
          this.#context.logger.error(
            `flow ${flow.name}: cycle failed; next try in ${formatDuration(notBefore - endedAt)} at the earliest`,
            { code: result.error?.code },
          );
        }
        this.#options.listener?.onScheduled?.(
          flow.name,
          poll.dueAt,
          `${poll.reason}, or sooner on a change event`,
        );
        const reason: WakeReason = await wakeup.wait(poll.dueAt, this.#stop.signal, notBefore);
        if (reason === 'stop') break;
        wake =
          reason === 'event'
            ? { trigger: 'event', reason: 'change event' }
            : { trigger: 'schedule', reason: poll.reason };
      }
    } finally {
      this.#wakeups.delete(flow.name);
      await watch?.close();
    }
  }

  /**
   * Wakes a running realtime flow as a change event would (a webhook from the source system):
   * `woken`, or why not. The cycle still reads from the checkpoint, so a wake-up never loses data.
   */
  wake(flowName: string): 'woken' | 'not-realtime' | 'unknown' {
    const wakeup = this.#wakeups.get(flowName);
    if (wakeup !== undefined) {
      wakeup.notify();
      return 'woken';
    }
    return this.#context.flows.some((flow) => flow.name === flowName) ? 'not-realtime' : 'unknown';
  }

  /** Subscribes a realtime flow to its source's change events, and says once how it is woken. */
  async #watchChanges(flow: Flow, wakeup: RealtimeWakeup): Promise<ChangeWatch | undefined> {
    const { source } = this.#context.portsFor(flow);
    const log = this.#context.logger;
    const pollOnly = formatDuration(safetyPollMs(flow.cadence, false));
    if (source.capabilities.changeEvents !== true || source.watchChanges === undefined) {
      log.info(
        `flow ${flow.name} is realtime, but connection ${flow.sourceConnection} sends no change events; it polls every ${pollOnly}`,
      );
      return undefined;
    }
    let watch: ChangeWatch;
    try {
      watch = await source.watchChanges(
        flow.source,
        () => {
          wakeup.notify();
        },
        this.#stop.signal,
      );
    } catch (error) {
      log.warn(
        `flow ${flow.name}: cannot listen for change events (${error instanceof Error ? error.message : String(error)}); it polls every ${pollOnly}`,
      );
      return undefined;
    }
    if (watch.isInstalled) {
      log.info(
        `flow ${flow.name} is woken by change events; safety poll every ${formatDuration(safetyPollMs(flow.cadence, true))}`,
      );
    } else {
      log.warn(
        `flow ${flow.name}: change events are not installed on ${flow.source.table}; it polls every ${pollOnly}. ` +
          `To be woken by changes, run: syncline realtime install --flow ${flow.name}`,
      );
    }
    return watch;
  }

  #sleepUntil(dueAt: number, now: () => number): Promise<void> {
    const delay = dueAt - now();
    if (delay <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      // setTimeout cannot wait longer than ~24.8 days; wake up and re-plan before that.
      const timer = setTimeout(done, Math.min(delay, 2_147_000_000));
      const signal = this.#stop.signal;
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  #isStopping(): boolean {
    return this.#stop.signal.aborted;
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled(this.#running);
  }

  /** Stops at once: connectors abort their queries; unfinished batches are read again next time. */
  abort(): void {
    this.#stop.abort();
    this.#hardStop.abort();
  }
}
