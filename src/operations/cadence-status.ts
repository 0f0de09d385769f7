import { adaptiveSettingsFor } from '../cadence/adaptive-settings.js';
import { intervalMsAt } from '../cadence/schedule.js';
import type { Flow } from '../core/flow.js';
import type { JsonValue } from '../core/values.js';

/** The cadence a flow runs at now, from the adaptive controller's latest decision. */
export interface EffectiveCadence {
  /** The interval the flow runs at now, ms: it runs this long after its previous cycle ended. */
  readonly intervalMs: number;
  /** The batch size it reads and writes now. */
  readonly batch: number;
  /** The configured interval at this time of day, ms (a peak's `every` while one is active). */
  readonly configuredIntervalMs: number;
  /** The configured batch size. */
  readonly configuredBatch: number;
  /** The controller's latest reason: `stock: stays every 20m: ERP p95 write latency 2.4 s > 1 s`. */
  readonly reason: string;
  /** When the flow moved to this interval and batch (ISO 8601), or the latest decision's time. */
  readonly since: string;
  /** When the controller last decided (ISO 8601). */
  readonly decidedAt: string;
}

/** The forecaster of an adaptive flow, as its status was last saved. */
export interface ForecasterNote {
  /** Whether it has learned enough of the week to act on predicted peaks. */
  readonly isWarm: boolean;
  /** Hours of the week it has learned. */
  readonly hoursLearned: number;
  /** Hours it must have learned before it acts. */
  readonly hoursNeeded: number;
  /** Readable: `learning: 40 of 168 hours of the week seen twice, needs 152 (…) before it acts`. */
  readonly reason: string;
  /**
   * Whether a forecast can change the flow's cadence: only for an adaptive flow with a `freshness`
   * objective (the controller speeds up ahead of a peak that would leave it staler than that).
   */
  readonly canApply: boolean;
}

type JsonObject = { readonly [key: string]: JsonValue };

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A recorded decision (flow meta `cadence.decision` or an entry of its log), when well formed. */
interface RecordedDecision {
  readonly intervalMs: number;
  readonly batch: number;
  readonly reason: string;
  readonly at: string;
}

function isRecordedDecision(value: JsonValue | undefined): value is JsonObject & RecordedDecision {
  return (
    isJsonObject(value) &&
    typeof value.intervalMs === 'number' &&
    typeof value.batch === 'number' &&
    typeof value.reason === 'string' &&
    typeof value.at === 'string'
  );
}

/** Whether the flow's cadence adapts under its current config (a stale decision is then ignored). */
function adapts(flow: Flow, now: number): boolean {
  return adaptiveSettingsFor(flow.cadence, flow.source.batchSize, now) !== undefined;
}

/**
 * The flow's effective cadence from its latest recorded decision and the log of changes (flow meta
 * `cadence.decision` and `cadence.decisions`); undefined when the flow does not adapt under its
 * current config or no well-formed decision was recorded.
 */
export function effectiveCadenceOf(
  flow: Flow,
  decision: JsonValue | undefined,
  changes: JsonValue | undefined,
  now: number,
): EffectiveCadence | undefined {
  if (!isRecordedDecision(decision) || !adapts(flow, now)) return undefined;
  const configuredIntervalMs = intervalMsAt(flow.cadence, now);
  if (configuredIntervalMs === undefined) return undefined;
  const lastChange = Array.isArray(changes) ? changes.at(-1) : undefined;
  const isSameCadence =
    isRecordedDecision(lastChange) &&
    lastChange.intervalMs === decision.intervalMs &&
    lastChange.batch === decision.batch;
  return {
    intervalMs: decision.intervalMs,
    batch: decision.batch,
    configuredIntervalMs,
    configuredBatch: flow.source.batchSize,
    reason: decision.reason,
    since: isSameCadence ? lastChange.at : decision.at,
    decidedAt: decision.at,
  };
}

/** The flow's forecaster status (flow meta `cadence.forecaster.status`), when the flow adapts. */
export function forecasterNoteOf(
  flow: Flow,
  status: JsonValue | undefined,
  now: number,
): ForecasterNote | undefined {
  if (!isJsonObject(status) || !adapts(flow, now)) return undefined;
  const { isWarm, hoursLearned, hoursNeeded, reason } = status;
  if (
    typeof isWarm !== 'boolean' ||
    typeof hoursLearned !== 'number' ||
    typeof hoursNeeded !== 'number' ||
    typeof reason !== 'string'
  )
    return undefined;
  return { isWarm, hoursLearned, hoursNeeded, reason, canApply: flow.cadence.freshnessMs !== undefined };
}
