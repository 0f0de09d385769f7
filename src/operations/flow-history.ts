import { DECISION_LOG_META } from '../cadence/adaptive-cadence.js';
import type { RunRecord } from '../core/state-store.js';
import type { JsonValue } from '../core/values.js';
import { findFlow, type OperationsContext } from './operations-context.js';
import { readPage, type Page, type PageRequest } from './page.js';

/** The runs of a flow (or of every flow), newest first, one page at a time. */
export function flowRuns(
  context: OperationsContext,
  request: PageRequest & { readonly flow?: string },
): Promise<Page<RunRecord>> {
  if (request.flow !== undefined) findFlow(context, request.flow);
  return readPage(request, (limit, beforeId) =>
    context.state.listRuns({
      limit,
      ...(request.flow === undefined ? {} : { flow: request.flow }),
      ...(beforeId === undefined ? {} : { beforeId }),
    }),
  );
}

/**
 * The adaptive controller's recent changes of a flow's cadence, newest first: when, from what to
 * what, and why. Empty for a flow whose cadence never changed (or does not adapt).
 */
export async function cadenceDecisions(
  context: OperationsContext,
  request: { readonly flow: string },
): Promise<JsonValue[]> {
  const flow = findFlow(context, request.flow);
  const log = await context.state.getFlowMeta(flow.name, DECISION_LOG_META);
  return Array.isArray(log) ? [...log].reverse() : [];
}
