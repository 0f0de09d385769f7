import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_SAFETY_POLL_MS, POLL_ONLY_INTERVAL_MS, safetyPollMs } from './schedule.js';
import { compileCadence } from '../config/cadence-schema.js';
import { RealtimeWakeup, safetyPoll, type WakeReason } from './realtime-wakeup.js';

describe('safetyPollMs', () => {
  it('uses the configured pollInterval whether or not change events arrive', () => {
    expect(safetyPollMs({ realtime: true, pollIntervalMs: 5_000 }, true)).toBe(5_000);
    expect(safetyPollMs({ realtime: true, pollIntervalMs: 5_000 }, false)).toBe(5_000);
  });

  it('defaults to one minute with change events and one second without', () => {
    expect(safetyPollMs({ realtime: true }, true)).toBe(EVENT_SAFETY_POLL_MS);
    expect(EVENT_SAFETY_POLL_MS).toBe(60_000);
    expect(safetyPollMs({ realtime: true }, false)).toBe(POLL_ONLY_INTERVAL_MS);
    expect(POLL_ONLY_INTERVAL_MS).toBe(1_000);
  });
});

describe('safetyPoll', () => {
  const ended = Date.parse('2026-11-11T00:00:00Z');
  const sale = { name: 'sale', every: '5s', from: '2026-11-11T00:00:00Z', to: '2026-11-11T01:00:00Z' };

  it('is due one poll interval after the cycle ended, outside peaks', () => {
    expect(safetyPoll(compileCadence({ realtime: true }), true, ended - 3_600_000)).toEqual({
      dueAt: ended - 3_600_000 + 60_000,
      reason: 'safety poll every 1m',
    });
  });

  it("uses an active peak's every instead of the safety poll", () => {
    expect(safetyPoll(compileCadence({ realtime: true, peaks: [sale] }), true, ended + 1_000)).toEqual({
      dueAt: ended + 6_000,
      reason: 'safety poll every 5s during peak "sale"',
    });
  });

  it('polls when a peak starts before the safety poll would', () => {
    expect(safetyPoll(compileCadence({ realtime: true, peaks: [sale] }), true, ended - 10_000).dueAt).toBe(
      ended,
    );
  });
});

describe('RealtimeWakeup', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Starts a wait and records when and why it ended. */
  function track(promise: Promise<WakeReason>): { reason?: WakeReason; at?: number } {
    const outcome: { reason?: WakeReason; at?: number } = {};
    void promise.then((reason) => {
      outcome.reason = reason;
      outcome.at = Date.now();
    });
    return outcome;
  }

  it('wakes on the safety poll when no event arrives', async () => {
    const wakeup = new RealtimeWakeup({ debounceMs: 20 });
    const outcome = track(wakeup.wait(Date.now() + 60_000, new AbortController().signal));
    await vi.advanceTimersByTimeAsync(59_999);
    expect(outcome.reason).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toEqual({ reason: 'poll', at: 1_060_000 });
  });

  it('wakes one debounce window after the first event of a burst, long before the poll', async () => {
    const wakeup = new RealtimeWakeup({ debounceMs: 20 });
    const outcome = track(wakeup.wait(Date.now() + 3_600_000, new AbortController().signal));
    await vi.advanceTimersByTimeAsync(100);
    wakeup.notify();
    await vi.advanceTimersByTimeAsync(10);
    wakeup.notify();
    await vi.advanceTimersByTimeAsync(9);
    expect(outcome.reason).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toEqual({ reason: 'event', at: 1_000_120 });
  });

  it('does not let a steady stream of events postpone the cycle (the window does not restart)', async () => {
    const wakeup = new RealtimeWakeup({ debounceMs: 20 });
    const outcome = track(wakeup.wait(Date.now() + 3_600_000, new AbortController().signal));
    for (let i = 0; i < 10; i++) {
      wakeup.notify();
      await vi.advanceTimersByTimeAsync(5);
    }
    expect(outcome).toEqual({ reason: 'event', at: 1_000_020 });
  });

  it('runs exactly one more cycle for any number of events that arrived while a cycle ran', async () => {
    const wakeup = new RealtimeWakeup({ debounceMs: 20 });
    wakeup.take(); // a cycle starts
    for (let i = 0; i < 50; i++) wakeup.notify(); // events during the cycle
    await vi.advanceTimersByTimeAsync(100); // the cycle ends after the window passed
    const first = track(wakeup.wait(Date.now() + 3_600_000, new AbortController().signal));
    await vi.advanceTimersByTimeAsync(0);
    expect(first.reason).toBe('event');

    wakeup.take(); // that one more cycle starts; no event after it
    const second = track(wakeup.wait(Date.now() + 3_600_000, new AbortController().signal));
    await vi.advanceTimersByTimeAsync(3_599_999);
    expect(second.reason).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(second.reason).toBe('poll');
  });

  it('keeps events that arrive during a pause after a failure until the pause ends', async () => {
    const wakeup = new RealtimeWakeup({ debounceMs: 20 });
    const notBefore = Date.now() + 1_000;
    const outcome = track(wakeup.wait(Date.now() + 60_000, new AbortController().signal, notBefore));
    wakeup.notify();
    await vi.advanceTimersByTimeAsync(999);
    expect(outcome.reason).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toEqual({ reason: 'event', at: notBefore });
  });

  it('ends the wait at once when stopped', async () => {
    const wakeup = new RealtimeWakeup();
    const stop = new AbortController();
    const outcome = track(wakeup.wait(Date.now() + 60_000, stop.signal));
    await vi.advanceTimersByTimeAsync(10);
    stop.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome).toEqual({ reason: 'stop', at: 1_000_010 });
  });
});
