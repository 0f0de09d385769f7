import { describeCadence } from '../cadence/describe-cadence.js';
import { intervalMsAt } from '../cadence/schedule.js';
import { addDays, epochOfWallTime, localDateAt, machineTimeZone } from '../cadence/zoned-time.js';
import type { RunActivityBucket } from '../core/run-activity.js';
import { type FlowStatus, flowStatuses } from './flow-status.js';
import { invalidRequest, type OperationsContext } from './operations-context.js';
import { runSeries, type RunSeries } from './run-series.js';

/** The counts of a run activity bucket that add up over a span of time. */
const TOTAL_KEYS = ['cycles', 'succeeded', 'failed', 'read', 'written', 'quarantined', 'refused'] as const;

/** Sums of the runs of a span of time. */
export type RunTotals = Pick<RunActivityBucket, (typeof TOTAL_KEYS)[number]>;

/** One flow as the wall screen shows it. */
export interface FlowTile {
  readonly flow: string;
  readonly enabled: boolean;
  /** How often it syncs: `realtime`, `minutes` (< 1 h), `hourly` (< 1 d) or `daily` (a day or more, or cron). */
  readonly tier: 'realtime' | 'minutes' | 'hourly' | 'daily';
  /** The configured cadence in words (`every 5m, adaptive, freshness 10m`). */
  readonly cadenceText: string;
  /** The freshness objective, ms: `cadence.freshness`, else twice the configured interval; null for cron. */
  readonly objectiveMs: number | null;
  /** Whether the objective is configured (`freshness`) or implied by the interval. */
  readonly isObjectiveConfigured: boolean;
  /** When the newest successful cycle started (ISO 8601); the age is computed by the viewer, now. */
  readonly lastSuccessAt: string | null;
  readonly lastRunStatus: string | null;
  readonly today: RunTotals;
  readonly openDeadLetters: number;
  readonly openConflicts: number;
  /** The configured interval now, ms (a peak's while one is active); null for cron. */
  readonly configuredIntervalMs: number | null;
  /** The interval the adaptive controller runs it at; null when it does not adapt. */
  readonly effectiveIntervalMs: number | null;
  /** The controller's reason, when the effective interval differs from the configured one. */
  readonly cadenceReason: string | null;
  readonly pausedBy: string | null;
  readonly targetConnection: string;
}

/** A target system, and whether the controller holds a flow of it backed off. */
export interface TargetHealth {
  readonly connection: string;
  readonly flows: readonly string[];
  /** Flows writing to it at a longer interval than configured: the target is being spared. */
  readonly backedOff: readonly { readonly flow: string; readonly reason: string }[];
  /** Flows whose newest run failed. */
  readonly failing: readonly string[];
}

/** Everything the wall screen shows, in one request. */
export interface Overview {
  /** The zone "today" is counted in. */
  readonly timeZone: string;
  /** Midnight that starts today in that zone; ISO 8601, UTC. */
  readonly todayStartsAt: string;
  readonly flows: readonly FlowTile[];
  readonly totals: { readonly today: RunTotals; readonly yesterdaySameTime: RunTotals };
  /** Alerts firing now, by severity (counted in the state store). */
  readonly alertsFiring: { readonly critical: number; readonly warning: number; readonly info: number };
  readonly targets: readonly TargetHealth[];
  /** The last 24 hours in 15-minute buckets. */
  readonly series: RunSeries;
}

const EMPTY = Object.fromEntries(TOTAL_KEYS.map((key) => [key, 0])) as Record<keyof RunTotals, number>;

function add(totals: RunTotals, bucket: RunActivityBucket): RunTotals {
  return Object.fromEntries(TOTAL_KEYS.map((key) => [key, totals[key] + bucket[key]])) as Record<
    keyof RunTotals,
    number
  >;
}

function startOfDay(atMs: number, zone: string, days = 0): number {
  return epochOfWallTime({ ...addDays(localDateAt(atMs, zone), days), hour: 0, minute: 0 }, zone);
}

function checkedZone(zone: string | undefined): string {
  if (zone === undefined) return machineTimeZone();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw invalidRequest(`tz "${zone}" is not an IANA time zone such as Asia/Shanghai or Europe/Berlin`);
  }
}

function tierOf(status: FlowStatus, intervalMs: number | undefined): FlowTile['tier'] {
  if (status.cadence.realtime === true) return 'realtime';
  if (intervalMs === undefined || intervalMs >= 86_400_000) return 'daily';
  return intervalMs < 3_600_000 ? 'minutes' : 'hourly';
}

function tileOf(status: FlowStatus, today: RunTotals, targetConnection: string, now: number): FlowTile {
  const configured = intervalMsAt(status.cadence, now);
  const effective = status.effectiveCadence;
  const isDifferent = effective !== undefined && effective.intervalMs !== effective.configuredIntervalMs;
  return {
    flow: status.flow,
    enabled: status.enabled,
    tier: tierOf(status, configured),
    cadenceText: describeCadence(status.cadence),
    objectiveMs: status.cadence.freshnessMs ?? (configured === undefined ? null : 2 * configured),
    isObjectiveConfigured: status.cadence.freshnessMs !== undefined,
    lastSuccessAt: status.lastSuccessAt ?? null,
    lastRunStatus: status.lastRun?.status ?? null,
    today,
    openDeadLetters: status.openDeadLetters,
    openConflicts: status.openConflicts,
    configuredIntervalMs: effective?.configuredIntervalMs ?? configured ?? null,
    effectiveIntervalMs: effective?.intervalMs ?? null,
    cadenceReason: isDifferent ? effective.reason : null,
    pausedBy: status.paused?.by ?? null,
    targetConnection,
  };
}

async function totalsOf(
  context: OperationsContext,
  since: number,
  until: number,
): Promise<{ all: RunTotals; byFlow: Map<string, RunTotals> }> {
  const byFlow = new Map<string, RunTotals>();
  if (until <= since) return { all: EMPTY, byFlow };
  const buckets = await context.state.runActivity({
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    bucketMs: Math.max(1, Math.ceil(until - since)),
  });
  let all = EMPTY;
  for (const bucket of buckets) {
    all = add(all, bucket);
    byFlow.set(bucket.flow, add(byFlow.get(bucket.flow) ?? EMPTY, bucket));
  }
  return { all, byFlow };
}

/**
 * The wall screen in one request: a tile per flow, today's totals and yesterday's up to the same
 * time of day, alerts firing by severity, the target systems (backed off or not) and 24 hours of
 * throughput and freshness. Everything is counted in the state store; ages are left to the viewer
 * (times, not durations), so the answer stays the same until something happens.
 */
export async function overview(
  context: OperationsContext,
  request: { readonly timeZone?: string } = {},
): Promise<Overview> {
  const timeZone = checkedZone(request.timeZone);
  const now = (context.now ?? Date.now)();
  const todayStart = startOfDay(now, timeZone);
  const yesterdayStart = startOfDay(now, timeZone, -1);
  // Bucketed to the minute, so two polls within a minute ask (and answer) the same.
  const elapsed = Math.floor((now - todayStart) / 60_000) * 60_000 + 60_000;
  const [statuses, today, yesterday, critical, warning, info, series] = await Promise.all([
    flowStatuses(context),
    totalsOf(context, todayStart, todayStart + elapsed),
    totalsOf(context, yesterdayStart, Math.min(todayStart, yesterdayStart + elapsed)),
    context.state.countAlerts({ status: 'firing', severity: 'critical' }),
    context.state.countAlerts({ status: 'firing', severity: 'warning' }),
    context.state.countAlerts({ status: 'firing', severity: 'info' }),
    runSeries(context),
  ]);
  const targetOf = new Map(context.flows.map((flow) => [flow.name, flow.targetConnection]));
  const flows = statuses.map((status) =>
    tileOf(status, today.byFlow.get(status.flow) ?? EMPTY, targetOf.get(status.flow) ?? '', now),
  );
  const targets = [...new Set(flows.map((tile) => tile.targetConnection))].sort().map((connection) => {
    const own = flows.filter((tile) => tile.targetConnection === connection);
    return {
      connection,
      flows: own.map((tile) => tile.flow),
      backedOff: own.flatMap((tile) =>
        tile.effectiveIntervalMs !== null &&
        tile.configuredIntervalMs !== null &&
        tile.effectiveIntervalMs > tile.configuredIntervalMs
          ? [{ flow: tile.flow, reason: tile.cadenceReason ?? '' }]
          : [],
      ),
      failing: own.filter((tile) => tile.lastRunStatus === 'failed').map((tile) => tile.flow),
    };
  });
  return {
    timeZone,
    todayStartsAt: new Date(todayStart).toISOString(),
    flows,
    totals: { today: today.all, yesterdaySameTime: yesterday.all },
    alertsFiring: { critical, warning, info },
    targets,
    series,
  };
}
