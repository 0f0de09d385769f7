import { runAuditedReconcile } from '../core/reconcile/audited-reconcile.js';
import type { ReconcileReport } from '../core/reconcile/reconcile.js';
import type { ReconciliationRecord } from '../core/state-store.js';
import type { Actor } from './flow-control.js';
import { findFlow, type OperationsContext } from './operations-context.js';
import { readPage, type Page, type PageRequest } from './page.js';

/** A reconcile may take this long (a large table compared in full) before it is stopped. */
const RECONCILE_TIMEOUT_MS = 6 * 60 * 60_000;

/**
 * Compares a flow's source and target (checksums in the databases, or every row with `full`) and,
 * with `repair`, applies the compensating changes through the normal write path and compares again.
 * Audited (`reconcile` or `reconcile.repair`); the summary is recorded for status and history.
 */
export function reconcileFlowNow(
  context: OperationsContext,
  request: Actor & {
    readonly flow: string;
    readonly mode?: 'checksum' | 'full';
    readonly repair?: boolean;
    /** Differences listed in full in the report (all are counted). Default 1,000. */
    readonly detailLimit?: number;
    readonly signal?: AbortSignal;
  },
): Promise<ReconcileReport> {
  const flow = findFlow(context, request.flow);
  return runAuditedReconcile(flow, context.portsFor(flow), {
    actor: request.actor,
    mode: request.mode ?? 'checksum',
    repair: request.repair === true,
    signal: request.signal ?? AbortSignal.timeout(RECONCILE_TIMEOUT_MS),
    ...(request.detailLimit === undefined ? {} : { detailLimit: request.detailLimit }),
  });
}

/** Past reconciliations (summaries), newest first. */
export function reconcileHistory(
  context: OperationsContext,
  request: PageRequest & { readonly flow?: string },
): Promise<Page<ReconciliationRecord>> {
  if (request.flow !== undefined) findFlow(context, request.flow);
  return readPage(request, (limit, beforeId) =>
    context.state.listReconciliations({
      limit,
      ...(request.flow === undefined ? {} : { flow: request.flow }),
      ...(beforeId === undefined ? {} : { beforeId }),
    }),
  );
}
