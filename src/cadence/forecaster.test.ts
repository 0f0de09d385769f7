import { describe, expect, it } from 'vitest';
import { Forecaster, type ChangeObservation } from './forecaster.js';

const HOUR = 3_600_000;
const MONDAY = Date.parse('2026-11-02T00:00:00Z');

/** Runs every 5 minutes for `days` from `start`, reading the changes of `ratePerMin(at)`. */
function history(start: number, days: number, ratePerMin: (at: number) => number): ChangeObservation[] {
  const runs: ChangeObservation[] = [];
  for (let at = start + 300_000; at <= start + days * 24 * HOUR; at += 300_000)
    runs.push({ at, changes: ratePerMin(at - 150_000) * 5, durationMs: 300_000 });
  return runs;
}

/** 100 changes/min on Mondays 09:00–11:00 UTC, 10/min otherwise. */
const mondayMorningPeak = (at: number): number => {
  const hourOfWeek = Math.floor((at - MONDAY) / HOUR) % 168;
  return hourOfWeek >= 9 && hourOfWeek < 11 ? 100 : 10;
};

describe('Forecaster', () => {
  it('does not act before about two weeks of history, and says why', () => {
    const forecaster = new Forecaster();
    expect(forecaster.status()).toMatchObject({ isWarm: false, hoursLearned: 0 });
    expect(forecaster.status().reason).toMatch(/no run history yet/);
    for (const run of history(MONDAY, 10, mondayMorningPeak)) forecaster.observe(run);
    const status = forecaster.status();
    expect(status.isWarm).toBe(false);
    expect(status.reason).toMatch(/^learning: \d+ of 168 hours of the week seen twice, needs 152/);
    expect(forecaster.predict(MONDAY + 7 * 24 * HOUR + 9.5 * HOUR)).toBeCloseTo(100);
    expect(forecaster.upcomingPeak(MONDAY + 14 * 24 * HOUR + 8 * HOUR, 2 * HOUR)).toBeUndefined();
  });

  it('predicts the hour-of-week profile and the upcoming peak once warm', () => {
    const forecaster = new Forecaster();
    for (const run of history(MONDAY, 15, mondayMorningPeak)) forecaster.observe(run);
    expect(forecaster.isWarm()).toBe(true);
    expect(forecaster.status().reason).toMatch(/^warm: /);
    const nextMonday = MONDAY + 21 * 24 * HOUR;
    expect(forecaster.predict(nextMonday + 9.5 * HOUR)).toBeCloseTo(100);
    expect(forecaster.predict(nextMonday + 14 * HOUR)).toBeCloseTo(10);
    expect(forecaster.upcomingPeak(nextMonday + 8 * HOUR, 2 * HOUR)).toEqual({
      rate: expect.closeTo(100) as number,
      at: nextMonday + 9 * HOUR,
      currentRate: expect.closeTo(10) as number,
    });
    expect(forecaster.upcomingPeak(nextMonday + 12 * HOUR, 2 * HOUR)).toBeUndefined();
  });

  it('smooths each hour exponentially across weeks', () => {
    const forecaster = new Forecaster({ smoothing: 0.4 });
    const thirdWeek = MONDAY + 14 * 24 * HOUR;
    for (const run of history(MONDAY, 21, (at) => (at >= thirdWeek ? 40 : 10))) forecaster.observe(run);
    // 10, 10, then 40: 10 + 0.4 × (40 − 10).
    expect(forecaster.predict(thirdWeek + 7 * 24 * HOUR + 3 * HOUR)).toBeCloseTo(22);
  });

  it('spreads a long span evenly over the hours it covers', () => {
    const forecaster = new Forecaster();
    forecaster.observe({ at: MONDAY + 6 * HOUR, changes: 600, durationMs: 6 * HOUR });
    forecaster.observe({ at: MONDAY + 7 * HOUR, changes: 0, durationMs: HOUR });
    expect(forecaster.predict(MONDAY + 2 * HOUR)).toBeCloseTo(600 / 360);
    expect(forecaster.predict(MONDAY + 7 * HOUR)).toBeUndefined();
  });

  it('learns local hours of the configured zone (Asia/Shanghai)', () => {
    const forecaster = new Forecaster({ timeZone: 'Asia/Shanghai' });
    // 09:00 in Shanghai is 01:00 UTC.
    const peakAt = (at: number): number => (new Date(at).getUTCHours() === 1 ? 100 : 10);
    for (const run of history(MONDAY, 15, peakAt)) forecaster.observe(run);
    const mondayShanghai = Date.parse('2026-11-23T00:00:00+08:00');
    expect(forecaster.predict(mondayShanghai + 9.5 * HOUR)).toBeCloseTo(100);
    expect(forecaster.predict(mondayShanghai + 1.5 * HOUR)).toBeCloseTo(10);
  });

  it('keeps local hours across a daylight-saving switch (Europe/Berlin)', () => {
    const forecaster = new Forecaster({ timeZone: 'Europe/Berlin' });
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: 'numeric',
      hourCycle: 'h23',
    });
    const peakAt = (at: number): number => (Number(local.format(new Date(at))) === 9 ? 100 : 10);
    // Two weeks of winter time, then summer time from Sunday 29 March 2026.
    const start = Date.parse('2026-03-16T00:00:00+01:00');
    for (const run of history(start, 21, peakAt)) forecaster.observe(run);
    expect(forecaster.predict(Date.parse('2026-04-06T09:30:00+02:00'))).toBeCloseTo(100, 0);
    expect(forecaster.predict(Date.parse('2026-04-06T08:30:00+02:00'))).toBeCloseTo(10, 0);
  });

  it('carries what it learned across a restart', () => {
    const forecaster = new Forecaster();
    for (const run of history(MONDAY, 15, mondayMorningPeak)) forecaster.observe(run);
    const restored = new Forecaster({}, JSON.parse(JSON.stringify(forecaster.toState())) as never);
    const nextMonday = MONDAY + 21 * 24 * HOUR;
    expect(restored.isWarm()).toBe(true);
    expect(restored.predict(nextMonday + 9.5 * HOUR)).toBe(forecaster.predict(nextMonday + 9.5 * HOUR));
  });
});
