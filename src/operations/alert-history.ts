import type { AlertEpisode, AlertHistoryStatus } from '../core/alert-history.js';
import { findFlow, type OperationsContext } from './operations-context.js';
import { readPage, type Page, type PageRequest } from './page.js';

/**
 * Alert episodes (a rule on a flow, from firing to resolved), newest first, one page at a time,
 * with how many match in all; `status` keeps the firing or the resolved ones only.
 */
export async function listAlertHistory(
  context: OperationsContext,
  request: PageRequest & { readonly status?: AlertHistoryStatus; readonly flow?: string },
): Promise<Page<AlertEpisode> & { readonly total: number }> {
  if (request.flow !== undefined) findFlow(context, request.flow);
  const filter = {
    ...(request.flow === undefined ? {} : { flow: request.flow }),
    ...(request.status === undefined ? {} : { status: request.status }),
  };
  const [page, total] = await Promise.all([
    readPage(request, (limit, beforeId) =>
      context.state.listAlerts({ ...filter, limit, ...(beforeId === undefined ? {} : { beforeId }) }),
    ),
    context.state.countAlerts(filter),
  ]);
  return { ...page, total };
}
