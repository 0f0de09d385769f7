import { describe, expect, it } from 'vitest';
import {
  formatDateTime,
  formatDuration,
  formatGrowth,
  formatNumber,
  freshnessLight,
  growthOf,
  successRate,
} from './format';

describe('dashboard formatting', () => {
  it('groups numbers and signs growth in the chosen language', () => {
    expect(formatNumber(1234567, 'en')).toBe('1,234,567');
    expect(formatNumber(1234567, 'zh-CN')).toBe('1,234,567');
    expect(formatGrowth(0.125, 'en')).toBe('+13%');
    expect(formatGrowth(-0.5, 'zh-CN')).toBe('-50%');
  });

  it('gives no growth against an empty yesterday and no rate when nothing ran', () => {
    expect(growthOf(10, 0)).toBeUndefined();
    expect(growthOf(15, 10)).toBe(0.5);
    expect(successRate(0, 0)).toBeUndefined();
    expect(successRate(9, 10)).toBe(0.9);
  });

  it('shows times in the viewer’s zone with the zone named', () => {
    const iso = '2026-12-03T09:05:09.000Z';
    expect(formatDateTime(iso, 'en', 'Asia/Shanghai')).toMatch(/17:05:09.*GMT\+8/);
    expect(formatDateTime(iso, 'zh-CN', 'UTC')).toMatch(/2026\/12\/03.*UTC.*09:05:09/);
  });

  it('says durations in words of the language, to two units', () => {
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000 + 7_000, 'en')).toBe('2 hr 5 min');
    expect(formatDuration(90_000, 'zh-CN')).toBe('1分钟30秒');
    expect(formatDuration(400, 'en')).toBe('0 sec');
  });

  it('lights freshness green within the objective, amber within twice it, red beyond', () => {
    expect(freshnessLight(60_000, 120_000)).toBe('green');
    expect(freshnessLight(200_000, 120_000)).toBe('amber');
    expect(freshnessLight(300_000, 120_000)).toBe('red');
    expect(freshnessLight(300_000, null)).toBe('unknown');
    expect(freshnessLight(undefined, 120_000)).toBe('unknown');
  });
});
