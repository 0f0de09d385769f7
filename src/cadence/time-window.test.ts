import { describe, expect, it } from 'vitest';
import { dailyWindow } from '../config/cadence-schema.js';
import { isInWindow, nextWindowOpen, occurrenceOn, type TimeWindow } from './time-window.js';

const at = (iso: string): number => Date.parse(iso);
/** A window as the config compiles it. */
const daily = (text: string): TimeWindow => dailyWindow.parse(text);
const iso = (ms: number): string => new Date(ms).toISOString();

describe('daily time windows', () => {
  it('contains its start but not its end', () => {
    // 01:00-05:00 in Shanghai is 17:00-21:00 UTC the day before.
    expect(isInWindow(daily('01:00-05:00'), 'Asia/Shanghai', at('2026-11-25T17:00:00Z'))).toBe(true);
    expect(isInWindow(daily('01:00-05:00'), 'Asia/Shanghai', at('2026-11-25T20:59:59Z'))).toBe(true);
    expect(isInWindow(daily('01:00-05:00'), 'Asia/Shanghai', at('2026-11-25T21:00:00Z'))).toBe(false);
    expect(isInWindow(daily('01:00-05:00'), 'Asia/Shanghai', at('2026-11-25T16:59:59Z'))).toBe(false);
  });

  it('crosses midnight when the end is not after the start', () => {
    const window = daily('22:00-02:00');
    expect(isInWindow(window, 'Asia/Shanghai', at('2026-11-25T14:00:00Z'))).toBe(true); // 22:00
    expect(isInWindow(window, 'Asia/Shanghai', at('2026-11-25T17:30:00Z'))).toBe(true); // 01:30 next day
    expect(isInWindow(window, 'Asia/Shanghai', at('2026-11-25T18:00:00Z'))).toBe(false); // 02:00
    expect(isInWindow(window, 'Asia/Shanghai', at('2026-11-25T13:59:00Z'))).toBe(false); // 21:59
  });

  it('opens at once inside the window, else at the next start', () => {
    expect(nextWindowOpen(daily('01:00-05:00'), 'Asia/Shanghai', at('2026-11-25T18:00:00Z'))).toBe(
      at('2026-11-25T18:00:00Z'),
    );
    expect(iso(nextWindowOpen(daily('01:00-05:00'), 'Asia/Shanghai', at('2026-11-25T21:00:00Z')))).toBe(
      '2026-11-26T17:00:00.000Z',
    );
    expect(iso(nextWindowOpen(daily('22:00-02:00'), 'Asia/Shanghai', at('2026-11-25T18:00:00Z')))).toBe(
      '2026-11-26T14:00:00.000Z',
    );
  });

  it('opens a window whose start falls in the spring-forward gap at the end of the gap', () => {
    // Berlin, 29 March 2026 has no 02:00-03:00; the window opens at 03:00 CEST (01:00 UTC).
    const occurrence = occurrenceOn(daily('02:00-04:00'), 'Europe/Berlin', {
      year: 2026,
      month: 3,
      day: 29,
    });
    expect([iso(occurrence.startMs), iso(occurrence.endMs)]).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
    ]);
    expect(iso(nextWindowOpen(daily('02:00-04:00'), 'Europe/Berlin', at('2026-03-28T23:00:00Z')))).toBe(
      '2026-03-29T01:00:00.000Z',
    );
  });

  it('starts an ambiguous window at the first occurrence and keeps the repeated hour inside', () => {
    // Berlin, 25 October 2026: 02:00-03:00 happens twice; 02:30 CEST is 00:30 UTC, 03:30 CET is 02:30 UTC.
    const occurrence = occurrenceOn(daily('02:30-03:30'), 'Europe/Berlin', {
      year: 2026,
      month: 10,
      day: 25,
    });
    expect([iso(occurrence.startMs), iso(occurrence.endMs)]).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T02:30:00.000Z',
    ]);
    expect(isInWindow(daily('02:30-03:30'), 'Europe/Berlin', at('2026-10-25T01:45:00Z'))).toBe(true); // 02:45 CET
  });
});
