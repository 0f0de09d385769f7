import type { HealthSnapshot } from './health-window.js';

/**
 * How a target connection is doing: `healthy` has room to spare; `strained` is busy but not yet
 * suffering, so only high-priority flows may ask for more; `unhealthy` needs flows to back off.
 */
export const HealthLevels = ['healthy', 'strained', 'unhealthy'] as const;
/** One of {@link HealthLevels}. */
export type HealthLevel = (typeof HealthLevels)[number];

/** When a target counts as strained or unhealthy. */
export interface HealthThresholds {
  /**
   * p95 write latency above which the target is unhealthy, ms. Default: `latencyFactor` times the
   * learned baseline (the p95 the target shows when it is not under stress).
   */
  readonly latencyThresholdMs: number | undefined;
  /** Multiple of the learned baseline p95 that counts as unhealthy when no threshold is set. Default 3. */
  readonly latencyFactor: number;
  /** Share of the latency limit above which the target is strained. Default 0.6. */
  readonly cautionRatio: number;
  /** Error rate above which the target is unhealthy, 0..1. Default 0.05. */
  readonly maxErrorRate: number;
  /** Fewest writes in the window before latency and error rate are judged. Default 5. */
  readonly minSamples: number;
  /**
   * Deadlocks plus lock wait timeouts in the window that make the target unhealthy when they are
   * also more than `maxLockIssueRate` of its writes (fewer strain it). Default 2.
   */
  readonly lockIssueLimit: number;
  /** Share of writes ending in a deadlock or lock wait timeout that is still normal, 0..1. Default 0.01. */
  readonly maxLockIssueRate: number;
}

/** The defaults of {@link HealthThresholds}. */
export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = {
  latencyThresholdMs: undefined,
  latencyFactor: 3,
  cautionRatio: 0.6,
  maxErrorRate: 0.05,
  minSamples: 5,
  lockIssueLimit: 2,
  maxLockIssueRate: 0.01,
};

/** The verdict on one health snapshot. */
export interface HealthAssessment {
  readonly level: HealthLevel;
  /** What made it so, readable: `ERP p95 write latency 2.4 s > 1 s`; one entry per finding. */
  readonly findings: readonly string[];
  /** The p95 latency limit applied, ms; undefined while no baseline is known. */
  readonly latencyLimitMs: number | undefined;
  /** The p95 latency above which the target is strained, ms; undefined with no limit. */
  readonly cautionMs: number | undefined;
  /** How long the target still asked us to wait (Retry-After), ms; 0 when it did not. */
  readonly retryAfterRemainingMs: number;
}

/** Formats a latency for people: `850 ms`, `2.4 s`. */
export function formatLatency(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1_000);
  return `${seconds} s`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * Judges a snapshot of target `target` against the thresholds. `baselineMs` is the learned p95
 * of the unstressed target (see {@link learnBaseline}), used when no absolute threshold is set.
 */
export function assessHealth(
  target: string,
  snapshot: HealthSnapshot,
  thresholds: HealthThresholds,
  baselineMs: number | undefined,
): HealthAssessment {
  const unhealthy: string[] = [];
  const strained: string[] = [];
  const retryAfterRemainingMs = Math.max(0, (snapshot.retryAfterUntil ?? 0) - snapshot.at);
  if (snapshot.throttled > 0) {
    const wait =
      snapshot.maxRetryAfterSeconds === undefined ? '' : ` (Retry-After ${snapshot.maxRetryAfterSeconds} s)`;
    unhealthy.push(`${target} throttled ${plural(snapshot.throttled, 'write', 'writes')}${wait}`);
  } else if (retryAfterRemainingMs > 0) {
    unhealthy.push(`${target} asked to wait ${formatLatency(retryAfterRemainingMs)} more (Retry-After)`);
  }
  const lockIssues = snapshot.deadlocks + snapshot.lockTimeouts;
  if (lockIssues > 0) {
    const parts = [
      snapshot.deadlocks > 0 ? plural(snapshot.deadlocks, 'deadlock', 'deadlocks') : '',
      snapshot.lockTimeouts > 0
        ? plural(snapshot.lockTimeouts, 'lock wait timeout', 'lock wait timeouts')
        : '',
    ].filter((part) => part !== '');
    const finding = `${target} ${parts.join(', ')} in the last ${Math.round(snapshot.windowMs / 60_000)} min`;
    const isTooMany =
      lockIssues >= thresholds.lockIssueLimit && lockIssues > thresholds.maxLockIssueRate * snapshot.writes;
    (isTooMany ? unhealthy : strained).push(finding);
  }
  const latencyLimitMs =
    thresholds.latencyThresholdMs ??
    (baselineMs === undefined ? undefined : thresholds.latencyFactor * baselineMs);
  const cautionMs = latencyLimitMs === undefined ? undefined : thresholds.cautionRatio * latencyLimitMs;
  if (snapshot.writes >= thresholds.minSamples) {
    if (snapshot.errorRate > thresholds.maxErrorRate) {
      unhealthy.push(
        `${target} write error rate ${Math.round(snapshot.errorRate * 100)}% > ${Math.round(thresholds.maxErrorRate * 100)}%`,
      );
    }
    const p95 = snapshot.p95LatencyMs;
    if (p95 !== undefined && latencyLimitMs !== undefined) {
      const finding = `${target} p95 write latency ${formatLatency(p95)}`;
      if (p95 > latencyLimitMs) unhealthy.push(`${finding} > ${formatLatency(latencyLimitMs)}`);
      else if (cautionMs !== undefined && p95 > cautionMs)
        strained.push(`${finding}, near the ${formatLatency(latencyLimitMs)} limit`);
    }
  }
  if (unhealthy.length > 0)
    return { level: 'unhealthy', findings: unhealthy, latencyLimitMs, cautionMs, retryAfterRemainingMs };
  if (strained.length > 0)
    return { level: 'strained', findings: strained, latencyLimitMs, cautionMs, retryAfterRemainingMs };
  const quiet =
    snapshot.writes === 0
      ? `${target} idle (no writes in the last ${Math.round(snapshot.windowMs / 60_000)} min)`
      : snapshot.p95LatencyMs === undefined
        ? `${target} healthy`
        : `${target} healthy (p95 ${formatLatency(snapshot.p95LatencyMs)})`;
  return { level: 'healthy', findings: [quiet], latencyLimitMs, cautionMs, retryAfterRemainingMs };
}

/**
 * Updates the learned baseline p95 of a target from a snapshot: it follows lower latencies quickly
 * and higher ones slowly, and learns nothing while the target is unhealthy, so stress does not
 * become the new normal.
 */
export function learnBaseline(
  baselineMs: number | undefined,
  snapshot: HealthSnapshot,
  level: HealthLevel,
  minSamples: number,
): number | undefined {
  const p95 = snapshot.p95LatencyMs;
  if (p95 === undefined || snapshot.writes < minSamples || level === 'unhealthy') return baselineMs;
  if (baselineMs === undefined) return p95;
  const weight = p95 < baselineMs ? 0.3 : 0.02;
  return baselineMs + weight * (p95 - baselineMs);
}
