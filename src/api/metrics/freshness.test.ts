import { describe, expect, it } from 'vitest';
import { cursorInstant, freshnessLagSeconds, freshnessMark } from './freshness.js';

describe('cursorInstant', () => {
  it('reads timestamps with a zone as instants, the zone applied', () => {
    expect(cursorInstant('2026-12-01T10:00:00Z')).toBe(Date.parse('2026-12-01T10:00:00Z'));
    expect(cursorInstant('2026-12-01 10:00:00.123456+00')).toBe(Date.parse('2026-12-01T10:00:00.123Z'));
    expect(cursorInstant('2026-12-01 18:00:00+08:00')).toBe(Date.parse('2026-12-01T10:00:00Z'));
    expect(cursorInstant('2026-12-01T05:00:00-0500')).toBe(Date.parse('2026-12-01T10:00:00Z'));
  });

  it('reads no instant from numbers, dates or timestamps without a zone', () => {
    for (const value of [42, '42', '1733047200', '2026-12-01', '2026-12-01 10:00:00', null, undefined])
      expect(cursorInstant(value)).toBeUndefined();
  });
});

describe('freshnessMark', () => {
  const lastSuccessAt = '2026-12-01T09:00:00.000Z';

  it('takes the cursor of an incremental checkpoint when it is a zoned timestamp', () => {
    const checkpoint = { phase: 'incremental', cursor: '2026-12-01 08:30:00+00', key: 7 };
    expect(freshnessMark(checkpoint, lastSuccessAt)).toEqual({
      at: Date.parse('2026-12-01T08:30:00Z'),
      from: 'cursor',
    });
  });

  it('falls back to the last successful cycle start for a numeric cursor or an initial scan', () => {
    const last = { at: Date.parse(lastSuccessAt), from: 'last-success' };
    expect(freshnessMark({ phase: 'incremental', cursor: 17, key: 3 }, lastSuccessAt)).toEqual(last);
    expect(
      freshnessMark({ phase: 'initial', key: 3, highWater: '2026-12-01 08:30:00+00' }, lastSuccessAt),
    ).toEqual(last);
    expect(freshnessMark(undefined, lastSuccessAt)).toEqual(last);
  });

  it('has no mark before the first success without a time cursor', () => {
    expect(freshnessMark(undefined, undefined)).toBeUndefined();
    expect(freshnessMark({ phase: 'incremental', cursor: 17, key: 3 }, undefined)).toBeUndefined();
  });
});

describe('freshnessLagSeconds', () => {
  it('is seconds from the mark to now, never negative', () => {
    const at = Date.parse('2026-12-01T10:00:00Z');
    expect(freshnessLagSeconds({ at, from: 'cursor' }, at + 90_500)).toBe(90.5);
    expect(freshnessLagSeconds({ at, from: 'cursor' }, at - 5_000)).toBe(0);
  });
});
