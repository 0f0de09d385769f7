import { describe, expect, it } from 'vitest';
import { subtractLookback } from './cursor-arithmetic.js';

describe('subtractLookback', () => {
  it('subtracts milliseconds from a zoned timestamp and keeps its offset and microseconds', () => {
    expect(subtractLookback('2026-11-11T00:00:01.123456+08:00', 2_000)).toBe(
      '2026-11-10T23:59:59.123456+08:00',
    );
  });
  it('keeps the space separator and naive form of a timestamp without zone', () => {
    expect(subtractLookback('2026-01-01 00:00:00', 60_000)).toBe('2025-12-31 23:59:00');
  });
  it('moves a date back by whole days', () => {
    expect(subtractLookback('2026-03-01', 86_400_000)).toBe('2026-02-28');
  });
  it('subtracts units from numbers and big integer strings exactly', () => {
    expect(subtractLookback(100, 10)).toBe(90);
    expect(subtractLookback('9223372036854775807', 7)).toBe('9223372036854775800');
  });
  it('leaves a value alone when there is no lookback', () => {
    expect(subtractLookback('2026-01-01T00:00:00Z', 0)).toBe('2026-01-01T00:00:00Z');
  });
});
