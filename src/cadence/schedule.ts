import { Cron } from 'croner';
import type { CadenceConfig } from '../config/config-schema.js';
import { formatDuration, parseDurationMs } from '../config/duration.js';

/** When a flow should run next, and why (shown by `status` and in logs). */
export interface ScheduleDecision {
  /** Epoch milliseconds. */
  readonly dueAt: number;
  readonly trigger: 'start' | 'schedule' | 'catch-up';
  readonly reason: string;
}

/** What the scheduler knows about a flow's history. */
export interface FlowHistory {
  /** When the last successful cycle started (epoch ms), if any. */
  readonly lastSuccessAt: number | undefined;
  /** When the previous cycle of this process ended (epoch ms), if any. */
  readonly lastEndedAt: number | undefined;
}

const DEFAULT_POLL_MS = 1_000;

/** The polling interval of an `every` or `realtime` cadence, in milliseconds; undefined for cron. */
export function intervalMs(cadence: CadenceConfig): number | undefined {
  if (cadence.every !== undefined) return parseDurationMs(cadence.every);
  if (cadence.realtime === true)
    return cadence.pollInterval === undefined ? DEFAULT_POLL_MS : parseDurationMs(cadence.pollInterval);
  return undefined;
}

function cronOf(cadence: CadenceConfig): Cron {
  return new Cron(cadence.cron ?? '', {
    paused: true,
    ...(cadence.timezone === undefined ? {} : { timezone: cadence.timezone }),
  });
}

/** Whether a cron expression is valid; the message says what is wrong otherwise. */
export function checkCron(expression: string, timezone?: string): string | undefined {
  try {
    new Cron(expression, { paused: true, ...(timezone === undefined ? {} : { timezone }) });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Decides when a flow runs next. `every` and `realtime`: at once when the process starts (a
 * catch-up when the last success is older than the interval), then one interval after the
 * previous cycle ended. `cron`: at the next cron time, or at once when a cron time passed since
 * the last success while Syncline was down (or the flow never ran).
 */
export function nextRun(cadence: CadenceConfig, history: FlowHistory, now: number): ScheduleDecision {
  const interval = intervalMs(cadence);
  if (interval !== undefined) {
    if (history.lastEndedAt !== undefined) {
      return {
        dueAt: history.lastEndedAt + interval,
        trigger: 'schedule',
        reason: `every ${formatDuration(interval)} after the previous cycle`,
      };
    }
    if (history.lastSuccessAt !== undefined && now - history.lastSuccessAt > interval) {
      return {
        dueAt: now,
        trigger: 'catch-up',
        reason: `last success was ${formatDuration(now - history.lastSuccessAt)} ago, more than the ${formatDuration(interval)} interval`,
      };
    }
    return { dueAt: now, trigger: 'start', reason: 'runs when Syncline starts' };
  }
  const cron = cronOf(cadence);
  const zone = cadence.timezone === undefined ? '' : ` (${cadence.timezone})`;
  if (history.lastEndedAt === undefined) {
    if (history.lastSuccessAt === undefined)
      return { dueAt: now, trigger: 'start', reason: 'never synced yet; runs at once' };
    const missed = cron.nextRun(new Date(history.lastSuccessAt));
    if (missed !== null && missed.getTime() <= now) {
      return {
        dueAt: now,
        trigger: 'catch-up',
        reason: `cron time ${missed.toISOString()} passed while Syncline was down`,
      };
    }
  }
  const next = cron.nextRun(new Date(Math.max(now, history.lastEndedAt ?? 0)));
  if (next === null)
    return {
      dueAt: Number.POSITIVE_INFINITY,
      trigger: 'schedule',
      reason: `cron "${cadence.cron ?? ''}" has no future time`,
    };
  return { dueAt: next.getTime(), trigger: 'schedule', reason: `cron "${cadence.cron ?? ''}"${zone}` };
}
