import type { StateStore } from './state-store.js';

/** Flow meta where an operator's pause of a flow is kept (null once resumed). */
export const PAUSE_META = 'flow.pause';

/** A flow paused by an operator: no new cycle starts until it is resumed. */
export interface FlowPause {
  /** Who paused it (the audit actor). */
  readonly by: string;
  /** When, ISO 8601 UTC. */
  readonly at: string;
  /** Why, as the operator said. */
  readonly reason?: string;
}

/**
 * The flow's pause, if it is paused. Kept in the state store, so it survives restarts and every
 * process running the flow sees it; a malformed entry counts as not paused.
 */
export async function readPause(state: StateStore, flow: string): Promise<FlowPause | undefined> {
  const value = await state.getFlowMeta(flow, PAUSE_META);
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value))
    return undefined;
  const { by, at, reason } = value;
  if (typeof by !== 'string' || typeof at !== 'string') return undefined;
  return { by, at, ...(typeof reason === 'string' ? { reason } : {}) };
}

/** Pauses the flow (replacing an earlier pause). */
export async function writePause(state: StateStore, flow: string, pause: FlowPause): Promise<void> {
  await state.setFlowMeta(flow, PAUSE_META, {
    by: pause.by,
    at: pause.at,
    ...(pause.reason === undefined ? {} : { reason: pause.reason }),
  });
}

/** Resumes the flow; a no-op when it is not paused. */
export async function clearPause(state: StateStore, flow: string): Promise<void> {
  await state.setFlowMeta(flow, PAUSE_META, null);
}
