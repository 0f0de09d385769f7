import { describe, expect, it } from 'vitest';
import { dailySpans, offsetMs } from './zoned-spans';

describe('cadence timeline shading', () => {
  it('knows a zone’s offset from UTC', () => {
    expect(offsetMs(Date.parse('2026-12-03T00:00:00Z'), 'Asia/Shanghai')).toBe(8 * 3_600_000);
    expect(offsetMs(Date.parse('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * 3_600_000);
  });

  it('places a daily window at its wall-clock time in the zone, each day of the range', () => {
    const from = Date.parse('2026-12-02T00:00:00Z');
    const to = Date.parse('2026-12-04T00:00:00Z');
    const spans = dailySpans({ startMinute: 9 * 60, endMinute: 11 * 60 }, 'Asia/Shanghai', from, to, 'peak');
    expect(spans.map((span) => [new Date(span.from).toISOString(), new Date(span.to).toISOString()])).toEqual(
      [
        ['2026-12-02T01:00:00.000Z', '2026-12-02T03:00:00.000Z'],
        ['2026-12-03T01:00:00.000Z', '2026-12-03T03:00:00.000Z'],
      ],
    );
  });

  it('clips a window that crosses midnight to the range', () => {
    const from = Date.parse('2026-12-03T00:00:00Z');
    const to = Date.parse('2026-12-03T12:00:00Z');
    const spans = dailySpans({ startMinute: 22 * 60, endMinute: 2 * 60 }, 'UTC', from, to, 'window');
    expect(spans.map((span) => [new Date(span.from).toISOString(), new Date(span.to).toISOString()])).toEqual(
      [['2026-12-03T00:00:00.000Z', '2026-12-03T02:00:00.000Z']],
    );
  });

  it('shades a peak only on its days of the week', () => {
    const from = Date.parse('2026-11-30T00:00:00Z'); // a Monday
    const to = Date.parse('2026-12-07T00:00:00Z');
    const spans = dailySpans({ startMinute: 600, endMinute: 720 }, 'UTC', from, to, 'peak', ['mon', 'fri']);
    expect(spans.map((span) => new Date(span.from).toISOString())).toEqual([
      '2026-11-30T10:00:00.000Z',
      '2026-12-04T10:00:00.000Z',
    ]);
  });
});
