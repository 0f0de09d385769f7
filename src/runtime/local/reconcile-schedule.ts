import { nextRun } from '../../cadence/schedule.js';
import type { Cadence } from '../../config/cadence-schema.js';
import { formatDuration } from '../../config/duration.js';
import { audited } from '../../core/audit.js';
import { toSyncError } from '../../core/errors.js';
import type { Flow } from '../../core/flow.js';
import { reconcileFlow } from '../../core/reconcile/reconcile.js';
import type { EngineContext } from '../runtime.js';

const DAY_MS = 86_400_000;

/** The audit actor of scheduled repairs. */
export const SCHEDULER_ACTOR = 'scheduler';

/** When a flow's reconcile runs next: its `cron` or `every`, from the end of the last one. */
export async function nextReconcile(
  context: EngineContext,
  flow: Flow,
  now: number,
): Promise<{ dueAt: number; reason: string } | undefined> {
  const schedule = flow.reconcile;
  if (schedule === undefined) return undefined;
  const cadence: Cadence =
    schedule.cron === undefined
      ? { everyMs: schedule.everyMs ?? DAY_MS }
      : { cron: schedule.cron, ...(schedule.timezone === undefined ? {} : { timezone: schedule.timezone }) };
  const [last] = await context.state.listReconciliations({ flow: flow.name, limit: 1 });
  const lastAt = last === undefined ? undefined : Date.parse(last.finishedAt);
  const decision = nextRun(cadence, { lastSuccessAt: lastAt, lastEndedAt: lastAt }, now);
  return { dueAt: decision.dueAt, reason: decision.reason };
}

/**
 * Runs a flow's scheduled reconcile until `isStopping`: compares the two sides on the flow's
 * `reconcile` schedule, repairs when `repair: true` (audited as the scheduler), and logs the drift.
 */
export async function reconcileLoop(
  context: EngineContext,
  flow: Flow,
  options: {
    readonly now: () => number;
    readonly sleepUntil: (dueAt: number) => Promise<void>;
    readonly isStopping: () => boolean;
    readonly signal: AbortSignal;
  },
): Promise<void> {
  const schedule = flow.reconcile;
  if (schedule === undefined) return;
  const log = context.logger.child({ flow: flow.name });
  while (!options.isStopping()) {
    const repair = schedule.repair === true;
    const mode = schedule.mode ?? 'checksum';
    try {
      const next = await nextReconcile(context, flow, options.now());
      if (next === undefined) return;
      log.info(
        `next reconcile in ${formatDuration(Math.max(0, next.dueAt - options.now()))} (${next.reason})`,
      );
      await options.sleepUntil(next.dueAt);
      if (options.isStopping()) return;
      const run = (): ReturnType<typeof reconcileFlow> =>
        reconcileFlow(flow, context.portsFor(flow), { mode, repair, signal: options.signal });
      const report = repair
        ? await audited(
            context.state,
            {
              actor: SCHEDULER_ACTOR,
              action: 'reconcile.repair',
              flow: flow.name,
              details: { mode, scheduled: true },
            },
            async () => {
              const value = await run();
              const after = value.repair?.after ?? value.comparison;
              const left = after.missing + after.extra + after.different;
              return {
                value,
                isSuccess: left === 0,
                outcome: `${value.repair?.repaired ?? 0} repaired, ${left} left`,
              };
            },
          )
        : await run();
      const { missing, extra, different } = report.comparison;
      const drift = missing + extra + different;
      const message = `reconcile: ${drift} difference(s) (missing ${missing}, extra ${extra}, different ${different})${report.repair === undefined ? '' : `, ${report.repair.repaired} repaired`}`;
      if (drift > 0) log.warn(message);
      else log.info(message);
    } catch (error) {
      if (options.isStopping()) return;
      log.error(`reconcile failed: ${toSyncError(error).message}; trying again in 1 minute`);
      await options.sleepUntil(options.now() + 60_000);
    }
  }
}
