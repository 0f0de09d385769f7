import type { Cadence } from '../config/cadence-schema.js';
import type { Flow } from '../core/flow.js';
import type { StateStore } from '../core/state-store.js';
import { nextRun } from './schedule.js';

const DAY_MS = 86_400_000;

/** The audit actor of scheduled reconciles and repairs. */
export const SCHEDULER_ACTOR = 'scheduler';

/**
 * When a flow's scheduled reconcile runs next: its `cron` or `every`, from the end of the last
 * reconcile recorded in the state store (by any process); undefined without a `reconcile:` schedule.
 */
export async function nextReconcile(
  state: StateStore,
  flow: Flow,
  now: number,
): Promise<{ dueAt: number; reason: string } | undefined> {
  const schedule = flow.reconcile;
  if (schedule === undefined) return undefined;
  const cadence: Cadence =
    schedule.cron === undefined
      ? { everyMs: schedule.everyMs ?? DAY_MS }
      : { cron: schedule.cron, ...(schedule.timezone === undefined ? {} : { timezone: schedule.timezone }) };
  const [last] = await state.listReconciliations({ flow: flow.name, limit: 1 });
  const lastAt = last === undefined ? undefined : Date.parse(last.finishedAt);
  const decision = nextRun(cadence, { lastSuccessAt: lastAt, lastEndedAt: lastAt }, now);
  return { dueAt: decision.dueAt, reason: decision.reason };
}
