import { audited } from '../audit.js';
import type { CyclePorts } from '../cycle-ports.js';
import type { Flow } from '../flow.js';
import { reconcileFlow, type ComparisonResult, type ReconcileReport } from './reconcile.js';

/** How an audited reconcile runs, and who asked for it. */
export interface AuditedReconcileOptions {
  /** Who: the operator (`currentActor()`) or `scheduler` for the flow's `reconcile:` schedule. */
  readonly actor: string;
  readonly mode: 'checksum' | 'full';
  /** Apply the compensating changes, then compare again. */
  readonly repair: boolean;
  readonly signal: AbortSignal;
  /** Differences listed in full in the report (all are counted). Default 1000. */
  readonly detailLimit?: number;
  /** Whether the flow's schedule started it (recorded in the audit entry). */
  readonly scheduled?: boolean;
}

function drift(result: ComparisonResult): number {
  return result.missing + result.extra + result.different;
}

/**
 * Reconciles a flow with an audit entry around it, the one place that writes one: action
 * `reconcile.repair` when repairing, else `reconcile`; a success when not repairing or when the
 * repair left no difference. Used by the CLI, the operations layer and the runtime's schedule.
 */
export async function runAuditedReconcile(
  flow: Flow,
  ports: CyclePorts,
  options: AuditedReconcileOptions,
): Promise<ReconcileReport> {
  const { mode, repair } = options;
  return audited(
    ports.state,
    {
      actor: options.actor,
      action: repair ? 'reconcile.repair' : 'reconcile',
      flow: flow.name,
      subject: `${flow.source.table} ↔ ${flow.target.table}`,
      details: { mode, repair, scheduled: options.scheduled === true },
    },
    async () => {
      const value = await reconcileFlow(flow, ports, {
        mode,
        repair,
        signal: options.signal,
        ...(options.detailLimit === undefined ? {} : { detailLimit: options.detailLimit }),
      });
      const left = drift(value.repair?.after ?? value.comparison);
      return {
        value,
        isSuccess: !repair || left === 0,
        outcome: `${drift(value.comparison)} difference(s)${value.repair === undefined ? '' : `, ${value.repair.repaired} repaired, ${left} left`}`,
      };
    },
  );
}
