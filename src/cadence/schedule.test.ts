import { describe, expect, it } from 'vitest';
import { compileCadence, type CadenceInput } from '../config/cadence-schema.js';
import { nextRun } from './schedule.js';

const T = Date.parse('2026-11-25T10:00:00Z');

describe('nextRun', () => {
  it('runs an every-flow when Syncline starts, then one interval after the previous cycle ended', () => {
    expect(
      nextRun(compileCadence({ every: '5m' }), { lastSuccessAt: T - 60_000, lastEndedAt: undefined }, T),
    ).toMatchObject({
      dueAt: T,
      trigger: 'start',
    });
    expect(
      nextRun(compileCadence({ every: '5m' }), { lastSuccessAt: T, lastEndedAt: T + 1_000 }, T + 2_000),
    ).toMatchObject({
      dueAt: T + 301_000,
      trigger: 'schedule',
    });
  });
  it('catches up at once after a restart when the last success is older than the interval', () => {
    expect(
      nextRun(compileCadence({ every: '5m' }), { lastSuccessAt: T - 3_600_000, lastEndedAt: undefined }, T),
    ).toMatchObject({ dueAt: T, trigger: 'catch-up' });
  });
  it('waits for the next cron time in the configured zone', () => {
    // 02:00 in Shanghai is 18:00 UTC the day before.
    const decision = nextRun(
      { cron: '0 2 * * *', timezone: 'Asia/Shanghai' },
      { lastSuccessAt: T - 3_600_000, lastEndedAt: undefined },
      T,
    );
    expect(new Date(decision.dueAt).toISOString()).toBe('2026-11-25T18:00:00.000Z');
    expect(decision.trigger).toBe('schedule');
  });
  it('catches up at once when a cron time passed while Syncline was down', () => {
    const decision = nextRun(
      { cron: '0 2 * * *', timezone: 'Asia/Shanghai' },
      { lastSuccessAt: T - 2 * 86_400_000, lastEndedAt: undefined },
      T,
    );
    expect(decision).toMatchObject({ dueAt: T, trigger: 'catch-up' });
  });
  it('runs a cron flow that never synced at once', () => {
    expect(
      nextRun(compileCadence({ cron: '0 2 * * *' }), { lastSuccessAt: undefined, lastEndedAt: undefined }, T),
    ).toMatchObject({ dueAt: T, trigger: 'start' });
  });
  it('polls a realtime flow every second by default', () => {
    expect(
      nextRun(compileCadence({ realtime: true }), { lastSuccessAt: T, lastEndedAt: T }, T),
    ).toMatchObject({
      dueAt: T + 1_000,
    });
  });
});

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const after = (endedIso: string) => ({ lastSuccessAt: at(endedIso), lastEndedAt: at(endedIso) });

describe('nextRun with peaks', () => {
  const stock = compileCadence({
    every: '10m',
    timezone: 'Asia/Shanghai',
    peaks: [{ name: 'double11', every: '1m', from: '2026-11-10T20:00', to: '2026-11-12T02:00' }],
  });

  it('runs at the start of a peak that begins before the base interval ends, and names it', () => {
    const decision = nextRun(stock, after('2026-11-10T11:55:00Z'), at('2026-11-10T11:55:00Z'));
    expect(iso(decision.dueAt)).toBe('2026-11-10T12:00:00.000Z');
    expect(decision.trigger).toBe('schedule');
    expect(decision.reason).toBe(
      'peak "double11" (every 1m) from 2026-11-10T20:00+08:00 until 2026-11-12T02:00+08:00',
    );
  });

  it("uses the peak's interval while it is active", () => {
    const decision = nextRun(stock, after('2026-11-11T03:00:00Z'), at('2026-11-11T03:00:00Z'));
    expect(iso(decision.dueAt)).toBe('2026-11-11T03:01:00.000Z');
    expect(decision.reason).toBe('peak "double11" (every 1m) until 2026-11-12T02:00+08:00');
  });

  it('returns to the base interval after the peak ends', () => {
    const decision = nextRun(stock, after('2026-11-11T17:59:30Z'), at('2026-11-11T17:59:30Z'));
    expect(iso(decision.dueAt)).toBe('2026-11-11T18:09:30.000Z');
    expect(decision.reason).toBe('every 10m after the previous cycle');
  });

  it("catches up after a restart when the last success is older than the active peak's interval", () => {
    const now = at('2026-11-11T03:00:00Z');
    const decision = nextRun(stock, { lastSuccessAt: now - 3 * 60_000, lastEndedAt: undefined }, now);
    expect(decision).toMatchObject({ dueAt: now, trigger: 'catch-up' });
    expect(decision.reason).toBe(
      'last success was 3m ago, more than the 1m interval of peak "double11" (every 1m) until 2026-11-12T02:00+08:00',
    );
  });

  it('starts weekday business-hour peaks at 09:00 local time after the daylight-saving switch', () => {
    const cadence = compileCadence({
      every: '4h',
      timezone: 'Europe/Berlin',
      peaks: [
        { name: 'office', every: '10m', days: ['mon', 'tue', 'wed', 'thu', 'fri'], between: '09:00-11:00' },
      ],
    });
    // Monday 30 March 2026, 07:00 CEST: 09:00 CEST is 07:00 UTC (it was 08:00 UTC the Friday before).
    const decision = nextRun(cadence, after('2026-03-30T05:00:00Z'), at('2026-03-30T05:00:00Z'));
    expect(iso(decision.dueAt)).toBe('2026-03-30T07:00:00.000Z');
    expect(decision.reason).toContain('peak "office" (every 10m)');
  });

  it("sets a realtime flow's safety poll while a peak is active", () => {
    const cadence = compileCadence({
      realtime: true,
      pollInterval: '1m',
      timezone: 'Asia/Shanghai',
      peaks: [{ name: 'double11', every: '5s', from: '2026-11-10T20:00', to: '2026-11-12T02:00' }],
    });
    const inPeak = nextRun(cadence, after('2026-11-11T03:00:00Z'), at('2026-11-11T03:00:00Z'));
    expect(iso(inPeak.dueAt)).toBe('2026-11-11T03:00:05.000Z');
    expect(inPeak.reason).toBe('peak "double11" (every 5s) until 2026-11-12T02:00+08:00');
    expect(iso(nextRun(cadence, after('2026-11-01T03:00:00Z'), at('2026-11-01T03:00:00Z')).dueAt)).toBe(
      '2026-11-01T03:01:00.000Z',
    );
  });

  it('runs a cron flow on a month-end peak between its cron times, then on cron again', () => {
    const customers = compileCadence({
      cron: '0 2 * * *',
      timezone: 'Asia/Shanghai',
      peaks: [{ name: 'close', every: '1h', monthDays: [-1] }],
    });
    // 30 November is the last day of the month; in Shanghai it ends at 16:00Z.
    const inPeak = nextRun(customers, after('2026-11-30T00:00:00Z'), at('2026-11-30T00:00:00Z'));
    expect(iso(inPeak.dueAt)).toBe('2026-11-30T01:00:00.000Z');
    expect(inPeak.reason).toBe('peak "close" (every 1h) until 2026-12-01T00:00+08:00');
    const lastHour = nextRun(customers, after('2026-11-30T15:30:00Z'), at('2026-11-30T15:30:00Z'));
    expect(iso(lastHour.dueAt)).toBe('2026-11-30T18:00:00.000Z');
    expect(lastHour.reason).toBe('cron "0 2 * * *" (Asia/Shanghai)');
  });

  it('still catches up a cron flow whose cron time passed while Syncline was down', () => {
    const customers = compileCadence({
      cron: '0 2 * * *',
      timezone: 'Asia/Shanghai',
      peaks: [{ name: 'close', every: '1h', monthDays: [-1] }],
    });
    const now = at('2026-11-25T10:00:00Z');
    expect(
      nextRun(customers, { lastSuccessAt: now - 2 * 86_400_000, lastEndedAt: undefined }, now),
    ).toMatchObject({ dueAt: now, trigger: 'catch-up' });
  });
});

describe('nextRun with a window', () => {
  const invoicesInput = {
    every: '1h',
    timezone: 'Asia/Shanghai',
    window: '01:00-05:00',
  } satisfies CadenceInput;
  const invoices = compileCadence(invoicesInput);

  it('runs inside the window on the interval', () => {
    // 18:00Z is 02:00 in Shanghai.
    const decision = nextRun(invoices, after('2026-11-25T18:00:00Z'), at('2026-11-25T18:00:00Z'));
    expect(iso(decision.dueAt)).toBe('2026-11-25T19:00:00.000Z');
    expect(decision.reason).toBe(
      'every 1h after the previous cycle; inside window 01:00-05:00 (Asia/Shanghai)',
    );
  });

  it("waits for the window's next start when the cycle falls due outside it", () => {
    // Ended 04:30 local; 05:30 is outside, so the next cycle waits for 01:00 the next night.
    const decision = nextRun(invoices, after('2026-11-25T20:30:00Z'), at('2026-11-25T20:30:00Z'));
    expect(iso(decision.dueAt)).toBe('2026-11-26T17:00:00.000Z');
    expect(decision.trigger).toBe('schedule');
    expect(decision.reason).toBe(
      'waiting for window 01:00-05:00 (Asia/Shanghai); every 1h after the previous cycle',
    );
  });

  it('holds the first cycle after a start until the window opens', () => {
    const decision = nextRun(invoices, { lastSuccessAt: T - 60_000, lastEndedAt: undefined }, T);
    expect(decision).toMatchObject({ dueAt: at('2026-11-25T17:00:00Z'), trigger: 'start' });
  });

  it('runs in a window that crosses midnight on both sides of it', () => {
    const cadence = compileCadence({ every: '30m', timezone: 'Asia/Shanghai', window: '22:00-02:00' });
    // Ended 23:50 local: due 00:20 the next day, still inside.
    expect(nextRun(cadence, after('2026-11-25T15:50:00Z'), at('2026-11-25T15:50:00Z')).dueAt).toBe(
      at('2026-11-25T16:20:00Z'),
    );
    // Ended 01:45 local: due 02:15, outside; waits for 22:00.
    expect(iso(nextRun(cadence, after('2026-11-25T17:45:00Z'), at('2026-11-25T17:45:00Z')).dueAt)).toBe(
      '2026-11-26T14:00:00.000Z',
    );
  });

  it('holds a cron time outside the window until the window opens', () => {
    const cadence = compileCadence({ cron: '0 * * * *', timezone: 'Asia/Shanghai', window: '01:00-05:00' });
    // Ended 05:00 local: the 06:00 cron time is outside; the window opens at 01:00 the next night.
    expect(iso(nextRun(cadence, after('2026-11-25T21:00:00Z'), at('2026-11-25T21:00:00Z')).dueAt)).toBe(
      '2026-11-26T17:00:00.000Z',
    );
  });

  it('keeps a peak outside the window from running the flow', () => {
    const cadence = compileCadence({
      ...invoicesInput,
      peaks: [{ name: 'evening', every: '5m', between: '18:00-20:00' }],
    });
    // 18:30 local, inside the peak but outside the window.
    const decision = nextRun(cadence, after('2026-11-25T10:30:00Z'), at('2026-11-25T10:30:00Z'));
    expect(iso(decision.dueAt)).toBe('2026-11-25T17:00:00.000Z');
    expect(decision.reason).toMatch(/^waiting for window 01:00-05:00 \(Asia\/Shanghai\); peak "evening"/);
  });
});
