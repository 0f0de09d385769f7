import { ConnectorError } from '../../core/errors.js';
import { backoffDelayMs } from '../../core/retry-policy.js';
import { AdaptiveController } from '../adaptive-controller.js';
import type { Decision } from '../adaptive-decision.js';
import type { ForecasterStatus } from '../forecaster.js';
import { HealthWindow, type HealthSnapshot } from '../health-window.js';
import { createRandom, deriveSeed, type SeededRandom } from './seeded-random.js';
import { createFlowRun, type Batch, type FlowRun } from './simulated-flow.js';
import { SimulatedTarget, type SimulatedFailure } from './simulated-target.js';
import { SimulationMetrics, type SimulationResult } from './simulation-metrics.js';
import type { Scenario } from './simulation-scenarios.js';
import { strategyLabel, type Strategy } from './simulation-strategy.js';

/** A simulation run's result plus, for the adaptive strategy, its recorded decisions. */
export interface SimulationRun {
  readonly result: SimulationResult;
  /** Decisions that changed something during the measured period (at most 5,000). */
  readonly decisions: readonly Decision[];
  /** The first flow's forecaster when measuring began (every flow learns the same history length). */
  readonly forecaster: ForecasterStatus | undefined;
}

const TICK_MS = 1_000;
const SAMPLE_MS = 10_000;
const REVIEW_MS = 60_000;
const FORECAST_HORIZON_MS = 30 * 60_000;
const HEALTH_CACHE_MS = 5_000;
const BACKLOG_LIMIT = 100_000;
// The core's default retry settings: 5 tries, 500 ms doubling to at most 30 s, with jitter.
const RETRY = { attempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 };
const MAX_DECISIONS = 5_000;

/**
 * Runs one strategy through one scenario on a virtual clock, one-second ticks. Changes arrive as
 * seeded Poisson counts from the scenario's curve (the same arrivals for every strategy of a
 * seed); a cycle writes the changes waiting when it starts, batch by batch, retrying refused
 * batches like the core does. The adaptive strategy drives the real AdaptiveController,
 * HealthWindow and Forecaster: decisions after each cycle and every minute in between, and a
 * yield check after each batch.
 */
export function runSimulation(scenario: Scenario, strategy: Strategy, seed: number): SimulationRun {
  return new SimulationEngine(scenario, strategy, seed).run();
}

class SimulationEngine {
  readonly #scenario: Scenario;
  readonly #strategy: Strategy;
  readonly #target: SimulatedTarget;
  readonly #retryRandom: SeededRandom;
  readonly #metrics: SimulationMetrics;
  readonly #flows: FlowRun[];
  readonly #controller: AdaptiveController | undefined;
  readonly #window = new HealthWindow();
  readonly #decisions: Decision[] = [];
  #health: HealthSnapshot | undefined;
  #writersMovingRows = 0;
  #forecaster: ForecasterStatus | undefined;

  constructor(scenario: Scenario, strategy: Strategy, seed: number) {
    this.#scenario = scenario;
    this.#strategy = strategy;
    this.#target = new SimulatedTarget(scenario.target, createRandom(deriveSeed(seed, 'target')));
    this.#retryRandom = createRandom(deriveSeed(seed, 'retry'));
    this.#metrics = new SimulationMetrics(scenario.target.overloadUtilization);
    if (strategy.kind === 'adaptive') {
      this.#controller = new AdaptiveController(strategy.tuning);
      this.#controller.configureTarget(scenario.target.name, {
        latencyThresholdMs: scenario.target.latencyThresholdMs,
      });
    }
    this.#flows = scenario.flows.map((spec) => {
      this.#controller?.register(spec.name, scenario.target.name, spec.settings);
      return createFlowRun(spec, scenario, strategy, seed);
    });
  }

  run(): SimulationRun {
    const { startAt, measureFrom, endAt } = this.#scenario;
    for (let at = startAt; at < endAt; at += TICK_MS) {
      const measuring = at >= measureFrom;
      if (at === measureFrom && this.#controller !== undefined)
        this.#forecaster = this.#flows[0]?.forecaster.status();
      const rate = this.#scenario.changeRate(at);
      for (const flow of this.#flows) {
        const count = flow.arrivals.poisson((flow.spec.peakRatePerMin * rate) / 60);
        flow.queue.push(at, count);
        flow.arrivedSinceObservation += count;
      }
      if (this.#controller !== undefined && (at - startAt) % REVIEW_MS === 0) {
        for (const flow of this.#flows) if (flow.cycle === undefined) this.#decide(flow, at);
      }
      for (const flow of this.#flows)
        if (flow.cycle === undefined && flow.dueAt <= at) this.#startCycle(flow, at);
      this.#writersMovingRows = this.#flows.filter((flow) => flow.cycle?.batch !== undefined).length;
      this.#target.beginTick(this.#scenario.background(at), this.#writersMovingRows);
      for (const flow of this.#flows) this.#advance(flow, at, at + TICK_MS);
      const load = this.#target.endTick(TICK_MS);
      if ((at - startAt) % SAMPLE_MS === 0) this.#sampleStaleness(at, measuring);
      if (!measuring) continue;
      this.#metrics.sampleLoad(load);
      if ((at + TICK_MS - measureFrom) % 60_000 === 0) this.#metrics.endMinute();
    }
    const result = this.#metrics.result(this.#scenario.name, strategyLabel(this.#strategy));
    return { result, decisions: this.#decisions, forecaster: this.#forecaster };
  }

  #sampleStaleness(at: number, measuring: boolean): void {
    for (const flow of this.#flows) {
      const stalenessMs = at - (flow.queue.oldest() ?? at);
      if (measuring) this.#metrics.sampleStaleness(flow.spec.priority, stalenessMs);
    }
  }

  #startCycle(flow: FlowRun, at: number): void {
    flow.forecaster.observe({
      at,
      changes: flow.arrivedSinceObservation,
      durationMs: at - flow.lastObservedAt,
    });
    flow.arrivedSinceObservation = 0;
    flow.lastObservedAt = at;
    flow.stalenessAtStartMs = at - (flow.queue.oldest() ?? at);
    flow.cycle = { remaining: flow.queue.size, attempts: 0, batch: undefined, waitUntil: undefined };
    this.#startBatch(flow, at);
  }

  #startBatch(flow: FlowRun, at: number): void {
    const cycle = flow.cycle;
    if (cycle === undefined) return;
    if (cycle.remaining === 0) {
      this.#endCycle(flow, at);
      return;
    }
    if (this.#target.throttles()) {
      this.#fail(flow, at, 'CONNECTOR_THROTTLED', this.#scenario.target.fixedLatencyMs);
      return;
    }
    const rows = Math.min(flow.batch, cycle.remaining);
    cycle.batch = {
      rows,
      startedAt: at,
      fixedLeftMs: this.#scenario.target.fixedLatencyMs,
      rowsLeft: rows + this.#scenario.target.batchOverheadRows,
    };
  }

  /** Moves a flow's cycle forward from `from` to `to` (ms), through any batches that end on the way. */
  #advance(flow: FlowRun, from: number, to: number): void {
    let at = from;
    while (at < to && flow.cycle !== undefined) {
      const cycle = flow.cycle;
      if (cycle.waitUntil !== undefined) {
        if (cycle.waitUntil >= to) return;
        at = Math.max(at, cycle.waitUntil);
        cycle.waitUntil = undefined;
        this.#startBatch(flow, at);
        continue;
      }
      const batch = cycle.batch;
      if (batch === undefined) return;
      if (batch.fixedLeftMs > 0) {
        const rate = this.#target.fixedProgressRate;
        const needMs = batch.fixedLeftMs / rate;
        if (at + needMs > to) {
          batch.fixedLeftMs -= (to - at) * rate;
          return;
        }
        at += needMs;
        batch.fixedLeftMs = 0;
      }
      const rowsPerMs = this.#target.rowSpeed / 1_000;
      const needMs = batch.rowsLeft / rowsPerMs;
      if (at + needMs > to) {
        const moved = (to - at) * rowsPerMs;
        batch.rowsLeft -= moved;
        this.#target.consume(moved);
        return;
      }
      this.#target.consume(batch.rowsLeft);
      at += needMs;
      batch.rowsLeft = 0;
      this.#finishBatch(flow, batch, at);
    }
  }

  #finishBatch(flow: FlowRun, batch: Batch, at: number): void {
    const cycle = flow.cycle;
    if (cycle === undefined) return;
    cycle.batch = undefined;
    const failure = this.#target.failure(this.#writersMovingRows);
    if (failure !== undefined) {
      this.#fail(flow, at, failure, at - batch.startedAt);
      return;
    }
    if (at >= this.#scenario.measureFrom) {
      this.#metrics.counts.writes += 1;
      this.#metrics.counts.rowsWritten += batch.rows;
    }
    this.#window.record({ at, latencyMs: at - batch.startedAt, outcome: 'ok' });
    flow.queue.take(batch.rows);
    cycle.remaining -= batch.rows;
    cycle.attempts = 0;
    if (
      cycle.remaining > 0 &&
      this.#controller?.shouldYield(flow.spec.name, this.#healthAt(at)) !== undefined
    ) {
      if (at >= this.#scenario.measureFrom) this.#metrics.counts.yields += 1;
      this.#endCycle(flow, at);
      return;
    }
    this.#startBatch(flow, at);
  }

  #fail(flow: FlowRun, at: number, code: SimulatedFailure, latencyMs: number): void {
    const cycle = flow.cycle;
    if (cycle === undefined) return;
    const retryAfterSeconds =
      code === 'CONNECTOR_THROTTLED' ? this.#scenario.target.retryAfterSeconds : undefined;
    if (at >= this.#scenario.measureFrom) {
      this.#metrics.counts.writes += 1;
      this.#metrics.counts.failedWrites += 1;
    }
    this.#window.record({ at, latencyMs, outcome: 'error', code, retryAfterSeconds });
    cycle.batch = undefined;
    cycle.attempts += 1;
    if (cycle.attempts >= RETRY.attempts) {
      this.#endCycle(flow, at);
      return;
    }
    const error = new ConnectorError(code, 'simulated', { retryAfterSeconds });
    cycle.waitUntil = at + backoffDelayMs(RETRY, cycle.attempts, error, () => this.#retryRandom.next());
  }

  #endCycle(flow: FlowRun, at: number): void {
    flow.cycle = undefined;
    flow.lastEndAt = at;
    this.#metrics.counts.cycles += at >= this.#scenario.measureFrom ? 1 : 0;
    if (this.#controller !== undefined) this.#decide(flow, at, true);
    flow.dueAt = flow.lastEndAt + flow.intervalMs;
  }

  #decide(flow: FlowRun, at: number, afterCycle = false): void {
    const controller = this.#controller;
    if (controller === undefined) return;
    const now = at - (flow.queue.oldest() ?? at);
    const forecast = flow.forecaster.upcomingPeak(at, FORECAST_HORIZON_MS);
    const decision = controller.decide({
      flow: flow.spec.name,
      at,
      stalenessMs: Math.max(now, flow.stalenessAtStartMs),
      afterCycle,
      backlog: Math.min(flow.queue.size, BACKLOG_LIMIT),
      health: this.#healthAt(at),
      ...(forecast === undefined ? {} : { forecast }),
    });
    flow.intervalMs = decision.intervalMs;
    flow.batch = decision.batch;
    flow.dueAt = flow.lastEndAt + flow.intervalMs;
    const changed =
      decision.intervalMs !== decision.intervalMsBefore || decision.batch !== decision.batchBefore;
    if (changed && at >= this.#scenario.measureFrom) {
      this.#metrics.counts.decisionsChanged += 1;
      if (this.#decisions.length < MAX_DECISIONS) this.#decisions.push(decision);
    }
  }

  /** The target's health snapshot, reused for a few seconds as a runner would. */
  #healthAt(at: number): HealthSnapshot {
    if (this.#health === undefined || at - this.#health.at >= HEALTH_CACHE_MS || at < this.#health.at)
      this.#health = this.#window.snapshot(at);
    return this.#health;
  }
}
