import type { AuditEntry } from '../core/state-store.js';
import type { OperationsContext } from './operations-context.js';
import { readPage, type Page, type PageRequest } from './page.js';

/** Manual actions, newest first: who did what, when, and what came of it. */
export function queryAudit(
  context: OperationsContext,
  request: PageRequest & { readonly flow?: string; readonly action?: string },
): Promise<Page<AuditEntry>> {
  return readPage(request, (limit, beforeId) =>
    context.state.listAudit({
      limit,
      ...(request.flow === undefined ? {} : { flow: request.flow }),
      ...(request.action === undefined ? {} : { action: request.action }),
      ...(beforeId === undefined ? {} : { beforeId }),
    }),
  );
}
