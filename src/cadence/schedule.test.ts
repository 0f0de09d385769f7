import { describe, expect, it } from 'vitest';
import { nextRun } from './schedule.js';

const T = Date.parse('2026-11-25T10:00:00Z');

describe('nextRun', () => {
  it('runs an every-flow when Syncline starts, then one interval after the previous cycle ended', () => {
    expect(nextRun({ every: '5m' }, { lastSuccessAt: T - 60_000, lastEndedAt: undefined }, T)).toMatchObject({
      dueAt: T,
      trigger: 'start',
    });
    expect(nextRun({ every: '5m' }, { lastSuccessAt: T, lastEndedAt: T + 1_000 }, T + 2_000)).toMatchObject({
      dueAt: T + 301_000,
      trigger: 'schedule',
    });
  });
  it('catches up at once after a restart when the last success is older than the interval', () => {
    expect(
      nextRun({ every: '5m' }, { lastSuccessAt: T - 3_600_000, lastEndedAt: undefined }, T),
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
      nextRun({ cron: '0 2 * * *' }, { lastSuccessAt: undefined, lastEndedAt: undefined }, T),
    ).toMatchObject({ dueAt: T, trigger: 'start' });
  });
  it('polls a realtime flow every second by default', () => {
    expect(nextRun({ realtime: true }, { lastSuccessAt: T, lastEndedAt: T }, T)).toMatchObject({
      dueAt: T + 1_000,
    });
  });
});
