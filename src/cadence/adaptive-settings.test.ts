import { describe, expect, it } from 'vitest';
import { compileCadence } from '../config/cadence-schema.js';
import { adaptiveSettingsFor } from './adaptive-settings.js';

const AT = Date.parse('2026-11-25T10:00:00Z');

describe('adaptiveSettingsFor', () => {
  it('only backs off by default: never faster than configured, at most 8× slower', () => {
    expect(adaptiveSettingsFor(compileCadence({ every: '10m' }), 1000, AT)).toMatchObject({
      baseIntervalMs: 600_000,
      minIntervalMs: 600_000,
      maxIntervalMs: 4_800_000,
      priority: 'normal',
      baseBatch: 1000,
      maxBatch: 4000,
    });
  });
  it('may run faster than configured when a freshness objective is set', () => {
    expect(adaptiveSettingsFor(compileCadence({ every: '10m', freshness: '5m' }), 1000, AT)).toMatchObject({
      minIntervalMs: 150_000,
      freshnessMs: 300_000,
    });
  });
  it('takes explicit bounds and priority', () => {
    expect(
      adaptiveSettingsFor(
        compileCadence({ every: '10m', adaptive: { min: '30s', max: '1h' }, priority: 'high' }),
        500,
        AT,
      ),
    ).toMatchObject({
      minIntervalMs: 30_000,
      maxIntervalMs: 3_600_000,
      priority: 'high',
    });
  });
  it('keeps cron, realtime and adaptive: false flows fixed', () => {
    expect(adaptiveSettingsFor(compileCadence({ cron: '0 2 * * *' }), 1000, AT)).toBeUndefined();
    expect(adaptiveSettingsFor(compileCadence({ realtime: true }), 1000, AT)).toBeUndefined();
    expect(adaptiveSettingsFor(compileCadence({ every: '1m', adaptive: false }), 1000, AT)).toBeUndefined();
  });
});
