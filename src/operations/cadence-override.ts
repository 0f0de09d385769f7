import { formatDuration } from '../config/duration.js';
import { audited } from '../core/audit.js';
import {
  clearCadenceOverride,
  readCadenceOverride,
  writeCadenceOverride,
  type CadenceOverride,
} from '../core/cadence-override.js';
import type { Actor } from './flow-control.js';
import { findFlow, invalidRequest, type OperationsContext } from './operations-context.js';

/** The shortest interval an override may set. */
const MIN_EVERY_MS = 1_000;
/** The longest an override may last. */
const MAX_FOR_MS = 30 * 86_400_000;

/**
 * Runs a flow every `everyMs` for `forMs`, in place of its cadence (a peak the calendar did not
 * know, an ERP that needs rest), then back to the configured one. Kept in the state store (it
 * survives restarts until it expires); audited as `cadence.override` with before and after.
 */
export async function overrideCadence(
  context: OperationsContext,
  request: Actor & { readonly flow: string; readonly everyMs: number; readonly forMs: number },
): Promise<CadenceOverride> {
  const flow = findFlow(context, request.flow);
  if (request.everyMs < MIN_EVERY_MS)
    throw invalidRequest(`every must be at least ${formatDuration(MIN_EVERY_MS)}`, { flow: flow.name });
  if (request.forMs <= 0 || request.forMs > MAX_FOR_MS)
    throw invalidRequest(`for must be longer than zero and at most ${formatDuration(MAX_FOR_MS)}`, { flow: flow.name });
  const now = (context.now ?? Date.now)();
  const before = await readCadenceOverride(context.state, flow.name, now);
  const value: CadenceOverride = {
    everyMs: request.everyMs,
    until: new Date(now + request.forMs).toISOString(),
    by: request.actor,
    at: new Date(now).toISOString(),
  };
  return audited(
    context.state,
    {
      actor: request.actor,
      action: 'cadence.override',
      flow: flow.name,
      subject: `every ${formatDuration(request.everyMs)} for ${formatDuration(request.forMs)}`,
      details: { before: before === undefined ? null : { ...before }, after: { ...value } },
    },
    async () => {
      await writeCadenceOverride(context.state, flow.name, value);
      context.runtime?.refresh(flow.name);
      return { value, isSuccess: true, outcome: `every ${formatDuration(value.everyMs)} until ${value.until}` };
    },
  );
}

/** Ends a flow's cadence override now (audited as `cadence.override.clear`). */
export async function clearOverride(
  context: OperationsContext,
  request: Actor & { readonly flow: string },
): Promise<{ readonly flow: string; readonly wasSet: boolean }> {
  const flow = findFlow(context, request.flow);
  const before = await readCadenceOverride(context.state, flow.name, (context.now ?? Date.now)());
  return audited(
    context.state,
    {
      actor: request.actor,
      action: 'cadence.override.clear',
      flow: flow.name,
      details: { before: before === undefined ? null : { ...before } },
    },
    async () => {
      await clearCadenceOverride(context.state, flow.name);
      context.runtime?.refresh(flow.name);
      return {
        value: { flow: flow.name, wasSet: before !== undefined },
        isSuccess: true,
        outcome: before === undefined ? 'no override was set' : 'back to the configured cadence',
      };
    },
  );
}
