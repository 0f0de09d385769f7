import { DECISION_LOG_META } from '../cadence/adaptive-cadence.js';
import { intervalMsAt } from '../cadence/schedule.js';
import type { AlertCondition } from '../config/alerts-schema.js';
import type { Flow } from '../core/flow.js';
import { KEYED_TRIGGERS, type RunRecord, type StateStore } from '../core/state-store.js';
import type { JsonValue } from '../core/values.js';
import type { FlowStatus } from '../operations/flow-status.js';

/** The conditions a rule can have, by the key of its `when:`. */
export type ConditionKind =
  | 'freshness'
  | 'failedCycles'
  | 'errorRate'
  | 'deadLetters'
  | 'conflicts'
  | 'reconcileDrift'
  | 'backoff'
  | 'paused';

/** What a condition measured for one flow now. */
export interface Measurement {
  readonly kind: ConditionKind;
  /** The measured value: a count, a share (0–1) or a duration in ms, as the kind says. */
  readonly value: number;
  /** The rule's threshold in the same unit (`over`, `longerThan`, or the flow's freshness objective). */
  readonly threshold: number;
  readonly isActive: boolean;
  /** `freshness: objective`: the threshold is the flow's `cadence.freshness`. */
  readonly isObjective?: boolean;
  /** `paused`: who paused the flow. */
  readonly by?: string;
  /** `backoff`: the interval the controller holds and the configured one, ms. */
  readonly intervalMs?: number;
  readonly configuredIntervalMs?: number;
}

/** Window of the `errorRate` condition. */
export const ERROR_RATE_WINDOW_MS = 15 * 60_000;
const RUN_PAGE = 100;
const RUN_PAGES = 20;

/** The key of a condition (`{ deadLetters: … }` → `deadLetters`). */
export function conditionKind(condition: AlertCondition): ConditionKind {
  if ('freshness' in condition) return 'freshness';
  if ('failedCycles' in condition) return 'failedCycles';
  if ('errorRate' in condition) return 'errorRate';
  if ('deadLetters' in condition) return 'deadLetters';
  if ('conflicts' in condition) return 'conflicts';
  if ('reconcileDrift' in condition) return 'reconcileDrift';
  if ('backoff' in condition) return 'backoff';
  return 'paused';
}

/** Finished cycles of a flow (no resyncs, replays or repairs), newest first, while `keep` says so. */
async function recentCycles(
  state: StateStore,
  flow: string,
  keep: (run: RunRecord, kept: number) => boolean,
): Promise<RunRecord[]> {
  const kept: RunRecord[] = [];
  let beforeId: number | undefined;
  for (let page = 0; page < RUN_PAGES; page += 1) {
    const runs = await state.listRuns({
      flow,
      limit: RUN_PAGE,
      ...(beforeId === undefined ? {} : { beforeId }),
    });
    for (const run of runs) {
      if (KEYED_TRIGGERS.includes(run.trigger) || (run.status !== 'succeeded' && run.status !== 'failed'))
        continue;
      if (!keep(run, kept.length)) return kept;
      kept.push(run);
    }
    if (runs.length < RUN_PAGE) return kept;
    beforeId = runs.at(-1)?.id;
  }
  return kept;
}

function objectOf(value: JsonValue | undefined): Record<string, JsonValue> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/**
 * Since when the adaptive controller has held the flow slower than configured: the start of the
 * newest unbroken run of such decisions in the decision log, else the latest decision's time.
 */
async function slowSince(state: StateStore, flow: Flow, latestAt: number): Promise<number> {
  const log = await state.getFlowMeta(flow.name, DECISION_LOG_META);
  let since = latestAt;
  for (const entry of [...(Array.isArray(log) ? log : [])].reverse()) {
    const decision = objectOf(entry);
    const at = typeof decision?.at === 'string' ? Date.parse(decision.at) : Number.NaN;
    const interval = decision?.intervalMs;
    if (typeof interval !== 'number' || !Number.isFinite(at)) break;
    const configured = intervalMsAt(flow.cadence, at);
    if (configured === undefined || interval <= configured) break;
    since = Math.min(since, at);
  }
  return since;
}

async function measureBackoff(
  state: StateStore,
  flow: Flow,
  status: FlowStatus,
  longerThanMs: number,
  now: number,
): Promise<Measurement | undefined> {
  const decision = objectOf(status.cadenceDecision);
  const intervalMs = status.snapshot?.cadence.intervalMs ?? decision?.intervalMs;
  const configuredIntervalMs =
    status.snapshot?.cadence.configuredIntervalMs ?? intervalMsAt(flow.cadence, now);
  if (typeof intervalMs !== 'number' || configuredIntervalMs === undefined) return undefined;
  const base = { kind: 'backoff', threshold: longerThanMs, intervalMs, configuredIntervalMs } as const;
  if (intervalMs <= configuredIntervalMs) return { ...base, value: 0, isActive: false };
  const decidedAt = typeof decision?.at === 'string' ? Date.parse(decision.at) : now;
  const heldMs = now - (await slowSince(state, flow, Number.isFinite(decidedAt) ? decidedAt : now));
  return { ...base, value: heldMs, isActive: heldMs > longerThanMs };
}

/**
 * Measures one rule's condition for one flow from its status (operations/flow-status.ts) and, for
 * cycle failures, its run history. Undefined when there is nothing to measure (no cycle yet, no
 * freshness objective, no adaptive decision): such a flow does not fire, and a firing one resolves.
 */
export async function measureCondition(
  condition: AlertCondition,
  flow: Flow,
  status: FlowStatus,
  state: StateStore,
  now: number,
): Promise<Measurement | undefined> {
  const over = (kind: ConditionKind, value: number, threshold: number): Measurement => ({
    kind,
    value,
    threshold,
    isActive: value > threshold,
  });
  if ('freshness' in condition) {
    const isObjective = condition.freshness === 'objective';
    const threshold =
      condition.freshness === 'objective' ? flow.cadence.freshnessMs : condition.freshness.over;
    if (threshold === undefined || status.lastSuccessAt === undefined) return undefined;
    return { ...over('freshness', now - Date.parse(status.lastSuccessAt), threshold), isObjective };
  }
  if ('deadLetters' in condition)
    return over('deadLetters', status.openDeadLetters, condition.deadLetters.over);
  if ('conflicts' in condition) return over('conflicts', status.openConflicts, condition.conflicts.over);
  if ('reconcileDrift' in condition)
    return status.lastReconcile === undefined
      ? undefined
      : over('reconcileDrift', status.lastReconcile.drift, condition.reconcileDrift.over);
  if ('paused' in condition) {
    if (status.paused === undefined)
      return { kind: 'paused', value: 0, threshold: condition.paused.longerThan, isActive: false };
    const pausedMs = now - Date.parse(status.paused.at);
    return { ...over('paused', pausedMs, condition.paused.longerThan), by: status.paused.by };
  }
  if ('backoff' in condition) return measureBackoff(state, flow, status, condition.backoff.longerThan, now);
  if ('failedCycles' in condition) {
    const needed = Math.floor(condition.failedCycles.over) + 1;
    const cycles = await recentCycles(
      state,
      flow.name,
      (run, kept) => kept < needed && run.status === 'failed',
    );
    const lastRun = await recentCycles(state, flow.name, (_run, kept) => kept < 1);
    if (lastRun.length === 0) return undefined;
    return over('failedCycles', cycles.length, condition.failedCycles.over);
  }
  const since = now - ERROR_RATE_WINDOW_MS;
  const cycles = await recentCycles(state, flow.name, (run) => Date.parse(run.startedAt) >= since);
  if (cycles.length === 0) return undefined;
  const failed = cycles.filter((run) => run.status === 'failed').length;
  return over('errorRate', failed / cycles.length, condition.errorRate.over);
}
