import { adaptedSchedule, DECISION_LOG_META, DECISION_META } from '../cadence/adaptive-cadence.js';
import { FORECASTER_STATUS_META } from '../cadence/flow-forecasts.js';
import { nextRun } from '../cadence/schedule.js';
import type { Checkpoint } from '../core/connector.js';
import type { Flow } from '../core/flow.js';
import { readPause, type FlowPause } from '../core/flow-pause.js';
import { readCadenceOverride, type CadenceOverride } from '../core/cadence-override.js';
import { readLastReconcile, type LastReconcile } from '../core/reconcile/last-reconcile.js';
import type { RunRecord } from '../core/state-store.js';
import { readBackfillProgress, type BackfillProgress } from '../core/backfill-lanes.js';
import type { JsonValue } from '../core/values.js';
import type { FlowSnapshot } from '../runtime/runtime.js';
import {
  effectiveCadenceOf,
  forecasterNoteOf,
  type EffectiveCadence,
  type ForecasterNote,
} from './cadence-status.js';
import { findFlow, type OperationsContext } from './operations-context.js';

export type { EffectiveCadence, ForecasterNote };

/** The status of one flow, as `status --json` prints it and `GET /api/v1/flows` returns it. */
export interface FlowStatus {
  readonly flow: string;
  readonly enabled: boolean;
  /** The flow's cadence as configured (durations in ms). */
  readonly cadence: Flow['cadence'];
  /**
   * The interval and batch the flow runs at now, set by the adaptive controller (which may have
   * backed off or sped up from the configured cadence), with its reason; undefined for a flow
   * whose cadence does not adapt or before the controller's first decision.
   */
  readonly effectiveCadence: EffectiveCadence | undefined;
  /** `one-way` or `both`. */
  readonly direction: 'one-way' | 'both';
  /** What the runtime of this process is doing with the flow; undefined when no runtime runs here. */
  readonly activity: FlowSnapshot['activity'] | undefined;
  /** Who paused the flow, when and why; undefined while it runs on its cadence. */
  readonly paused: FlowPause | undefined;
  /** An operator's temporary cadence in force (`POST /api/v1/flows/{flow}/cadence`), until it expires. */
  readonly cadenceOverride: CadenceOverride | undefined;
  /** The newest run of the flow (cycles, resyncs, replays), if any. */
  readonly lastRun: RunRecord | undefined;
  /** When the newest successful cycle started (ISO 8601). */
  readonly lastSuccessAt: string | undefined;
  /** Seconds since the last successful cycle started: how stale the target may be. */
  readonly stalenessSeconds: number | undefined;
  /** When the next cycle is due (ISO 8601), from the live runtime or else from the schedule. */
  readonly nextRunAt: string | undefined;
  readonly nextRunReason: string;
  /** Dead letters waiting for a fix and `dlq replay`, counted in the state store. */
  readonly openDeadLetters: number;
  /** Two-way flows: records parked as conflicts, waiting for `conflicts resolve`. */
  readonly openConflicts: number;
  readonly checkpoint: Checkpoint | undefined;
  /** The adaptive controller's latest decision as recorded (interval, batch, reason, inputs), if any. */
  readonly cadenceDecision: JsonValue | undefined;
  /**
   * Whether the flow's forecaster acts on predicted peaks, how much of the week it learned and
   * whether a forecast can change this flow's cadence at all; undefined if the flow does not adapt.
   */
  readonly forecaster: ForecasterNote | undefined;
  /**
   * A partitioned backfill under way (`backfill.lanes`, docs/backfill.md): each lane's key range,
   * the last key it committed and whether it is done; undefined when none is.
   */
  readonly backfill: BackfillProgress | undefined;
  /** The last reconcile: when, its mode, the drift it found (`drift`) and what repair left. */
  readonly lastReconcile: LastReconcile | undefined;
  /** The live state of the flow in this process's runtime, when one runs here. */
  readonly snapshot: FlowSnapshot | undefined;
}

function isoOrUndefined(ms: number | undefined): string | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
}

async function statusOf(
  context: OperationsContext,
  flow: Flow,
  snapshot: FlowSnapshot | undefined,
  now: number,
): Promise<FlowStatus> {
  const { state } = context;
  const [
    runs,
    lastSuccess,
    openDeadLetters,
    openConflicts,
    checkpoint,
    decision,
    decisionLog,
    forecaster,
    reconcile,
    paused,
    cadenceOverride,
    backfill,
  ] = await Promise.all([
    state.listRuns({ flow: flow.name, limit: 1 }),
    state.lastSuccessfulRun(flow.name),
    state.countDeadLetters({ flow: flow.name, status: 'open' }),
    state.countConflicts({ flow: flow.name, status: 'open' }),
    state.getCheckpoint(flow.name),
    state.getFlowMeta(flow.name, DECISION_META),
    state.getFlowMeta(flow.name, DECISION_LOG_META),
    state.getFlowMeta(flow.name, FORECASTER_STATUS_META),
    readLastReconcile(state, flow.name),
    readPause(state, flow.name),
    readCadenceOverride(state, flow.name, now),
    readBackfillProgress(state, flow.name),
  ]);
  const lastRun = runs[0];
  const lastSuccessAt = lastSuccess === undefined ? undefined : Date.parse(lastSuccess.startedAt);
  const lastEndedAt = lastRun?.finishedAt === undefined ? undefined : Date.parse(lastRun.finishedAt);
  const effectiveCadence = effectiveCadenceOf(flow, decision, decisionLog, now);
  const scheduled = nextRun(flow.cadence, { lastSuccessAt, lastEndedAt }, now);
  const planned =
    effectiveCadence === undefined || lastEndedAt === undefined
      ? scheduled
      : adaptedSchedule(flow, effectiveCadence, scheduled, lastEndedAt);
  const isLive = snapshot !== undefined && snapshot.activity !== 'idle';
  const nextDueAt = isLive ? snapshot.nextDueAt : planned.dueAt;
  const nextReason = isLive ? (snapshot.nextReason ?? snapshot.activity) : planned.reason;
  return {
    flow: flow.name,
    enabled: flow.enabled,
    cadence: flow.cadence,
    effectiveCadence,
    direction: flow.direction,
    activity: snapshot?.activity,
    paused: snapshot?.paused ?? paused,
    cadenceOverride,
    lastRun,
    lastSuccessAt: lastSuccess?.startedAt,
    stalenessSeconds: lastSuccessAt === undefined ? undefined : Math.round((now - lastSuccessAt) / 1000),
    nextRunAt: paused === undefined ? isoOrUndefined(nextDueAt) : undefined,
    nextRunReason: paused === undefined ? nextReason : `paused by ${paused.by}`,
    openDeadLetters,
    openConflicts,
    checkpoint,
    cadenceDecision: decision,
    forecaster: forecasterNoteOf(flow, forecaster, now),
    backfill,
    lastReconcile: reconcile,
    snapshot,
  };
}

/**
 * The status of every flow (or the one named): last run, staleness, next cycle and why, open dead
 * letters and conflicts (counted in the state store), the adaptive decision and the last reconcile.
 */
export async function flowStatuses(
  context: OperationsContext,
  request: { readonly flow?: string } = {},
): Promise<FlowStatus[]> {
  const flows = request.flow === undefined ? context.flows : [findFlow(context, request.flow)];
  const snapshots = new Map((context.runtime?.snapshot() ?? []).map((entry) => [entry.flow, entry]));
  const now = (context.now ?? Date.now)();
  return Promise.all(flows.map((flow) => statusOf(context, flow, snapshots.get(flow.name), now)));
}
