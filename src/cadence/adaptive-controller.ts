import { formatDuration } from '../config/duration.js';
import type { Decision, DecisionInputs, FlowCadence } from './adaptive-decision.js';
import { planCadence, type Plan } from './adaptive-plan.js';
import {
  priorityRank,
  resolveTuning,
  type AdaptiveSettings,
  type ControllerTuning,
  type TuningOverrides,
} from './adaptive-tuning.js';
import { assessHealth, learnBaseline, type HealthThresholds } from './health-assessment.js';
import type { HealthSnapshot } from './health-window.js';

interface FlowState {
  readonly name: string;
  readonly target: string;
  readonly settings: AdaptiveSettings;
  intervalMs: number;
  batch: number;
  lastChangeAt: number | undefined;
  hasRunSinceBackOff: boolean;
}

interface TargetState {
  thresholds: HealthThresholds;
  baselineMs: number | undefined;
  unhealthySince: number | undefined;
  lastUnhealthyAt: number | undefined;
  readonly flows: FlowState[];
}

/** Intervals are whole seconds (whole ms below one second), so records and reasons read cleanly. */
/**
 * Rounds a proposed interval to whole seconds (whole ms below 1 s), toward the proposal's side of
 * the current interval, so rounding never cancels a step: 2 s × 0.75 = 1.5 s becomes 1 s, not 2 s.
 */
function roundInterval(proposedMs: number, currentMs: number): number {
  if (proposedMs < 1_000) return Math.round(proposedMs);
  const toward = proposedMs < currentMs ? Math.floor : proposedMs > currentMs ? Math.ceil : Math.round;
  return toward(proposedMs / 1_000) * 1_000;
}

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

/**
 * The adaptive cadence controller (issue 3): per flow, shortens the interval and grows the batch
 * while its target is healthy and the flow is staler than its objective; backs off
 * multiplicatively while the target is unhealthy (never shorter than a Retry-After), once per
 * cycle of the flow; recovers gradually once the target has been quiet for a while. Flows sharing
 * a target share it by priority: low-priority flows back off first and furthest and yield their
 * running cycles, high-priority ones last; while the target is strained only high-priority flows
 * may ask for more. Pure: no I/O, time is an input.
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
   * or at `restored` (the last recorded decision) after a restart, clamped to the bounds. A flow
   * registered again replaces its previous registration.
   */
  register(flow: string, target: string, settings: AdaptiveSettings, restored?: FlowCadence): void {
    // Registered again (a reloaded config): the flow's old entry leaves its target's group.
    const previous = this.#flows.get(flow);
    if (previous !== undefined) {
      const group = this.#target(previous.target).flows;
      const index = group.indexOf(previous);
      if (index >= 0) group.splice(index, 1);
    }
    const state: FlowState = {
      name: flow,
      target,
      settings,
      intervalMs: clamp(
        restored?.intervalMs ?? settings.baseIntervalMs,
        settings.minIntervalMs,
        settings.maxIntervalMs,
      ),
      batch: clamp(restored?.batch ?? settings.baseBatch, 1, Math.max(settings.baseBatch, settings.maxBatch)),
      lastChangeAt: undefined,
      hasRunSinceBackOff: true,
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
   * Decides the flow's next interval and batch. Call it after each cycle (`afterCycle: true`),
   * and as often as you like while the flow waits (e.g. every minute): a flow changes at most once
   * per `minStepMs`, Retry-After excepted.
   */
  decide(inputs: DecisionInputs): Decision {
    const flow = this.#flow(inputs.flow);
    const target = this.#target(flow.target);
    const health = assessHealth(flow.target, inputs.health, target.thresholds, target.baselineMs);
    if (health.level === 'unhealthy') {
      target.unhealthySince ??= inputs.at;
      target.lastUnhealthyAt = inputs.at;
    } else {
      target.unhealthySince = undefined;
    }
    target.baselineMs = learnBaseline(
      target.baselineMs,
      inputs.health,
      health.level,
      target.thresholds.minSamples,
    );
    if (inputs.afterCycle === true) flow.hasRunSinceBackOff = true;
    const proposed = planCadence({
      flow,
      health,
      thresholds: target.thresholds,
      inputs,
      tuning: this.#tuning,
      quietForMs: target.lastUnhealthyAt === undefined ? Infinity : inputs.at - target.lastUnhealthyAt,
      yieldsTo: this.#mayBackOff(flow, target, inputs.at) ? [] : this.#unshedLowerFlows(flow, target),
    });
    let plan: Plan = { ...proposed, intervalMs: roundInterval(proposed.intervalMs, flow.intervalMs) };
    const sinceChange = flow.lastChangeAt === undefined ? Infinity : inputs.at - flow.lastChangeAt;
    const changes = plan.intervalMs !== flow.intervalMs || plan.batch !== flow.batch;
    if (changes && plan.isUrgent !== true && sinceChange < this.#tuning.minStepMs) {
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
      health: health.level,
      inputs,
    };
    if (plan.intervalMs !== flow.intervalMs || plan.batch !== flow.batch) flow.lastChangeAt = inputs.at;
    if (plan.isBackOff === true) flow.hasRunSinceBackOff = false;
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

  /** Whether the flow may back off now, or must leave that to lower-priority flows first. */
  #mayBackOff(flow: FlowState, target: TargetState, at: number): boolean {
    if (this.#unshedLowerFlows(flow, target).length === 0) return true;
    const troubleFor = target.unhealthySince === undefined ? 0 : at - target.unhealthySince;
    return troubleFor >= this.#tuning.escalateAfterMs[flow.settings.priority];
  }

  /** Names of lower-priority flows on the same target that have not yet backed off to their longest interval. */
  #unshedLowerFlows(flow: FlowState, target: TargetState): string[] {
    const rank = priorityRank(flow.settings.priority);
    return target.flows
      .filter(
        (other) =>
          priorityRank(other.settings.priority) > rank && other.intervalMs < other.settings.maxIntervalMs,
      )
      .map((other) => other.name);
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
