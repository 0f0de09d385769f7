import type { Flow } from './flow.js';
import type { StateStore } from './state-store.js';

/** Flow meta where an operator's temporary cadence is kept (null once cleared). */
export const CADENCE_OVERRIDE_META = 'cadence.override';

/**
 * An operator's temporary cadence for a flow: run every `everyMs` until `until`, instead of the
 * configured cadence (and without the adaptive controller). Kept in the state store, so it
 * survives a restart until it expires.
 */
export interface CadenceOverride {
  readonly everyMs: number;
  /** When it ends, ISO 8601 UTC. */
  readonly until: string;
  /** Who set it (the audit actor). */
  readonly by: string;
  /** When, ISO 8601 UTC. */
  readonly at: string;
}

/** The flow's override in force at `now` (epoch ms); undefined when none, expired or malformed. */
export async function readCadenceOverride(
  state: StateStore,
  flow: string,
  now: number,
): Promise<CadenceOverride | undefined> {
  const value = await state.getFlowMeta(flow, CADENCE_OVERRIDE_META);
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value))
    return undefined;
  const { everyMs, until, by, at } = value;
  if (
    typeof everyMs !== 'number' ||
    typeof until !== 'string' ||
    typeof by !== 'string' ||
    typeof at !== 'string'
  )
    return undefined;
  return Date.parse(until) > now ? { everyMs, until, by, at } : undefined;
}

/** Sets (or replaces) the flow's override. */
export async function writeCadenceOverride(
  state: StateStore,
  flow: string,
  value: CadenceOverride,
): Promise<void> {
  await state.setFlowMeta(flow, CADENCE_OVERRIDE_META, { ...value });
}

/** Ends the flow's override at once; a no-op when there is none. */
export async function clearCadenceOverride(state: StateStore, flow: string): Promise<void> {
  await state.setFlowMeta(flow, CADENCE_OVERRIDE_META, null);
}

/**
 * The flow as it runs under an override: every `everyMs` in place of its cadence (an interval,
 * cron or realtime safety poll alike), fixed (not adaptive); its time zone is kept for messages.
 */
export function withCadenceOverride(flow: Flow, override: CadenceOverride): Flow {
  const { timezone } = flow.cadence;
  return {
    ...flow,
    cadence: { everyMs: override.everyMs, adaptive: false, ...(timezone === undefined ? {} : { timezone }) },
  };
}
