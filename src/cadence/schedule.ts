import { Cron } from 'croner';
import type { Cadence, DailyWindow } from '../config/cadence-schema.js';
import { formatDuration } from '../config/duration.js';
import { activePeak, cadenceTimeZone, intervalDue, type ActivePeak } from './peak-calendar.js';
import { nextWindowOpen } from './time-window.js';
import { formatInZone } from './zoned-time.js';

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

/** Safety poll of a realtime flow whose source sends change events (its trigger is installed). */
export const EVENT_SAFETY_POLL_MS = 60_000;

/** Poll interval of a realtime flow without change events: polling is all it has. */
export const POLL_ONLY_INTERVAL_MS = 1_000;

/**
 * How often a realtime flow polls when no event woke it: `pollIntervalMs` when the config gives
 * one; otherwise 1 minute while change events arrive (the poll only bounds the latency of a
 * missed event) and 1 second without them (the poll is the only trigger).
 */
export function safetyPollMs(cadence: Cadence, hasChangeEvents: boolean): number {
  if (cadence.pollIntervalMs !== undefined) return cadence.pollIntervalMs;
  return hasChangeEvents ? EVENT_SAFETY_POLL_MS : POLL_ONLY_INTERVAL_MS;
}

/**
 * The polling interval of an `every` or `realtime` cadence, in milliseconds; undefined for cron.
 * A realtime flow counts as polling only (its change events are not known here).
 */
export function intervalMs(cadence: Cadence): number | undefined {
  if (cadence.everyMs !== undefined) return cadence.everyMs;
  if (cadence.realtime === true) return safetyPollMs(cadence, false);
  return undefined;
}

function cronOf(cadence: Cadence): Cron {
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
 *
 * Calendar: while a peak is active its `every` is the interval (for cron flows it runs beside the
 * cron times; for realtime flows it is the safety poll), see `intervalDue`. A `window` holds back
 * an `every` or `cron` flow whose cycle falls due outside it until the window opens. The reason
 * names the peak or window; the trigger stays `start`, `schedule` or `catch-up`.
 */
export function nextRun(cadence: Cadence, history: FlowHistory, now: number): ScheduleDecision {
  const decision =
    cadence.cron === undefined ? nextIntervalRun(cadence, history, now) : nextCronRun(cadence, history, now);
  return cadence.window === undefined || cadence.realtime === true
    ? decision
    : holdForWindow(decision, cadence, cadence.window, now);
}

function hasPeaks(cadence: Cadence): boolean {
  return (cadence.peaks?.length ?? 0) > 0;
}

/** `peak "double11" (every 1m) until 2026-11-12T02:00+08:00`, with `from …` when it has not begun at `now`. */
function describePeak(active: ActivePeak, cadence: Cadence, now: number): string {
  const zone = cadenceTimeZone(cadence);
  const from = active.startMs > now ? ` from ${formatInZone(active.startMs, zone)}` : '';
  return `peak "${active.peak.name}" (every ${formatDuration(active.intervalMs)})${from} until ${formatInZone(active.endMs, zone)}`;
}

function catchUpReason(
  lastSuccessAt: number,
  interval: number,
  peak: string | undefined,
  now: number,
): string {
  const of = peak === undefined ? '' : ` of ${peak}`;
  return `last success was ${formatDuration(now - lastSuccessAt)} ago, more than the ${formatDuration(interval)} interval${of}`;
}

function nextIntervalRun(cadence: Cadence, history: FlowHistory, now: number): ScheduleDecision {
  const base = intervalMs(cadence) ?? POLL_ONLY_INTERVAL_MS;
  const baseReason = `every ${formatDuration(base)} after the previous cycle`;
  if (history.lastEndedAt !== undefined) {
    if (!hasPeaks(cadence))
      return { dueAt: history.lastEndedAt + base, trigger: 'schedule', reason: baseReason };
    const due = intervalDue(cadence, history.lastEndedAt, now, base) ?? {
      dueAt: history.lastEndedAt + base,
      peak: undefined,
    };
    const reason = due.peak === undefined ? baseReason : describePeak(due.peak, cadence, now);
    return { dueAt: due.dueAt, trigger: 'schedule', reason };
  }
  const peak = hasPeaks(cadence) ? activePeak(cadence, now) : undefined;
  const interval = peak?.intervalMs ?? base;
  if (history.lastSuccessAt !== undefined && now - history.lastSuccessAt > interval) {
    const peakText = peak === undefined ? undefined : describePeak(peak, cadence, now);
    return {
      dueAt: now,
      trigger: 'catch-up',
      reason: catchUpReason(history.lastSuccessAt, interval, peakText, now),
    };
  }
  return { dueAt: now, trigger: 'start', reason: 'runs when Syncline starts' };
}

function nextCronRun(cadence: Cadence, history: FlowHistory, now: number): ScheduleDecision {
  const cron = cronOf(cadence);
  const zone = cadence.timezone === undefined ? '' : ` (${cadence.timezone})`;
  if (history.lastEndedAt === undefined) {
    if (history.lastSuccessAt === undefined)
      return { dueAt: now, trigger: 'start', reason: 'never synced yet; runs at once' };
    const peak = hasPeaks(cadence) ? activePeak(cadence, now) : undefined;
    if (peak !== undefined && now - history.lastSuccessAt > peak.intervalMs) {
      return {
        dueAt: now,
        trigger: 'catch-up',
        reason: catchUpReason(history.lastSuccessAt, peak.intervalMs, describePeak(peak, cadence, now), now),
      };
    }
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
  const cronDueAt = next === null ? Number.POSITIVE_INFINITY : next.getTime();
  const last = history.lastEndedAt ?? history.lastSuccessAt;
  if (last !== undefined && hasPeaks(cadence)) {
    const due = intervalDue(cadence, last, now, undefined, cronDueAt);
    if (due?.peak !== undefined)
      return { dueAt: due.dueAt, trigger: 'schedule', reason: describePeak(due.peak, cadence, now) };
  }
  if (next === null)
    return {
      dueAt: Number.POSITIVE_INFINITY,
      trigger: 'schedule',
      reason: `cron "${cadence.cron ?? ''}" has no future time`,
    };
  return { dueAt: cronDueAt, trigger: 'schedule', reason: `cron "${cadence.cron ?? ''}"${zone}` };
}

/** Moves a decision that falls outside the window to the window's next opening. */
function holdForWindow(
  decision: ScheduleDecision,
  cadence: Cadence,
  window: DailyWindow,
  now: number,
): ScheduleDecision {
  const zone = cadenceTimeZone(cadence);
  const at = Math.max(decision.dueAt, now);
  if (!Number.isFinite(at)) return decision;
  const opensAt = nextWindowOpen(window, zone, at);
  if (opensAt === at)
    return { ...decision, reason: `${decision.reason}; inside window ${window.text} (${zone})` };
  return {
    ...decision,
    dueAt: opensAt,
    reason: `waiting for window ${window.text} (${zone}); ${decision.reason}`,
  };
}

/**
 * The interval in force at an instant, in ms: an active peak's `every`, else the base interval
 * of an `every` or `realtime` cadence; undefined for a cron flow outside peaks.
 */
export function intervalMsAt(cadence: Cadence, atMs: number): number | undefined {
  return activePeak(cadence, atMs)?.intervalMs ?? intervalMs(cadence);
}
