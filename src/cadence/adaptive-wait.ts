import type { ScheduleDecision } from './schedule.js';
import type { Flow } from '../core/flow.js';
import type { AdaptiveCadence } from './adaptive-cadence.js';

/** While an adaptive flow waits for its next cycle, its cadence is decided again this often. */
export const REDECIDE_EVERY_MS = 60_000;

/** What {@link waitForTurn} needs from the runtime. */
export interface WaitPorts {
  readonly now: () => number;
  /** Resolves at `dueAt`, or earlier when the runtime stops. */
  readonly sleepUntil: (dueAt: number) => Promise<void>;
  readonly isStopping: () => boolean;
  /** Told the flow's (new) next run. */
  readonly onScheduled?: (decision: ScheduleDecision) => void;
  /** Default {@link REDECIDE_EVERY_MS}. */
  readonly redecideEveryMs?: number;
}

/**
 * Sleeps until the flow's next cycle is due. An adaptive flow re-decides its cadence about once a
 * minute meanwhile (without a cycle), so a Retry-After, trouble or recovery of its target moves
 * its next cycle; the new time is announced when the interval changed. Returns the final schedule.
 */
export async function waitForTurn(
  adaptive: AdaptiveCadence,
  flow: Flow,
  planned: ScheduleDecision,
  lastEndedAt: number | undefined,
  ports: WaitPorts,
): Promise<ScheduleDecision> {
  let decision = adaptive.schedule(flow, planned, lastEndedAt);
  ports.onScheduled?.(decision);
  const redecideMs = ports.redecideEveryMs ?? REDECIDE_EVERY_MS;
  while (!ports.isStopping()) {
    const wakeAt = adaptive.isAdaptive(flow.name)
      ? Math.min(decision.dueAt, ports.now() + redecideMs)
      : decision.dueAt;
    await ports.sleepUntil(wakeAt);
    if (ports.isStopping() || ports.now() >= decision.dueAt) break;
    const cadence = await adaptive.whileWaiting(flow);
    if (cadence === undefined || cadence.intervalMs === cadence.intervalMsBefore) continue;
    decision = adaptive.schedule(flow, planned, lastEndedAt);
    ports.onScheduled?.(decision);
  }
  return decision;
}
