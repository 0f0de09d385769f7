import { formatDuration } from '../config/duration.js';
import {
  assessHealth,
  learnBaseline,
  type HealthAssessment,
  type HealthThresholds,
} from './health-assessment.js';
import type { HealthSnapshot } from './health-window.js';
import type { Decision, DecisionInputs, FlowCadence } from './adaptive-decision.js';
import {
  priorityRank,
  resolveTuning,
  type AdaptiveSettings,
  type ControllerTuning,
  type TuningOverrides,
} from './adaptive-tuning.js';

interface FlowState {
  readonly name: string;
  readonly target: string;
  readonly settings: AdaptiveSettings;
  intervalMs: number;
  batch: number;
  lastChangeAt: number | undefined;
}

interface TargetState {
  thresholds: HealthThresholds;
  baselineMs: number | undefined;
  unhealthySince: number | undefined;
  lastUnhealthyAt: number | undefined;
  readonly flows: FlowState[];
}

interface Plan {
  readonly intervalMs: number;
  readonly batch: number;
  readonly why: string;
  /** Retry-After applies at once, whatever the step limit. */
  readonly isUrgent?: boolean;
}

/** Intervals are whole seconds (whole ms below one second), so records and reasons read cleanly. */
const roundInterval = (ms: number): number => (ms < 1_000 ? Math.round(ms) : Math.round(ms / 1_000) * 1_000);

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

/**
 * The adaptive cadence controller (issue 3): per flow, shortens the interval and grows the batch
 * while its target is healthy and the flow is staler than its objective; backs off
 * multiplicatively while the target is unhealthy (never shorter than a Retry-After); recovers
 * gradually once the target has been quiet for a while. Flows sharing a target share it by
 * priority: low-priority flows back off first and furthest, high-priority ones last, and while
 * the target is strained only high-priority flows may ask for more. Pure: no I/O, time is an input.
 */
export class AdaptiveController {
  readonly #tuning: ControllerTuning;
  readonly #flows = new Map<string, FlowState>();
  readonly #targets = new Map<string, TargetState>();

  constructor(tuning: TuningOverrides = {}) {
    this.#tuning = resolveTuning(tuning);
  }

  /** Sets health thresholds of one target connection (e.g. a configured p95 latency limit). */
  configureTarget(target: string, thresholds: Partial<HealthThresholds>): void {
    this.#target(target).thresholds = { ...this.#tuning.health, ...thresholds };
  }

  /**
   * Adds a flow writing to target connection `target`. It starts at its base interval and batch,
   * or at `restored` (the last recorded decision) after a restart, clamped to the bounds.
   */
  register(flow: string, target: string, settings: AdaptiveSettings, restored?: FlowCadence): void {
    const interval = restored?.intervalMs ?? settings.baseIntervalMs;
    const state: FlowState = {
      name: flow,
      target,
      settings,
      intervalMs: clamp(interval, settings.minIntervalMs, settings.maxIntervalMs),
      batch: clamp(restored?.batch ?? settings.baseBatch, 1, Math.max(settings.baseBatch, settings.maxBatch)),
      lastChangeAt: undefined,
    };
    this.#flows.set(flow, state);
    this.#target(target).flows.push(state);
  }

  /** The flow's current interval and batch. */
  cadenceOf(flow: string): FlowCadence {
    const state = this.#flow(flow);
    return { intervalMs: state.intervalMs, batch: state.batch };
  }

  /**
   * Decides the flow's next interval and batch. Call it after each cycle, and as often as you like
   * while the flow waits (e.g. every minute): changes happen at most once per `minStepMs`.
   */
  decide(inputs: DecisionInputs): Decision {
    const flow = this.#flow(inputs.flow);
    const target = this.#target(flow.target);
    const assessment = assessHealth(flow.target, inputs.health, target.thresholds, target.baselineMs);
    this.#remember(target, assessment, inputs.health, inputs.at);
    let plan = this.#plan(flow, target, assessment, inputs);
    plan = { ...plan, intervalMs: roundInterval(plan.intervalMs) };
    const changed = plan.intervalMs !== flow.intervalMs || plan.batch !== flow.batch;
    const sinceChange = flow.lastChangeAt === undefined ? Infinity : inputs.at - flow.lastChangeAt;
    if (changed && plan.isUrgent !== true && sinceChange < this.#tuning.minStepMs) {
      plan = {
        intervalMs: flow.intervalMs,
        batch: flow.batch,
        why: `${plan.why} (last change ${formatDuration(sinceChange)} ago)`,
      };
    }
    const decision: Decision = {
      flow: flow.name,
      at: inputs.at,
      intervalMsBefore: flow.intervalMs,
      intervalMs: plan.intervalMs,
      batchBefore: flow.batch,
      batch: plan.batch,
      reason: describe(flow, plan),
      health: assessment.level,
      inputs,
    };
    if (plan.intervalMs !== flow.intervalMs || plan.batch !== flow.batch) flow.lastChangeAt = inputs.at;
    flow.intervalMs = plan.intervalMs;
    flow.batch = plan.batch;
    return decision;
  }

  /**
   * Whether a running cycle of the flow should stop after the batch in hand (the cycle's graceful
   * `stop`), and why: low-priority flows yield while their target is unhealthy, normal ones once
   * the low ones have backed off (or the trouble lasts), high ones only when the target asked to wait.
   */
  shouldYield(flow: string, health: HealthSnapshot): string | undefined {
    const state = this.#flow(flow);
    const target = this.#target(state.target);
    const assessment = assessHealth(state.target, health, target.thresholds, target.baselineMs);
    if (assessment.retryAfterRemainingMs > 0) return assessment.findings.join('; ');
    if (assessment.level !== 'unhealthy') return undefined;
    const priority = state.settings.priority;
    if (priority === 'high') return undefined;
    if (priority === 'normal' && !this.#mayBackOff(state, target, health.at)) return undefined;
    return `${assessment.findings.join('; ')}; ${priority}-priority flows yield first`;
  }

  #plan(flow: FlowState, target: TargetState, health: HealthAssessment, inputs: DecisionInputs): Plan {
    const { settings, intervalMs, batch } = flow;
    const tuning = this.#tuning;
    const priority = settings.priority;
    const findings = health.findings.join('; ');
    const hold = (why: string): Plan => ({ intervalMs, batch, why });
    const shrunk = Math.max(settings.baseBatch, Math.round(batch / 2));
    // A flow running faster than its base gives that back first.
    const backedOff = Math.min(
      settings.maxIntervalMs,
      Math.max(intervalMs * tuning.backoffFactor[priority], settings.baseIntervalMs),
    );
    if (health.retryAfterRemainingMs > 0) {
      const wait = Math.max(backedOff, health.retryAfterRemainingMs);
      return { intervalMs: wait, batch: shrunk, why: findings, isUrgent: true };
    }
    if (health.level === 'unhealthy') {
      if (!this.#mayBackOff(flow, target, inputs.at)) {
        const lower = this.#unshedLowerFlows(flow, target).map((other) => other.name);
        return hold(`${findings}; lower-priority flows back off first (${lower.join(', ')})`);
      }
      if (backedOff === intervalMs && shrunk === batch)
        return hold(`${findings}; already at the longest interval`);
      return { intervalMs: backedOff, batch: shrunk, why: findings };
    }
    const freshness = settings.freshnessMs;
    const staleness = inputs.stalenessMs;
    const isStale = freshness !== undefined && staleness > freshness;
    const freshText =
      freshness === undefined
        ? `staleness ${formatDuration(staleness)}`
        : `staleness ${formatDuration(staleness)} ${isStale ? '>' : '≤'} freshness ${formatDuration(freshness)}`;
    const quietFor = target.lastUnhealthyAt === undefined ? Infinity : inputs.at - target.lastUnhealthyAt;
    const dwell = tuning.recoveryDwellMs[priority];
    const surge = this.#surge(flow, inputs);
    const isSurge = surge !== undefined;
    const mayAskMore = health.level === 'healthy' || priority === 'high';
    if (quietFor < dwell && (intervalMs > settings.baseIntervalMs || isStale || isSurge)) {
      return hold(
        `${freshText}; ${flow.target} was unhealthy ${formatDuration(quietFor)} ago, ${priority}-priority flows wait ${formatDuration(dwell)} before speeding up`,
      );
    }
    if (intervalMs > settings.baseIntervalMs && health.level === 'strained' && priority === 'low') {
      return hold(`${freshText}; ${findings}: low-priority flows stay backed off until it is healthy`);
    }
    if (intervalMs > settings.baseIntervalMs) {
      const factor = isStale && mayAskMore ? tuning.speedUpFactor : tuning.recoveryFactor;
      const next = Math.max(settings.baseIntervalMs, intervalMs * factor);
      return { intervalMs: next, batch, why: `${findings}; recovering after a back-off, ${freshText}` };
    }
    if ((isStale || isSurge) && mayAskMore) {
      const next = Math.max(settings.minIntervalMs, intervalMs * tuning.speedUpFactor);
      const grown = isStale ? this.#grownBatch(flow, target, health, inputs) : batch;
      const cause = surge ?? freshText;
      if (next === intervalMs && grown === batch) return hold(`${cause}; already at the shortest interval`);
      return { intervalMs: next, batch: grown, why: `${cause}, ${findings}` };
    }
    if (isStale && !mayAskMore) {
      return hold(`${freshText}; ${findings}: capacity goes to high-priority flows first`);
    }
    if (health.level === 'strained' && priority !== 'high' && intervalMs < settings.baseIntervalMs) {
      const next = Math.min(settings.baseIntervalMs, intervalMs / tuning.speedUpFactor);
      return { intervalMs: next, batch, why: `${findings}: leaves capacity to high-priority flows` };
    }
    const isComfortable = freshness === undefined || staleness < tuning.relaxBelow * freshness;
    if (intervalMs < settings.baseIntervalMs && isComfortable && !isSurge) {
      const next = Math.min(settings.baseIntervalMs, intervalMs * tuning.relaxFactor);
      const smaller = Math.max(settings.baseBatch, Math.round(batch / tuning.batchGrowth));
      return { intervalMs: next, batch: smaller, why: `${freshText}, comfortably fresh` };
    }
    if (health.level === 'strained' && batch > settings.baseBatch)
      return { intervalMs, batch: shrunk, why: `${findings}: smaller batches` };
    return hold(`${freshText}, ${findings}`);
  }

  /**
   * The larger batch a stale flow may use: only when its backlog fills more than a batch and the
   * target's p95 latency, stretched by the growth, would stay below the strained level.
   */
  #grownBatch(
    flow: FlowState,
    target: TargetState,
    health: HealthAssessment,
    inputs: DecisionInputs,
  ): number {
    const { batch, settings } = flow;
    const p95 = inputs.health.p95LatencyMs;
    const limit = health.latencyLimitMs;
    const growth = this.#tuning.batchGrowth;
    const hasBacklog = inputs.backlog === undefined || inputs.backlog > batch;
    const hasHeadroom =
      p95 === undefined || limit === undefined || p95 * growth <= target.thresholds.cautionRatio * limit;
    return hasBacklog && hasHeadroom ? Math.min(settings.maxBatch, batch * growth) : batch;
  }

  /**
   * Why the flow should speed up ahead of a predicted peak, or undefined: the peak is at least
   * `surgeRatio` times the rate now and, at the current interval and batch, would leave the flow
   * staler than its objective (the interval plus the batches of one interval at the peak rate).
   */
  #surge(flow: FlowState, inputs: DecisionInputs): string | undefined {
    const forecast = inputs.forecast;
    const freshness = flow.settings.freshnessMs;
    if (forecast === undefined || freshness === undefined) return undefined;
    if (forecast.rate < this.#tuning.surgeRatio * Math.max(forecast.currentRate, 1)) return undefined;
    const batches = Math.ceil((forecast.rate * flow.intervalMs) / 60_000 / flow.batch);
    const predictedMs = flow.intervalMs + batches * (inputs.health.p50LatencyMs ?? 0);
    if (predictedMs <= freshness) return undefined;
    const when = formatDuration(Math.max(0, forecast.at - inputs.at));
    return `forecast ${Math.round(forecast.rate)} changes/min in ${when} (now ${Math.round(forecast.currentRate)}/min) would leave it ${formatDuration(predictedMs)} stale > freshness ${formatDuration(freshness)}`;
  }

  /** Whether the flow may back off now, or must leave that to lower-priority flows first. */
  #mayBackOff(flow: FlowState, target: TargetState, at: number): boolean {
    if (this.#unshedLowerFlows(flow, target).length === 0) return true;
    const troubleFor = target.unhealthySince === undefined ? 0 : at - target.unhealthySince;
    return troubleFor >= this.#tuning.escalateAfterMs[flow.settings.priority];
  }

  /** Lower-priority flows on the same target that have not yet backed off to their longest interval. */
  #unshedLowerFlows(flow: FlowState, target: TargetState): FlowState[] {
    const rank = priorityRank(flow.settings.priority);
    return target.flows.filter(
      (other) =>
        priorityRank(other.settings.priority) > rank && other.intervalMs < other.settings.maxIntervalMs,
    );
  }

  #remember(target: TargetState, health: HealthAssessment, snapshot: HealthSnapshot, at: number): void {
    if (health.level === 'unhealthy') {
      target.unhealthySince ??= at;
      target.lastUnhealthyAt = at;
    } else {
      target.unhealthySince = undefined;
    }
    target.baselineMs = learnBaseline(
      target.baselineMs,
      snapshot,
      health.level,
      target.thresholds.minSamples,
    );
  }

  #flow(name: string): FlowState {
    const state = this.#flows.get(name);
    if (state === undefined) throw new Error(`flow "${name}" is not registered with the adaptive controller`);
    return state;
  }

  #target(name: string): TargetState {
    let state = this.#targets.get(name);
    if (state === undefined) {
      state = {
        thresholds: this.#tuning.health,
        baselineMs: undefined,
        unhealthySince: undefined,
        lastUnhealthyAt: undefined,
        flows: [],
      };
      this.#targets.set(name, state);
    }
    return state;
  }
}

function describe(flow: FlowState, plan: Plan): string {
  const every =
    plan.intervalMs === flow.intervalMs
      ? `stays every ${formatDuration(flow.intervalMs)}`
      : `every ${formatDuration(flow.intervalMs)} → ${formatDuration(plan.intervalMs)}`;
  const batch = plan.batch === flow.batch ? '' : `, batch ${flow.batch} → ${plan.batch}`;
  return `${flow.name}: ${every}${batch}: ${plan.why}`;
}
