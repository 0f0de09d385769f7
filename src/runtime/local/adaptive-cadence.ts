import { AdaptiveController } from '../../cadence/adaptive-controller.js';
import type { Decision, FlowCadence } from '../../cadence/adaptive-decision.js';
import { adaptiveSettingsFor } from '../../cadence/adaptive-settings.js';
import type { TuningOverrides } from '../../cadence/adaptive-tuning.js';
import { HealthWindow } from '../../cadence/health-window.js';
import { cadenceTimeZone } from '../../cadence/peak-calendar.js';
import { intervalMsAt, type ScheduleDecision } from '../../cadence/schedule.js';
import { isInWindow } from '../../cadence/time-window.js';
import { formatDuration } from '../../config/duration.js';
import type { CyclePorts } from '../../core/cycle.js';
import type { WriteObserver } from '../../core/batch-writer.js';
import type { CycleResult } from '../../core/cycle.js';
import type { Flow } from '../../core/flow.js';
import type { Logger } from '../../core/logger.js';
import type { StateStore } from '../../core/state-store.js';
import type { JsonValue } from '../../core/values.js';

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
  readonly #state: StateStore;
  readonly #logger: Logger;
  readonly #now: () => number;

  readonly #healthWindowMs: number | undefined;

  constructor(
    state: StateStore,
    logger: Logger,
    now: () => number = Date.now,
    options: { tuning?: TuningOverrides; healthWindowMs?: number } = {},
  ) {
    this.#controller = new AdaptiveController(options.tuning);
    this.#healthWindowMs = options.healthWindowMs;
    this.#state = state;
    this.#logger = logger;
    this.#now = now;
  }

  #window(target: string): HealthWindow {
    let window = this.#health.get(target);
    if (window === undefined) {
      window = new HealthWindow(this.#healthWindowMs === undefined ? {} : { windowMs: this.#healthWindowMs });
      this.#health.set(target, window);
    }
    return window;
  }

  /** Registers a flow whose cadence adapts; flows with a fixed cadence are left alone. */
  async register(flow: Flow): Promise<void> {
    const settings = adaptiveSettingsFor(flow.cadence, flow.source.batchSize, this.#now());
    if (settings === undefined) return;
    const restored = restoredCadence(await this.#state.getFlowMeta(flow.name, DECISION_META));
    this.#controller.register(flow.name, flow.targetConnection, settings, restored);
    this.#adaptive.add(flow.name);
    const lastSuccess = await this.#state.lastSuccessfulRun(flow.name);
    if (lastSuccess !== undefined) this.#lastSuccessAt.set(flow.name, Date.parse(lastSuccess.startedAt));
  }

  /** The flow as its next cycle runs it: with the controller's batch size. */
  flowForCycle(flow: Flow): Flow {
    const cadence = this.cadenceOf(flow.name);
    if (cadence === undefined || cadence.batch === flow.source.batchSize) return flow;
    return { ...flow, source: { ...flow.source, batchSize: cadence.batch } };
  }

  /**
   * The schedule with the controller's interval in place of the configured one: later when it
   * backs off; earlier when it speeds up, as long as the flow's window (if any) is open then.
   */
  schedule(flow: Flow, planned: ScheduleDecision, lastEndedAt: number | undefined): ScheduleDecision {
    const cadence = this.cadenceOf(flow.name);
    if (cadence === undefined || lastEndedAt === undefined) return planned;
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
    const decision = this.#controller.decide({
      flow: flow.name,
      at,
      stalenessMs,
      ...(backlog === undefined ? {} : { backlog }),
      health: this.#window(flow.targetConnection).snapshot(at),
      afterCycle: true,
    });
    if (result.status === 'succeeded') this.#lastSuccessAt.set(flow.name, startedAt);
    await this.#record(decision);
    return decision;
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
