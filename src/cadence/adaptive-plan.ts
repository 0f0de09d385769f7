import { formatDuration } from '../config/duration.js';
import type { DecisionInputs } from './adaptive-decision.js';
import type { AdaptiveSettings, ControllerTuning } from './adaptive-tuning.js';
import type { HealthAssessment, HealthThresholds } from './health-assessment.js';

/** A flow as the planning rules see it. */
export interface PlanFlow {
  readonly target: string;
  readonly settings: AdaptiveSettings;
  readonly intervalMs: number;
  readonly batch: number;
  /** Whether the flow ran a cycle since it last backed off: one back-off per cycle, like TCP's one per round trip. */
  readonly hasRunSinceBackOff: boolean;
}

/** Everything one planning step needs; the controller gathers it. */
export interface PlanContext {
  readonly flow: PlanFlow;
  readonly health: HealthAssessment;
  readonly thresholds: HealthThresholds;
  readonly inputs: DecisionInputs;
  readonly tuning: ControllerTuning;
  /** How long ago the target was last unhealthy, ms (Infinity: never). */
  readonly quietForMs: number;
  /** Lower-priority flows on the target that have not backed off yet, while this flow must wait for them. */
  readonly yieldsTo: readonly string[];
}

/** What a planning step proposes. */
export interface Plan {
  readonly intervalMs: number;
  readonly batch: number;
  /** The reason, after the `flow: every a → b:` part. */
  readonly why: string;
  readonly isBackOff?: boolean;
  /** Retry-After applies at once, whatever the step limit. */
  readonly isUrgent?: boolean;
}

/** The smallest batch the controller shrinks a flow to. */
export function minBatchOf(settings: AdaptiveSettings, tuning: ControllerTuning): number {
  return Math.max(1, Math.round(settings.baseBatch * tuning.minBatchShare));
}

/**
 * The controller's rules for one flow (see `docs/cadence.md`), in order: Retry-After; back-off
 * while unhealthy (lower priorities first); a dwell after trouble; recovery toward the base;
 * speed-up while stale (or ahead of a forecast peak) when the target has room; giving room back.
 */
export function planCadence(context: PlanContext): Plan {
  const { flow, health, inputs, tuning } = context;
  const { settings, intervalMs, batch } = flow;
  const priority = settings.priority;
  const findings = health.findings.join('; ');
  const hold = (why: string): Plan => ({ intervalMs, batch, why });
  const minBatch = minBatchOf(settings, tuning);
  // A flow running faster than its base gives that back first; batches halve to pace the writer.
  const backedOff = Math.min(
    settings.maxIntervalMs,
    Math.max(intervalMs * tuning.backoffFactor[priority], settings.baseIntervalMs),
  );
  const halved = Math.max(minBatch, Math.round(batch / 2));
  if (health.retryAfterRemainingMs > 0) {
    // Back off once per cycle of the flow: re-deciding while it waits only stretches the wait to
    // the Retry-After, without compounding the interval or halving the batch again.
    const hasRun = flow.hasRunSinceBackOff;
    const wait = Math.max(hasRun ? backedOff : intervalMs, health.retryAfterRemainingMs);
    return {
      intervalMs: wait,
      batch: hasRun ? halved : batch,
      why: findings,
      isUrgent: true,
      isBackOff: true,
    };
  }
  if (health.level === 'unhealthy') {
    if (context.yieldsTo.length > 0)
      return hold(`${findings}; lower-priority flows back off first (${context.yieldsTo.join(', ')})`);
    if (intervalMs > settings.baseIntervalMs && !flow.hasRunSinceBackOff)
      return hold(`${findings}; backs off again after its next cycle`);
    if (backedOff === intervalMs && halved === batch)
      return hold(`${findings}; already at the longest interval`);
    return { intervalMs: backedOff, batch: halved, why: findings, isBackOff: true };
  }
  const freshness = settings.freshnessMs;
  const staleness = inputs.stalenessMs;
  const isStale = freshness !== undefined && staleness > freshness;
  const freshText =
    freshness === undefined
      ? `staleness ${formatDuration(staleness)}`
      : `staleness ${formatDuration(staleness)} ${isStale ? '>' : '≤'} freshness ${formatDuration(freshness)}`;
  const surge = surgeOf(context);
  const dwell = tuning.recoveryDwellMs[priority];
  const mayAskMore = health.level === 'healthy' || priority === 'high';
  const wantsMore =
    intervalMs > settings.baseIntervalMs || batch < settings.baseBatch || isStale || surge !== undefined;
  if (context.quietForMs < dwell && wantsMore) {
    return hold(
      `${freshText}; ${flow.target} was unhealthy ${formatDuration(context.quietForMs)} ago, ${priority}-priority flows wait ${formatDuration(dwell)} before speeding up`,
    );
  }
  const isBackedOff = intervalMs > settings.baseIntervalMs || batch < settings.baseBatch;
  if (isBackedOff && health.level === 'strained' && priority === 'low')
    return hold(`${freshText}; ${findings}: low-priority flows stay backed off until it is healthy`);
  if (isBackedOff) {
    const factor = isStale && mayAskMore ? tuning.speedUpFactor : tuning.recoveryFactor;
    const next = Math.max(settings.baseIntervalMs, intervalMs * factor);
    // The base batch at once: a recovering flow may start a long catch-up cycle any moment, and a
    // cycle keeps the batch it started with.
    const restored = Math.max(batch, settings.baseBatch);
    return {
      intervalMs: next,
      batch: restored,
      why: `${findings}; recovering after a back-off, ${freshText}`,
    };
  }
  if ((isStale || surge !== undefined) && mayAskMore) {
    const next = Math.max(settings.minIntervalMs, intervalMs * tuning.speedUpFactor);
    const grown = isStale ? grownBatch(context) : batch;
    const cause = surge ?? freshText;
    if (next === intervalMs && grown === batch) return hold(`${cause}; already at the shortest interval`);
    return { intervalMs: next, batch: grown, why: `${cause}, ${findings}` };
  }
  if (isStale) return hold(`${freshText}; ${findings}: capacity goes to high-priority flows first`);
  if (health.level === 'strained' && priority !== 'high' && intervalMs < settings.baseIntervalMs) {
    const next = Math.min(settings.baseIntervalMs, intervalMs / tuning.speedUpFactor);
    return { intervalMs: next, batch, why: `${findings}: leaves capacity to high-priority flows` };
  }
  const isComfortable = freshness === undefined || staleness < tuning.relaxBelow * freshness;
  if (intervalMs < settings.baseIntervalMs && isComfortable && surge === undefined) {
    const next = Math.min(settings.baseIntervalMs, intervalMs * tuning.relaxFactor);
    const smaller = Math.max(settings.baseBatch, Math.round(batch / tuning.batchGrowth));
    return { intervalMs: next, batch: smaller, why: `${freshText}, comfortably fresh` };
  }
  if (health.level === 'strained' && batch > settings.baseBatch)
    return { intervalMs, batch: Math.max(settings.baseBatch, halved), why: `${findings}: smaller batches` };
  return hold(`${freshText}, ${findings}`);
}

/**
 * The larger batch a stale flow may use: only when its backlog fills more than a batch and the
 * target's p95 latency, stretched by the growth, would stay below the strained level.
 */
function grownBatch({ flow, health, inputs, tuning }: PlanContext): number {
  const p95 = inputs.health.p95LatencyMs;
  const caution = health.cautionMs;
  const hasBacklog = inputs.backlog === undefined || inputs.backlog > flow.batch;
  const hasHeadroom = p95 === undefined || caution === undefined || p95 * tuning.batchGrowth <= caution;
  return hasBacklog && hasHeadroom
    ? Math.min(flow.settings.maxBatch, flow.batch * tuning.batchGrowth)
    : flow.batch;
}

/**
 * Why the flow should speed up ahead of a predicted peak, or undefined: the peak is at least
 * `surgeRatio` times the rate now and, at the current interval and batch, would leave the flow
 * staler than its objective (the interval plus the batches of one interval at the peak rate).
 */
function surgeOf({ flow, inputs, tuning }: PlanContext): string | undefined {
  const forecast = inputs.forecast;
  const freshness = flow.settings.freshnessMs;
  if (forecast === undefined || freshness === undefined) return undefined;
  if (forecast.rate < tuning.surgeRatio * Math.max(forecast.currentRate, 1)) return undefined;
  const batches = Math.ceil((forecast.rate * flow.intervalMs) / 60_000 / flow.batch);
  const predictedMs = flow.intervalMs + batches * (inputs.health.p50LatencyMs ?? 0);
  if (predictedMs <= freshness) return undefined;
  const when = formatDuration(Math.max(0, forecast.at - inputs.at));
  return `forecast ${Math.round(forecast.rate)} changes/min in ${when} (now ${Math.round(forecast.currentRate)}/min) would leave it ${formatDuration(predictedMs)} stale > freshness ${formatDuration(freshness)}`;
}
