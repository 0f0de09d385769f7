import { intervalDue } from './peak-calendar.js';
import { safetyPollMs } from './schedule.js';
import type { Cadence } from '../config/cadence-schema.js';
import { formatDuration } from '../config/duration.js';

/** How long the first change event waits for others before its cycle starts, by default. */
export const DEFAULT_EVENT_DEBOUNCE_MS = 20;

/**
 * When a realtime flow's safety poll is due after a cycle that ended at `endedAt`: its poll
 * interval (`safetyPollMs`), or an active peak's `every`, which replaces it (docs/cadence.md).
 */
export function safetyPoll(
  cadence: Cadence,
  hasChangeEvents: boolean,
  endedAt: number,
): { dueAt: number; reason: string } {
  const baseMs = safetyPollMs(cadence, hasChangeEvents);
  const due = intervalDue(cadence, endedAt, endedAt, baseMs);
  if (due?.peak === undefined)
    return { dueAt: due?.dueAt ?? endedAt + baseMs, reason: `safety poll every ${formatDuration(baseMs)}` };
  return {
    dueAt: due.dueAt,
    reason: `safety poll every ${formatDuration(due.peak.intervalMs)} during peak "${due.peak.peak.name}"`,
  };
}

/** Why a realtime flow woke up. */
export type WakeReason = 'event' | 'poll' | 'stop';

/** setTimeout cannot wait longer than ~24.8 days. */
const MAX_TIMER_MS = 2_147_000_000;

/**
 * Coalesces the change events of one realtime flow. The first event of a burst opens a window of
 * `debounceMs`; events inside it join it, and the cycle starts when it closes — a fixed window, not
 * one that restarts with each event, so a steady stream cannot postpone the cycle for ever. Events
 * that arrive while a cycle runs are kept: the flow then runs exactly one more cycle, since the
 * running one may have read before those changes committed.
 */
export class RealtimeWakeup {
  readonly #debounceMs: number;
  readonly #now: () => number;
  /** When the oldest event not yet served by a cycle arrived (epoch ms). */
  #pendingSince: number | undefined;
  #wake: (() => void) | undefined;

  constructor(options: { readonly debounceMs?: number; readonly now?: () => number } = {}) {
    this.#debounceMs = options.debounceMs ?? DEFAULT_EVENT_DEBOUNCE_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Whether an event is waiting for a cycle. */
  get hasPending(): boolean {
    return this.#pendingSince !== undefined;
  }

  /** A change event arrived. */
  notify(): void {
    // Only the first event of a burst moves the wake-up time; the rest join its window.
    if (this.#pendingSince !== undefined) return;
    this.#pendingSince = this.#now();
    this.#wake?.();
  }

  /** A cycle starts: it serves every event so far. Later events call for another cycle. */
  take(): void {
    this.#pendingSince = undefined;
  }

  /**
   * Waits for a debounced event, the safety poll's `deadline`, or `stop`. Events before
   * `notBefore` (a pause after a failed cycle) are kept but wait until then.
   */
  async wait(deadline: number, stop: AbortSignal, notBefore = 0): Promise<WakeReason> {
    for (;;) {
      if (stop.aborted) return 'stop';
      const now = this.#now();
      const eventDue =
        this.#pendingSince === undefined
          ? Infinity
          : Math.max(this.#pendingSince + this.#debounceMs, notBefore);
      if (eventDue <= now) return 'event';
      if (deadline <= now) return this.#pendingSince === undefined ? 'poll' : 'event';
      await this.#sleep(Math.min(eventDue, deadline) - now, stop);
    }
  }

  /** Sleeps `ms`, or less when an event arrives or `stop` aborts. */
  #sleep(ms: number, stop: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
      stop.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }
}
