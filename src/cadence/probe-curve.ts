import type { JsonValue } from '../core/values.js';

/** Flow-meta key under which `syncline probe` stores a connection's curve: flow `connection:<name>`, name `probe`. */
export const PROBE_META = { flowPrefix: 'connection:', name: 'probe' } as const;

/** The pseudo-flow name under which a connection's probe curve is kept in the state store. */
export function probeMetaFlow(connection: string): string {
  return `${PROBE_META.flowPrefix}${connection}`;
}

/** One step of a load probe: batches of one size written by `concurrency` writers at once. */
export interface ProbeStep {
  /** Rows per `writeBatch` call. */
  readonly batchSize: number;
  /** Writers running at the same time. */
  readonly concurrency: number;
  /** Batches written without error. */
  readonly batches: number;
  /** Rows written without error. */
  readonly rows: number;
  /** Rows written per second of the step's wall time. */
  readonly rowsPerSecond: number;
  /** Median latency of one batch write, in milliseconds. */
  readonly p50Ms: number;
  /** 95th percentile latency of one batch write, in milliseconds. */
  readonly p95Ms: number;
  /** Batch writes that failed. */
  readonly errors: number;
  /** The first failure's message, if any. */
  readonly error?: string;
}

/** What `syncline probe` measured on a target connection; stored as flow meta (plain JSON). */
export interface ProbeCurve {
  readonly version: 1;
  readonly connection: string;
  /** The scratch table written (and dropped). */
  readonly table: string;
  /** ISO 8601, UTC: when the probe finished. */
  readonly measuredAt: string;
  readonly steps: readonly ProbeStep[];
  /** The step with the most rows per second among those without errors and within the latency ceiling. */
  readonly knee: ProbeStep | null;
  /** Why the probe ended, e.g. `all steps done` or `errors at batch 1000 × 2: …`. */
  readonly stoppedBecause: string;
}

/** Thresholds that end a probe early. */
export interface KneeRules {
  /** A step whose p95 batch latency exceeds this ends the probe (ms). Default 2000. */
  readonly latencyCeilingMs: number;
  /** Past the knee: throughput below this share of the best so far... Default 0.9. */
  readonly throughputDropRatio: number;
  /** ...while p95 latency is at least this multiple of the best step's. Default 2. */
  readonly latencyRiseRatio: number;
}

/** Defaults of `KneeRules`. */
export const DEFAULT_KNEE_RULES: KneeRules = {
  latencyCeilingMs: 2_000,
  throughputDropRatio: 0.9,
  latencyRiseRatio: 2,
};

/** Nearest-rank percentile (0 < p ≤ 100) of samples; 0 when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

function isHealthy(step: ProbeStep, rules: KneeRules): boolean {
  return step.errors === 0 && step.rows > 0 && step.p95Ms <= rules.latencyCeilingMs;
}

/** The healthy step with the most rows per second, or null when none was healthy. */
export function findKnee(
  steps: readonly ProbeStep[],
  rules: KneeRules = DEFAULT_KNEE_RULES,
): ProbeStep | null {
  let best: ProbeStep | null = null;
  for (const step of steps)
    if (isHealthy(step, rules) && (best === null || step.rowsPerSecond > best.rowsPerSecond)) best = step;
  return best;
}

/** Why the probe must stop after its latest step, or undefined to go on. */
export function stopReason(
  steps: readonly ProbeStep[],
  rules: KneeRules = DEFAULT_KNEE_RULES,
): string | undefined {
  const last = steps.at(-1);
  if (last === undefined) return undefined;
  const where = `batch ${String(last.batchSize)} × ${String(last.concurrency)}`;
  if (last.errors > 0) return `errors at ${where}: ${last.error ?? 'write failed'}`;
  if (last.p95Ms > rules.latencyCeilingMs)
    return `p95 latency ${formatMs(last.p95Ms)} > ${formatMs(rules.latencyCeilingMs)} at ${where}`;
  const best = findKnee(steps.slice(0, -1), rules);
  if (
    best !== null &&
    last.rowsPerSecond < best.rowsPerSecond * rules.throughputDropRatio &&
    last.p95Ms >= best.p95Ms * rules.latencyRiseRatio
  )
    return `latency rose sharply at ${where} (p95 ${formatMs(last.p95Ms)} vs ${formatMs(best.p95Ms)}) while throughput fell`;
  return undefined;
}

/** `0.4 ms`, `850 ms` or `2.4 s`. */
export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return ms < 1_000 ? `${String(Math.round(ms))} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

function isRecord(value: JsonValue | undefined): value is { readonly [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The curve stored as flow meta, or undefined when absent or not a version-1 curve. */
export function parseProbeCurve(value: JsonValue | undefined): ProbeCurve | undefined {
  if (!isRecord(value) || value.version !== 1 || !Array.isArray(value.steps)) return undefined;
  if (typeof value.connection !== 'string' || typeof value.measuredAt !== 'string') return undefined;
  return value as unknown as ProbeCurve;
}
