import { formatDuration } from '../config/duration.js';
import type { Cadence } from '../config/cadence-schema.js';
import type { RunRecord } from '../core/state-store.js';
import type { ProbeCurve } from './probe-curve.js';
import { intervalMs } from './schedule.js';

/** Share of the objective a cycle may use (interval plus its writes); the rest is headroom. */
export const OBJECTIVE_HEADROOM = 0.75;
/** Share of the target's measured capacity the flows may plan to use at peak. */
export const CAPACITY_UTILIZATION = 0.8;
/** Rate samples (gaps between successive cycles) needed before the advisor trusts a change rate. */
export const MIN_RATE_SAMPLES = 3;

const NICE_INTERVALS_MS = [
  1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
].map((seconds) => seconds * 1_000);

/** What the advisor knows about one flow. */
export interface FlowPlanInput {
  readonly flow: string;
  readonly targetConnection: string;
  readonly cadence: Cadence;
  /** The configured batch size (rows). */
  readonly batchSize: number;
  /** The flow's run history, in any order. */
  readonly runs: readonly RunRecord[];
  /** The stored probe curve of the flow's target connection, if any. */
  readonly probe: ProbeCurve | undefined;
}

/** A flow's change rate, measured from its run history. */
export interface ChangeRate {
  /** Gaps between successive cycles that were measured. */
  readonly samples: number;
  /** Time the samples cover, in milliseconds. */
  readonly spanMs: number;
  /** Changes per minute over the whole span. */
  readonly averagePerMinute: number;
  /** Changes per minute in the busiest hour of day (UTC) seen. */
  readonly peakPerMinute: number;
  /** That hour, 0–23 UTC. */
  readonly peakHour: number;
}

/** The target's capacity, from its probe curve's knee. */
export interface TargetCapacity {
  readonly connection: string;
  /** Rows per minute the target sustained at the knee. */
  readonly rowsPerMinute: number;
  /** Batch size and writers at the knee. */
  readonly batchSize: number;
  readonly concurrency: number;
  /** When the probe ran, ISO 8601. */
  readonly measuredAt: string;
}

/** The advisor's answer for one flow. */
export interface FlowRecommendation {
  readonly flow: string;
  /** Staleness objective (ms): `cadence.freshness`, else the configured interval; undefined for cron without freshness. */
  readonly objectiveMs: number | undefined;
  readonly objectiveSource: 'freshness' | 'interval' | 'none';
  readonly currentIntervalMs: number | undefined;
  readonly currentBatchSize: number;
  /** Recommended interval (ms); undefined when there is no objective to plan for. */
  readonly intervalMs: number | undefined;
  /** Recommended batch size (rows). */
  readonly batchSize: number;
  readonly rate: ChangeRate | undefined;
  readonly capacity: TargetCapacity | undefined;
  /** Whether the objective can be met; undefined when unknown (no probe or too little history). */
  readonly canMeet: boolean | undefined;
  /** Why an objective cannot be met, and what the advisor lacked, in readable sentences. */
  readonly notes: readonly string[];
}

/** Changes of a cycle: rows read minus those unchanged (lookback re-reads of rows already synced). */
function changesOf(run: RunRecord): number {
  return Math.max(run.counts.read - run.counts.unchanged, 0);
}

/**
 * The change rate from successive cycles: each cycle's changes arrived since the previous cycle
 * started. Resyncs, replays and failed cycles are left out; the first cycle has no gap and (being
 * the initial load) would mislead. Undefined with fewer than `MIN_RATE_SAMPLES` samples.
 */
export function measureChangeRate(runs: readonly RunRecord[]): ChangeRate | undefined {
  const cycles = runs
    .filter((run) => run.status === 'succeeded' && run.trigger !== 'resync' && run.trigger !== 'replay')
    .map((run) => ({ run, startMs: Date.parse(run.startedAt) }))
    .filter(({ startMs }) => Number.isFinite(startMs))
    .sort((a, b) => a.startMs - b.startMs);
  const byHour = new Map<number, { changes: number; minutes: number }>();
  let samples = 0;
  let changes = 0;
  let minutes = 0;
  for (let index = 1; index < cycles.length; index += 1) {
    const previous = cycles[index - 1];
    const current = cycles[index];
    if (previous === undefined || current === undefined) continue;
    const gapMinutes = (current.startMs - previous.startMs) / 60_000;
    if (gapMinutes <= 0) continue;
    const hour = new Date(current.startMs).getUTCHours();
    const bucket = byHour.get(hour) ?? { changes: 0, minutes: 0 };
    bucket.changes += changesOf(current.run);
    bucket.minutes += gapMinutes;
    byHour.set(hour, bucket);
    samples += 1;
    changes += changesOf(current.run);
    minutes += gapMinutes;
  }
  if (samples < MIN_RATE_SAMPLES) return undefined;
  let peakHour = 0;
  let peakPerMinute = 0;
  for (const [hour, bucket] of byHour) {
    const rate = bucket.changes / bucket.minutes;
    if (rate > peakPerMinute) [peakHour, peakPerMinute] = [hour, rate];
  }
  return { samples, spanMs: minutes * 60_000, averagePerMinute: changes / minutes, peakPerMinute, peakHour };
}

/** The capacity at the curve's knee, or undefined when the probe found no healthy step. */
export function capacityOf(curve: ProbeCurve | undefined): TargetCapacity | undefined {
  if (curve?.knee == null) return undefined;
  return {
    connection: curve.connection,
    rowsPerMinute: curve.knee.rowsPerSecond * 60,
    batchSize: curve.knee.batchSize,
    concurrency: curve.knee.concurrency,
    measuredAt: curve.measuredAt,
  };
}

/** The largest readable interval (`15s`, `2m`, `1h`…) not above `ms`; 1s at least. */
export function niceInterval(ms: number): number {
  return NICE_INTERVALS_MS.filter((nice) => nice <= ms).at(-1) ?? 1_000;
}

/** `12,000`. */
function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function objectiveOf(cadence: Cadence): {
  ms: number | undefined;
  source: FlowRecommendation['objectiveSource'];
} {
  const freshness = cadence.freshnessMs;
  if (freshness !== undefined) return { ms: freshness, source: 'freshness' };
  const interval = intervalMs(cadence);
  return interval === undefined ? { ms: undefined, source: 'none' } : { ms: interval, source: 'interval' };
}

function objectiveLabel(source: FlowRecommendation['objectiveSource'], ms: number): string {
  return source === 'freshness'
    ? `freshness ${formatDuration(ms)}`
    : `interval ${formatDuration(ms)} (no freshness set)`;
}

function planFlow(input: FlowPlanInput): FlowRecommendation {
  const objective = objectiveOf(input.cadence);
  const rate = measureChangeRate(input.runs);
  const capacity = capacityOf(input.probe);
  const notes: string[] = [];
  if (capacity === undefined)
    notes.push(
      input.probe === undefined
        ? `no probe of ${input.targetConnection}: run "syncline probe --connection ${input.targetConnection}"`
        : `the probe of ${input.targetConnection} (${input.probe.measuredAt.slice(0, 10)}) found no healthy step: ${input.probe.stoppedBecause}`,
    );
  if (rate === undefined)
    notes.push(
      `too little history: fewer than ${String(MIN_RATE_SAMPLES + 1)} successful cycles to measure its change rate`,
    );
  let canMeet: boolean | undefined = rate !== undefined && capacity !== undefined ? true : undefined;
  let recommended: number | undefined;
  if (objective.ms === undefined) {
    notes.push('no objective: a cron cadence without cadence.freshness; set freshness to plan it');
  } else {
    const usable = objective.ms * OBJECTIVE_HEADROOM;
    // Staleness ≈ interval + the time to write one interval's changes: I × (1 + R/C) ≤ usable.
    const load =
      rate !== undefined && capacity !== undefined ? rate.peakPerMinute / capacity.rowsPerMinute : 0;
    const exact = usable / (1 + load);
    recommended = niceInterval(exact);
    if (rate !== undefined && capacity !== undefined) {
      const label = objectiveLabel(objective.source, objective.ms);
      if (rate.peakPerMinute > capacity.rowsPerMinute * CAPACITY_UTILIZATION) {
        canMeet = false;
        notes.push(
          `${input.flow}: ${label} needs ${count(rate.peakPerMinute)} rows/min at peak; ${capacity.connection} sustains ${count(capacity.rowsPerMinute)} rows/min at batch ${String(capacity.batchSize)} (probe ${capacity.measuredAt.slice(0, 10)})`,
        );
      } else if (exact < 1_000) {
        canMeet = false;
        notes.push(`${input.flow}: ${label} leaves less than 1s per cycle once writes are counted`);
      }
    }
  }
  return {
    flow: input.flow,
    objectiveMs: objective.ms,
    objectiveSource: objective.source,
    currentIntervalMs: intervalMs(input.cadence),
    currentBatchSize: input.batchSize,
    intervalMs: recommended,
    batchSize: capacity?.batchSize ?? input.batchSize,
    rate,
    capacity,
    canMeet,
    notes,
  };
}

/**
 * Recommends an interval and batch size per flow that meet its freshness objective with headroom,
 * from its measured change rate and its target's probed capacity, and names the objectives that
 * cannot be met and why. Flows sharing a target share its capacity: when together they need
 * more than it sustains at peak, each of them says so.
 */
export function planFlows(inputs: readonly FlowPlanInput[]): FlowRecommendation[] {
  const plans = inputs.map(planFlow);
  const byTarget = new Map<string, FlowRecommendation[]>();
  for (const [index, plan] of plans.entries()) {
    const target = inputs[index]?.targetConnection ?? '';
    byTarget.set(target, [...(byTarget.get(target) ?? []), plan]);
  }
  return plans.map((plan, index) => {
    const target = inputs[index]?.targetConnection ?? '';
    const sharing = byTarget.get(target) ?? [];
    if (sharing.length < 2 || plan.capacity === undefined || plan.canMeet !== true) return plan;
    const peak = sharing.reduce((sum, other) => sum + (other.rate?.peakPerMinute ?? 0), 0);
    if (peak <= plan.capacity.rowsPerMinute * CAPACITY_UTILIZATION) return plan;
    const names = sharing.map((other) => other.flow).join(', ');
    return {
      ...plan,
      canMeet: false,
      notes: [
        ...plan.notes,
        `${plan.flow}: flows ${names} share ${target} and together need ${count(peak)} rows/min at peak; it sustains ${count(plan.capacity.rowsPerMinute)} rows/min at batch ${String(plan.capacity.batchSize)} (probe ${plan.capacity.measuredAt.slice(0, 10)})`,
      ],
    };
  });
}
