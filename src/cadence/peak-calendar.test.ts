import { describe, expect, it } from 'vitest';
import { compileCadence, type Cadence, type CadenceInput } from '../config/cadence-schema.js';
import { activePeak, intervalDue, nextPeak, nextPeakChange } from './peak-calendar.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();
const nameAt = (cadence: Cadence, instant: string): string | undefined =>
  activePeak(cadence, at(instant))?.peak.name;

const double11Input = {
  every: '10m',
  timezone: 'Asia/Shanghai',
  peaks: [{ name: 'double11', every: '1m', from: '2026-11-10T20:00', to: '2026-11-12T02:00' }],
} satisfies CadenceInput;
const double11 = compileCadence(double11Input);

describe('activePeak', () => {
  it('finds an absolute peak in the cadence time zone, end excluded', () => {
    // 2026-11-10T20:00 to 2026-11-12T02:00 in Shanghai is 12:00Z on the 10th to 18:00Z on the 11th.
    expect(nameAt(double11, '2026-11-10T11:59:59Z')).toBeUndefined();
    const active = activePeak(double11, at('2026-11-10T12:00:00Z'));
    expect(active).toMatchObject({ intervalMs: 60_000 });
    expect([iso(active?.startMs), iso(active?.endMs)]).toEqual([
      '2026-11-10T12:00:00.000Z',
      '2026-11-11T18:00:00.000Z',
    ]);
    expect(nameAt(double11, '2026-11-11T17:59:59Z')).toBe('double11');
    expect(nameAt(double11, '2026-11-11T18:00:00Z')).toBeUndefined();
  });

  it('honours an explicit offset on an absolute peak over the cadence zone', () => {
    const cadence = compileCadence({
      every: '10m',
      timezone: 'Europe/Berlin',
      peaks: [{ name: 'launch', every: '1m', from: '2026-11-10T20:00+08:00', to: '2026-11-10T21:00+08:00' }],
    });
    expect(nameAt(cadence, '2026-11-10T12:30:00Z')).toBe('launch');
  });

  it('runs a recurring peak that crosses midnight into the next day, matched by its start day', () => {
    const cadence = compileCadence({
      every: '10m',
      timezone: 'Asia/Shanghai',
      peaks: [{ name: 'friday-night', every: '1m', days: ['fri'], between: '22:00-02:00' }],
    });
    // Friday 13 November 2026.
    expect(nameAt(cadence, '2026-11-13T13:59:00Z')).toBeUndefined(); // Fri 21:59
    expect(nameAt(cadence, '2026-11-13T14:00:00Z')).toBe('friday-night'); // Fri 22:00
    expect(nameAt(cadence, '2026-11-13T17:30:00Z')).toBe('friday-night'); // Sat 01:30
    expect(nameAt(cadence, '2026-11-13T18:00:00Z')).toBeUndefined(); // Sat 02:00
    expect(nameAt(cadence, '2026-11-14T14:30:00Z')).toBeUndefined(); // Sat 22:30
    expect(nameAt(cadence, '2026-11-12T17:30:00Z')).toBeUndefined(); // Fri 01:30 belongs to Thursday
  });

  it('follows weekday business hours across a daylight-saving switch', () => {
    const cadence = compileCadence({
      every: '4h',
      timezone: 'Europe/Berlin',
      peaks: [
        { name: 'office', every: '10m', days: ['mon', 'tue', 'wed', 'thu', 'fri'], between: '09:00-11:00' },
      ],
    });
    // Friday 27 March (CET, UTC+1) and Monday 30 March 2026 (CEST, UTC+2).
    expect(nameAt(cadence, '2026-03-27T08:00:00Z')).toBe('office');
    expect(nameAt(cadence, '2026-03-27T07:30:00Z')).toBeUndefined();
    expect(nameAt(cadence, '2026-03-28T08:30:00Z')).toBeUndefined(); // Saturday
    expect(nameAt(cadence, '2026-03-30T07:00:00Z')).toBe('office');
    expect(nameAt(cadence, '2026-03-30T09:00:00Z')).toBeUndefined();
    expect(iso(nextPeak(cadence, at('2026-03-27T10:00:00Z'))?.startMs)).toBe('2026-03-30T07:00:00.000Z');
  });

  it('spans a peak that crosses midnight over the spring-forward and fall-back nights in New York', () => {
    const cadence = compileCadence({
      every: '15m',
      timezone: 'America/New_York',
      peaks: [{ name: 'night', every: '1m', between: '23:00-03:00' }],
    });
    // Sat 7 March 23:00 EST (04:00Z) to Sun 8 March 03:00 EDT (07:00Z): three real hours.
    const spring = activePeak(cadence, at('2026-03-08T06:30:00Z'));
    expect([iso(spring?.startMs), iso(spring?.endMs)]).toEqual([
      '2026-03-08T04:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
    ]);
    // Sat 31 October 23:00 EDT (03:00Z) to Sun 1 November 03:00 EST (08:00Z): five real hours,
    // the repeated 01:00-02:00 included.
    const fall = activePeak(cadence, at('2026-11-01T06:30:00Z'));
    expect([iso(fall?.startMs), iso(fall?.endMs)]).toEqual([
      '2026-11-01T03:00:00.000Z',
      '2026-11-01T08:00:00.000Z',
    ]);
  });

  it('counts month days from the end of the month with negative numbers', () => {
    const cadence = compileCadence({
      every: '1h',
      timezone: 'Asia/Shanghai',
      peaks: [{ name: 'close', every: '5m', monthDays: [-1, -2] }],
    });
    const localNoon = (date: string): string => `${date}T04:00:00Z`;
    expect(nameAt(cadence, localNoon('2026-02-26'))).toBeUndefined();
    expect(nameAt(cadence, localNoon('2026-02-27'))).toBe('close');
    expect(nameAt(cadence, localNoon('2026-02-28'))).toBe('close');
    expect(nameAt(cadence, localNoon('2026-03-01'))).toBeUndefined();
    expect(nameAt(cadence, localNoon('2028-02-28'))).toBe('close');
    expect(nameAt(cadence, localNoon('2028-02-29'))).toBe('close');
    expect(nameAt(cadence, localNoon('2026-04-29'))).toBe('close');
    expect(nameAt(cadence, localNoon('2026-04-28'))).toBeUndefined();
    // The whole local day: 30 April 00:00 in Shanghai is 29 April 16:00Z.
    expect(nameAt(cadence, '2026-04-30T15:59:59Z')).toBe('close');
    expect(nameAt(cadence, '2026-04-30T16:00:00Z')).toBeUndefined();
  });

  it('applies days and monthDays together', () => {
    const cadence = compileCadence({
      every: '1h',
      timezone: 'UTC',
      peaks: [{ name: 'monday-month-end', every: '5m', days: ['mon'], monthDays: [-1] }],
    });
    expect(nameAt(cadence, '2026-11-30T12:00:00Z')).toBe('monday-month-end'); // a Monday, last day
    expect(nameAt(cadence, '2026-12-31T12:00:00Z')).toBeUndefined(); // a Thursday
  });

  it('picks the first listed peak when peaks overlap', () => {
    const cadence = compileCadence({
      ...double11Input,
      peaks: [{ name: 'evening', every: '2m', between: '19:00-23:00' }, ...double11Input.peaks],
    });
    expect(nameAt(cadence, '2026-11-10T12:30:00Z')).toBe('evening'); // 20:30 local
    expect(nameAt(cadence, '2026-11-10T15:30:00Z')).toBe('double11'); // 23:30 local
  });
});

describe('nextPeakChange and intervalDue', () => {
  it('finds the next start or end of a peak', () => {
    expect(iso(nextPeakChange(double11, at('2026-11-01T00:00:00Z')))).toBe('2026-11-10T12:00:00.000Z');
    expect(iso(nextPeakChange(double11, at('2026-11-10T12:00:00Z')))).toBe('2026-11-11T18:00:00.000Z');
    expect(nextPeakChange(double11, at('2026-11-11T18:00:00Z'))).toBeUndefined();
  });

  it('pulls a cycle forward to the start of a peak that begins before the base interval ends', () => {
    const last = at('2026-11-10T11:55:00Z');
    expect(iso(intervalDue(double11, last, last, 600_000)?.dueAt)).toBe('2026-11-10T12:00:00.000Z');
    const justBefore = at('2026-11-10T11:59:30Z');
    expect(iso(intervalDue(double11, justBefore, justBefore, 600_000)?.dueAt)).toBe(
      '2026-11-10T12:00:30.000Z',
    );
  });

  it('hands back to the base interval when the peak ends first', () => {
    const last = at('2026-11-11T17:59:30Z');
    const due = intervalDue(double11, last, last, 600_000);
    expect(iso(due?.dueAt)).toBe('2026-11-11T18:09:30.000Z');
    expect(due?.peak).toBeUndefined();
  });

  it('finds nothing before the limit when only a far peak has an interval', () => {
    const last = at('2026-11-01T00:00:00Z');
    expect(intervalDue(double11, last, last, undefined, at('2026-11-02T00:00:00Z'))).toBeUndefined();
    expect(iso(intervalDue(double11, last, last, undefined)?.dueAt)).toBe('2026-11-10T12:00:00.000Z');
  });
});
