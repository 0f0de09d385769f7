import { nextReconcile, SCHEDULER_ACTOR } from '../../cadence/reconcile-schedule.js';
import { formatDuration } from '../../config/duration.js';
import { toSyncError } from '../../core/errors.js';
import type { Flow } from '../../core/flow.js';
import { runAuditedReconcile } from '../../core/reconcile/audited-reconcile.js';
import type { ReconcileFinishedEvent } from '../runtime.js';
import type { EngineContext } from '../runtime.js';

/** After a failed scheduled reconcile, the next try waits this long. */
const RETRY_AFTER_FAILURE_MS = 60_000;

/**
 * Runs a flow's scheduled reconcile until `isStopping`: compares the two sides on the flow's
 * `reconcile` schedule, repairs when `repair: true` (audited as the scheduler either way), logs
 * the drift and reports each reconcile's end.
 */
export async function reconcileLoop(
  context: EngineContext,
  flow: Flow,
  options: {
    readonly now: () => number;
    readonly sleepUntil: (dueAt: number) => Promise<void>;
    readonly isStopping: () => boolean;
    readonly signal: AbortSignal;
    readonly onFinished: (event: Omit<ReconcileFinishedEvent, 'type' | 'at'>) => void;
  },
): Promise<void> {
  const schedule = flow.reconcile;
  if (schedule === undefined) return;
  const log = context.logger.child({ flow: flow.name });
  const repair = schedule.repair === true;
  const mode = schedule.mode ?? 'checksum';
  while (!options.isStopping()) {
    try {
      const next = await nextReconcile(context.state, flow, options.now());
      if (next === undefined) return;
      log.info(
        `next reconcile in ${formatDuration(Math.max(0, next.dueAt - options.now()))} (${next.reason})`,
      );
      await options.sleepUntil(next.dueAt);
      if (options.isStopping()) return;
      const report = await runAuditedReconcile(flow, context.portsFor(flow), {
        actor: SCHEDULER_ACTOR,
        mode,
        repair,
        signal: options.signal,
        scheduled: true,
      });
      const { missing, extra, different } = report.comparison;
      const drift = missing + extra + different;
      const repaired = report.repair?.repaired ?? 0;
      const message = `reconcile: ${drift} difference(s) (missing ${missing}, extra ${extra}, different ${different})${report.repair === undefined ? '' : `, ${repaired} repaired`}`;
      if (drift > 0) log.warn(message);
      else log.info(message);
      options.onFinished({ flow: flow.name, mode, status: 'succeeded', missing, extra, different, repaired });
    } catch (error) {
      if (options.isStopping()) return;
      const syncError = toSyncError(error, { flow: flow.name });
      options.onFinished({
        flow: flow.name,
        mode,
        status: 'failed',
        missing: 0,
        extra: 0,
        different: 0,
        repaired: 0,
        error: syncError.toJSON(),
      });
      log.error(`reconcile failed: ${syncError.message}; trying again in 1 minute`);
      await options.sleepUntil(options.now() + RETRY_AFTER_FAILURE_MS);
    }
  }
}
