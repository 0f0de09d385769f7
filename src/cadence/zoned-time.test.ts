import { describe, expect, it } from 'vitest';
import { parseDateTimeText } from '../config/calendar-text.js';
import {
  addDays,
  epochOfWallTime,
  formatInZone,
  offsetMsAt,
  epochOfDateTime,
  wallTimeAt,
  weekdayOf,
} from './zoned-time.js';

const at = (iso: string): number => Date.parse(iso);
/** A date-time text as the config parses it, then placed in a zone. */
const parseLocalDateTime = (text: string, zone: string): number | undefined => {
  const parsed = parseDateTimeText(text);
  return parsed === undefined ? undefined : epochOfDateTime(parsed, zone);
};

describe('zoned time', () => {
  it('reads wall-clock time and offset in a zone', () => {
    expect(wallTimeAt(at('2026-11-10T12:00:00Z'), 'Asia/Shanghai')).toEqual({
      year: 2026,
      month: 11,
      day: 10,
      hour: 20,
      minute: 0,
      second: 0,
    });
    expect(offsetMsAt(at('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * 3_600_000);
    expect(offsetMsAt(at('2026-01-01T00:00:00Z'), 'America/New_York')).toBe(-5 * 3_600_000);
  });

  it('moves a wall time in a spring-forward gap forward by the length of the gap', () => {
    // Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
    const wall = { year: 2026, month: 3, day: 29, hour: 2, minute: 30 };
    expect(formatInZone(epochOfWallTime(wall, 'Europe/Berlin'), 'Europe/Berlin')).toBe(
      '2026-03-29T03:30+02:00',
    );
    // New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT.
    expect(
      new Date(
        epochOfWallTime({ year: 2026, month: 3, day: 8, hour: 2, minute: 0 }, 'America/New_York'),
      ).toISOString(),
    ).toBe('2026-03-08T07:00:00.000Z');
  });

  it('takes the first occurrence of a wall time that a fall-back switch repeats', () => {
    // Berlin, 25 October 2026: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    const wall = { year: 2026, month: 10, day: 25, hour: 2, minute: 30 };
    expect(new Date(epochOfWallTime(wall, 'Europe/Berlin')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // New York, 1 November 2026: 01:30 happens in EDT, then again in EST.
    expect(
      new Date(
        epochOfWallTime({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York'),
      ).toISOString(),
    ).toBe('2026-11-01T05:30:00.000Z');
  });

  it('parses a local date-time in the zone, or with its own offset', () => {
    expect(parseLocalDateTime('2026-11-10T20:00', 'Asia/Shanghai')).toBe(at('2026-11-10T12:00:00Z'));
    expect(parseLocalDateTime('2026-11-10T20:00:30', 'Asia/Shanghai')).toBe(at('2026-11-10T12:00:30Z'));
    expect(parseLocalDateTime('2026-11-10T20:00+01:00', 'Asia/Shanghai')).toBe(at('2026-11-10T19:00:00Z'));
    expect(parseLocalDateTime('2026-11-10T20:00Z', 'Asia/Shanghai')).toBe(at('2026-11-10T20:00:00Z'));
    expect(parseLocalDateTime('2026-02-30T20:00', 'Asia/Shanghai')).toBeUndefined();
    expect(parseLocalDateTime('2026-11-10 20:00', 'Asia/Shanghai')).toBeUndefined();
  });

  it('formats an instant as wall time with the offset of that moment', () => {
    expect(formatInZone(at('2026-11-11T18:00:00Z'), 'Asia/Shanghai')).toBe('2026-11-12T02:00+08:00');
    expect(formatInZone(at('2026-11-01T06:30:15Z'), 'America/New_York')).toBe('2026-11-01T01:30:15-05:00');
  });

  it('does calendar arithmetic across month and year ends', () => {
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
    expect(addDays({ year: 2028, month: 3, day: 1 }, -1)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(weekdayOf({ year: 2026, month: 11, day: 13 })).toBe(5);
  });
});
