import { AdaptiveController } from './adaptive-controller.js';
import type { Decision, FlowCadence } from './adaptive-decision.js';
import { adaptiveSettingsFor } from './adaptive-settings.js';
import type { TuningOverrides } from './adaptive-tuning.js';
import { HealthWindow } from './health-window.js';
import { cadenceTimeZone } from './peak-calendar.js';
import { intervalMsAt, type ScheduleDecision } from './schedule.js';
import { isInWindow } from './time-window.js';
import { formatDuration } from '../config/duration.js';
import type { WriteObserver } from '../core/batch-writer.js';
import type { CyclePorts, CycleResult } from '../core/cycle-ports.js';
import type { Flow } from '../core/flow.js';
import type { Logger } from '../core/logger.js';
import type { StateStore } from '../core/state-store.js';
import type { JsonValue } from '../core/values.js';
import { FlowForecasts } from './flow-forecasts.js';

/** The graceful stop of one cycle (see {@link AdaptiveCadence.cycleStop}). */
export interface CycleStop {
  readonly signal: AbortSignal;
  /** Checks, after a committed batch, whether the flow should yield its target now. */
  afterBatch(): void;
  /** Detaches from the runtime's stop signal; call when the cycle has ended. */
  release(): void;
}

/** Flow meta names where decisions are kept (read by `syncline status`). */
export const DECISION_META = 'cadence.decision';
export const DECISION_LOG_META = 'cadence.decisions';
/** Decisions kept per flow in the log. */
const DECISION_LOG_LENGTH = 50;
/** The backlog is counted up to this many changes (a bounded count above the checkpoint). */
const BACKLOG_COUNT_LIMIT = 100_000;

function restoredCadence(value: JsonValue | undefined): FlowCadence | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { intervalMs, batch } = value;
  return typeof intervalMs === 'number' && typeof batch === 'number' ? { intervalMs, batch } : undefined;
}

/**
 * The planned schedule with the controller's interval (see {@link AdaptiveCadence.schedule});
 * `syncline status` uses it to tell when an adaptive flow runs next.
 */
export function adaptedSchedule(
  flow: Flow,
  cadence: FlowCadence,
  planned: ScheduleDecision,
  lastEndedAt: number,
): ScheduleDecision {
  const configured = intervalMsAt(flow.cadence, lastEndedAt);
  if (configured === undefined || configured === cadence.intervalMs) return planned;
  const candidate = lastEndedAt + cadence.intervalMs;
  const reason = `adaptive: every ${formatDuration(cadence.intervalMs)} (configured ${formatDuration(configured)})`;
  if (cadence.intervalMs > configured)
    return { ...planned, dueAt: Math.max(planned.dueAt, candidate), reason };
  const isOpen =
    flow.cadence.window === undefined ||
    isInWindow(flow.cadence.window, cadenceTimeZone(flow.cadence), candidate);
  return isOpen && candidate < planned.dueAt ? { ...planned, dueAt: candidate, reason } : planned;
}

/**
 * The adaptive controller as the runtime uses it: one health window per target connection fed by
 * every write attempt, one decision per flow after each cycle, recorded in the state store with
 * its inputs and reason, and restored after a restart.
 */
export class AdaptiveCadence {
  readonly #controller: AdaptiveController;
  readonly #health = new Map<string, HealthWindow>();
  readonly #adaptive = new Set<string>();
  /** When each adaptive flow's last successful cycle started, epoch ms. */
  readonly #lastSuccessAt = new Map<string, number>();
  readonly #forecasts: FlowForecasts;
  readonly #state: StateStore;
  readonly #logger: Logger;
  readonly #now: () => number;

  readonly #healthWindowMs: number | undefined;
  readonly #onDecision: ((decision: Decision) => void) | undefined;
  /** The latest decision per flow (restored or made by this process). */
  readonly #decisions = new Map<string, Decision>();

  constructor(
    state: StateStore,
    logger: Logger,
    now: () => number = Date.now,
    options: {
      tuning?: TuningOverrides;
      healthWindowMs?: number;
      /** Told every decision once it is recorded (changed or not); must not throw. */
      onDecision?: (decision: Decision) => void;
    } = {},
  ) {
    this.#controller = new AdaptiveController(options.tuning);
    this.#healthWindowMs = options.healthWindowMs;
    this.#onDecision = options.onDecision;
    this.#state = state;
    this.#logger = logger;
    this.#now = now;
    this.#forecasts = new FlowForecasts(state, logger);
  }

  #window(target: string): HealthWindow {
    let window = this.#health.get(target);
    if (window === undefined) {
      window = new HealthWindow(this.#healthWindowMs === undefined ? {} : { windowMs: this.#healthWindowMs });
      this.#health.set(target, window);
    }
    return window;
  }

  /** Registers an adaptive flow (a fixed one is left alone); a reloaded one starts afresh (`isReconfigured`). */
  async register(flow: Flow, options: { readonly isReconfigured?: boolean } = {}): Promise<void> {
    const settings = adaptiveSettingsFor(flow.cadence, flow.source.batchSize, this.#now());
    if (settings === undefined) return void this.#adaptive.delete(flow.name);
    const meta =
      options.isReconfigured === true ? undefined : await this.#state.getFlowMeta(flow.name, DECISION_META);
    const restored = restoredCadence(meta);
    this.#controller.register(flow.name, flow.targetConnection, settings, restored);
    this.#adaptive.add(flow.name);
    const lastSuccess = await this.#state.lastSuccessfulRun(flow.name);
    if (lastSuccess !== undefined) this.#lastSuccessAt.set(flow.name, Date.parse(lastSuccess.startedAt));
    await this.#forecasts.register(flow, this.#now());
  }

  /** Whether the flow's cadence adapts (it was registered and is not fixed). */
  isAdaptive(flow: string): boolean {
    return this.#adaptive.has(flow);
  }

  /** The flow as its next cycle runs it: with the controller's batch size. */
  flowForCycle(flow: Flow): Flow {
    const cadence = this.cadenceOf(flow.name);
    if (cadence === undefined || cadence.batch === flow.source.batchSize) return flow;
    return { ...flow, source: { ...flow.source, batchSize: cadence.batch } };
  }

  /**
   * The schedule with the controller's interval in place of the configured one: later when it
   * backs off; earlier when it speeds up, as long as the flow's window (if any) is open then; never
   * before the end of a Retry-After its target asked for.
   */
  schedule(flow: Flow, planned: ScheduleDecision, lastEndedAt: number | undefined): ScheduleDecision {
    const cadence = this.cadenceOf(flow.name);
    if (cadence === undefined || lastEndedAt === undefined) return planned;
    const adapted = adaptedSchedule(flow, cadence, planned, lastEndedAt);
    const until = this.#health.get(flow.targetConnection)?.snapshot(this.#now()).retryAfterUntil;
    if (until === undefined || until <= adapted.dueAt) return adapted;
    return { ...adapted, dueAt: until, reason: `${adapted.reason}; waits out the target's Retry-After` };
  }

  /** The latest decision of an adaptive flow made by this process, if any. */
  lastDecision(flow: string): Decision | undefined {
    return this.#decisions.get(flow);
  }

  /** The current interval and batch of an adaptive flow; undefined for a fixed one. */
  cadenceOf(flow: string): FlowCadence | undefined {
    return this.#adaptive.has(flow) ? this.#controller.cadenceOf(flow) : undefined;
  }

  /** Feeds the health window of the flow's target with every write attempt. */
  observer(flow: Flow): WriteObserver {
    const window = this.#window(flow.targetConnection);
    return (sample) => {
      window.record(sample);
    };
  }

  /**
   * Decides the flow's next interval and batch after a cycle. Staleness is the age of the oldest
   * change the cycle could have picked up: the time since the previous successful cycle started.
   */
  async afterCycle(flow: Flow, ports: CyclePorts, result: CycleResult): Promise<Decision | undefined> {
    if (!this.#adaptive.has(flow.name) || result.status === 'busy') return undefined;
    const previousSuccessAt = this.#lastSuccessAt.get(flow.name);
    const backlog = await this.#backlog(flow, ports);
    const at = this.#now();
    const startedAt = at - result.durationMs;
    const stalenessMs =
      previousSuccessAt === undefined
        ? 0
        : Math.max(0, (result.status === 'succeeded' ? startedAt : at) - previousSuccessAt);
    await this.#forecasts.afterRun(
      flow.name,
      { startedAt, read: result.counts.read, status: result.status },
      at,
    );
    const forecast = this.#forecasts.forecast(flow.name, at);
    const decision = this.#controller.decide({
      flow: flow.name,
      at,
      stalenessMs,
      ...(backlog === undefined ? {} : { backlog }),
      health: this.#window(flow.targetConnection).snapshot(at),
      ...(forecast === undefined ? {} : { forecast }),
      afterCycle: true,
    });
    if (result.status === 'succeeded') this.#lastSuccessAt.set(flow.name, startedAt);
    await this.#record(decision);
    return decision;
  }

  /**
   * Decides again while the flow waits for its next cycle, so a Retry-After, trouble or recovery
   * of its target takes effect before that cycle. Staleness is the time since the last successful
   * cycle started (an upper bound of the oldest unwritten change's age); the backlog is not counted.
   */
  async whileWaiting(flow: Flow): Promise<Decision | undefined> {
    if (!this.#adaptive.has(flow.name)) return undefined;
    const at = this.#now();
    const lastSuccessAt = this.#lastSuccessAt.get(flow.name);
    const forecast = this.#forecasts.forecast(flow.name, at);
    const decision = this.#controller.decide({
      flow: flow.name,
      at,
      stalenessMs: lastSuccessAt === undefined ? 0 : Math.max(0, at - lastSuccessAt),
      health: this.#window(flow.targetConnection).snapshot(at),
      ...(forecast === undefined ? {} : { forecast }),
      afterCycle: false,
    });
    await this.#record(decision);
    return decision;
  }

  /**
   * A graceful stop for one cycle of the flow: set when `stop` (the runtime's) is, or when, after
   * a batch, the flow should yield its target to spare it (lower priorities first); logged then.
   */
  cycleStop(flow: Flow, stop: AbortSignal): CycleStop {
    const controller = new AbortController();
    const onStop = (): void => {
      controller.abort();
    };
    stop.addEventListener('abort', onStop, { once: true });
    if (stop.aborted) controller.abort();
    return {
      signal: controller.signal,
      afterBatch: () => {
        if (controller.signal.aborted) return;
        const why = this.yieldReason(flow);
        if (why === undefined) return;
        this.#logger.info(`flow ${flow.name} yields its target after this batch: ${why}`, {
          flow: flow.name,
        });
        controller.abort();
      },
      release: () => {
        stop.removeEventListener('abort', onStop);
      },
    };
  }

  /**
   * Why a running cycle of the flow should stop after the batch in hand to spare its target
   * (lower priorities first), or undefined to go on; always undefined for a fixed cadence.
   */
  yieldReason(flow: Flow): string | undefined {
    if (!this.#adaptive.has(flow.name)) return undefined;
    return this.#controller.shouldYield(flow.name, this.#window(flow.targetConnection).snapshot(this.#now()));
  }

  /** Changes waiting at the source, counted up to a limit; undefined when the count fails. */
  async #backlog(flow: Flow, ports: CyclePorts): Promise<number | undefined> {
    try {
      const checkpoint = await this.#state.getCheckpoint(flow.name);
      return await ports.source.countPending(
        flow.source,
        checkpoint,
        BACKLOG_COUNT_LIMIT,
        AbortSignal.timeout(10_000),
      );
    } catch (error) {
      this.#logger.debug(
        `backlog of flow ${flow.name} not counted: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }

  async #record(decision: Decision): Promise<void> {
    const isChange =
      decision.intervalMs !== decision.intervalMsBefore || decision.batch !== decision.batchBefore;
    const entry = JSON.parse(
      JSON.stringify({ ...decision, at: new Date(decision.at).toISOString() }),
    ) as JsonValue;
    await this.#state.setFlowMeta(decision.flow, DECISION_META, entry);
    this.#decisions.set(decision.flow, decision);
    this.#onDecision?.(decision);
    if (!isChange) return;
    this.#logger.info(decision.reason, { flow: decision.flow, health: decision.health });
    const log = await this.#state.getFlowMeta(decision.flow, DECISION_LOG_META);
    const entries = Array.isArray(log) ? log : [];
    await this.#state.setFlowMeta(
      decision.flow,
      DECISION_LOG_META,
      [...entries, entry].slice(-DECISION_LOG_LENGTH),
    );
  }
}
