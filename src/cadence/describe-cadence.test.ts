import { describe, expect, it } from 'vitest';
import { compileCadence } from '../config/cadence-schema.js';
import { describeCadence } from './describe-cadence.js';

describe('describeCadence', () => {
  it('names the trigger with readable durations', () => {
    expect(describeCadence(compileCadence({ every: '5m' }))).toBe('every 5m, adaptive');
    expect(describeCadence(compileCadence({ every: '5m', adaptive: false }))).toBe('every 5m');
    expect(describeCadence(compileCadence({ cron: '0 2 * * *', timezone: 'Asia/Shanghai' }))).toBe(
      'cron "0 2 * * *" (Asia/Shanghai)',
    );
    expect(describeCadence(compileCadence({ realtime: true, pollInterval: '1m' }))).toBe(
      'realtime (poll 1m)',
    );
    expect(describeCadence(compileCadence({ realtime: true }))).toBe('realtime');
  });

  it('mentions the window, peaks, freshness, adaptive bounds and a priority other than normal', () => {
    expect(
      describeCadence(
        compileCadence({
          every: '1h',
          timezone: 'Asia/Shanghai',
          window: '01:00-05:00',
          freshness: '2h',
          adaptive: { min: '30m', max: '4h' },
          priority: 'low',
          peaks: [{ name: 'close', every: '15m', monthDays: [-1] }],
        }),
      ),
    ).toBe(
      'every 1h (Asia/Shanghai), window 01:00-05:00, peaks close, freshness 2h, adaptive 30m-4h, priority low',
    );
  });
});
