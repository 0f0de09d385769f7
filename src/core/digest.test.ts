import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalText,
  isFlagSet,
  keyHash,
  MALFORMED,
  rowDigestText,
  rowHash,
  wallTimeOffsetMinutes,
  zoneOffsetMinutes,
  type CompareKind,
} from './digest.js';
import { valueText, type Value } from './values.js';

const M = MALFORMED;

describe('canonicalText', () => {
  it.each<[Value, CompareKind, string]>([
    ['客户 🚀', 'text', '客户 🚀'],
    [42, 'text', '42'],
    ['12.5000', 'text', '12.5000'],
    [true, 'text', 'true'],
    [false, 'text', 'false'],
    [new Uint8Array([0, 171, 255]), 'text', '00abff'],
    [{ b: 1, a: [true, null] }, 'text', '{"b":1,"a":[true,null]}'],
    ['12.50', 'number', '12.5'],
    ['100.00', 'number', '100'],
    ['100', 'number', '100'],
    ['-0.0', 'number', '0'],
    [true, 'number', '1'],
    [false, 'number', '0'],
    ['-0.0500', 'number', '-0.05'],
    ['+007.10', 'number', '7.1'],
    [' 1e3 ', 'number', '1000'],
    [-7, 'number', '-7'],
    [0.5, 'number', '0.5'],
    ['99999999999999.9999', 'number', '99999999999999.9999'],
    ['-99999999999999.9000', 'number', '-99999999999999.9'],
    ['12345678901234567890', 'number', '12345678901234567890'],
    [true, 'boolean', '1'],
    [false, 'boolean', '0'],
    [1, 'boolean', '1'],
    [0, 'boolean', '0'],
    [' Yes ', 'boolean', '1'],
    ['OFF', 'boolean', '0'],
    ['t', 'boolean', '1'],
    ['2024-02-29', 'date', '2024-02-29'],
    ['2026-03-04T05:06:07.123456+08:00', 'date', '2026-03-04'],
    ['2026-03-04 05:06:07', 'date', '2026-03-04'],
    ['2026-03-04T05:06:07.5', 'wall', '2026-03-04 05:06:07.500000'],
    ['2026-03-04T05:06:07.123456789', 'wall', '2026-03-04 05:06:07.123456'],
    ['2026-03-04T05:06', 'wall', '2026-03-04 05:06:00.000000'],
    ['2026-11-11T00:00:01.123456+08:00', 'wall', '2026-11-11 00:00:01.123456'],
    ['0050-06-01T12:00:00', 'wall', '0050-06-01 12:00:00.000000'],
    ['2026-11-11T00:00:01.123456+08:00', 'instant', '2026-11-10 16:00:01.123456'],
    ['1999-12-31T23:59:59.999999Z', 'instant', '1999-12-31 23:59:59.999999'],
    ['2026-06-30T23:00:00.5+05:30', 'instant', '2026-06-30 17:30:00.500000'],
    ['2026-01-01T00:30:00-0130', 'instant', '2026-01-01 02:00:00.000000'],
    ['2026-01-01 00:00:00+00', 'instant', '2026-01-01 00:00:00.000000'],
    ['2026-03-04T05:06:07', 'instant', '2026-03-04 05:06:07.000000'],
    ['0001-01-01T05:00:00+08:00', 'instant', '0000-12-31 21:00:00.000000'],
  ])('puts %j as %s into %j', (value, kind, expected) => {
    expect(canonicalText(value, kind)).toBe(expected);
  });

  it('keeps NULL (and a missing value) null under every kind', () => {
    for (const kind of ['text', 'number', 'boolean', 'date', 'wall', 'instant'] as const) {
      expect(canonicalText(null, kind)).toBeNull();
      expect(canonicalText(undefined, kind)).toBeNull();
    }
  });

  it.each<[Value, CompareKind]>([
    ['abc', 'number'],
    ['NaN', 'number'],
    ['Infinity', 'number'],
    ['12,5', 'number'],
    ['maybe', 'boolean'],
    [2, 'boolean'],
    ['', 'boolean'],
    ['2026-3-4', 'date'],
    ['0044-03-15 BC', 'date'],
    ['0044-03-15 00:00:00 BC', 'date'],
    ['10000-01-01', 'date'],
    ['infinity', 'date'],
    [20260304, 'date'],
    ['2026-03-04', 'wall'],
    ['2026-13-01T00:00:00', 'wall'],
    ['2026-02-30T00:00:00', 'wall'],
    ['0000-00-00 00:00:00', 'wall'],
    ['2026-01-01T24:00:00', 'wall'],
    ['2026-01-01T10:60:00', 'instant'],
    ['10000-01-01T00:00:00+00:00', 'instant'],
    ['0044-03-15 00:00:00+00 BC', 'instant'],
    ['infinity', 'instant'],
    [1_700_000_000_000, 'instant'],
  ])('marks %j as malformed under %s, with its text after the mark', (value, kind) => {
    const text = canonicalText(value, kind);
    expect(text?.startsWith(M)).toBe(true);
    expect(text?.slice(1)).toBe(valueText(value));
  });

  it('reads a naive timestamp in a fixed-offset zone as that offset', () => {
    expect(canonicalText('2026-03-04T05:06:07.25', 'instant', '+08:00')).toBe('2026-03-03 21:06:07.250000');
    expect(canonicalText('2026-03-04 05:06:07', 'instant', '-05:30')).toBe('2026-03-04 10:36:07.000000');
    expect(canonicalText('2026-03-04T05:06:07', 'instant', 'Z')).toBe('2026-03-04 05:06:07.000000');
    // A value with an offset keeps it, whatever the zone.
    expect(canonicalText('2026-03-04T05:06:07+01:00', 'instant', '+08:00')).toBe(
      '2026-03-04 04:06:07.000000',
    );
  });

  describe('a naive timestamp in a named zone, across changes of offset (as PostgreSQL reads them)', () => {
    it.each([
      ['America/New_York', '2026-01-15T12:00:00', '2026-01-15 17:00:00.000000'],
      ['America/New_York', '2026-07-15T12:00:00.000001', '2026-07-15 16:00:00.000001'],
      // Skipped by the jump forward: read with the offset from before it (03:30 EDT).
      ['America/New_York', '2026-03-08T02:30:00', '2026-03-08 07:30:00.000000'],
      ['America/New_York', '2026-03-08T01:59:59', '2026-03-08 06:59:59.000000'],
      ['America/New_York', '2026-03-08T03:00:00', '2026-03-08 07:00:00.000000'],
      // Repeated by the jump back: the offset from after it (EST).
      ['America/New_York', '2026-11-01T01:30:00', '2026-11-01 06:30:00.000000'],
      ['America/New_York', '2026-11-01T00:59:59', '2026-11-01 04:59:59.000000'],
      ['America/New_York', '2026-11-01T02:00:00', '2026-11-01 07:00:00.000000'],
      ['Europe/Berlin', '2026-10-25T02:30:00.25', '2026-10-25 01:30:00.250000'],
      ['Europe/Berlin', '2026-03-29T02:30:00', '2026-03-29 01:30:00.000000'],
      ['Asia/Shanghai', '2026-07-01T12:00:00', '2026-07-01 04:00:00.000000'],
      ['Asia/Shanghai', '1988-07-01T12:00:00', '1988-07-01 03:00:00.000000'],
      ['Australia/Lord_Howe', '2026-04-05T01:45:00', '2026-04-04 15:15:00.000000'],
    ])('in %s reads %s as %s UTC', (zone, value, expected) => {
      expect(canonicalText(value, 'instant', zone)).toBe(expected);
    });
  });
});

describe('zone offsets', () => {
  it('gives the offset of a zone at an instant, and of a wall time', () => {
    expect(zoneOffsetMinutes('+05:30', 0)).toBe(330);
    expect(zoneOffsetMinutes('-08:00', 0)).toBe(-480);
    expect(zoneOffsetMinutes('Asia/Shanghai', Date.UTC(2026, 0, 1))).toBe(480);
    expect(zoneOffsetMinutes('America/New_York', Date.UTC(2026, 6, 1))).toBe(-240);
    expect(wallTimeOffsetMinutes('America/New_York', Date.UTC(2026, 2, 8, 2, 30))).toBe(-300);
    expect(wallTimeOffsetMinutes('America/New_York', Date.UTC(2026, 10, 1, 1, 30))).toBe(-300);
    expect(wallTimeOffsetMinutes('+08:00', Date.UTC(2026, 10, 1, 1, 30))).toBe(480);
  });
});

describe('isFlagSet', () => {
  it('is true for the true words of parseBoolean only', () => {
    for (const value of [true, 1, '1', 't', 'TRUE', ' yes ', 'Y', 'on']) expect(isFlagSet(value)).toBe(true);
    for (const value of [false, 0, 2, '0', 'no', 'off', '', 'x', null, undefined, '1.0']) {
      expect(isFlagSet(value)).toBe(false);
    }
  });
});

describe('keyHash and rowHash', () => {
  it('hash the first hex digits of the MD5 of the UTF-8 text', () => {
    expect(keyHash('42')).toBe(2714814184);
    expect(keyHash('')).toBe(3558706393);
    expect(keyHash('客户')).toBe(4278919287);
    expect(rowHash([])).toBe(955282973525019424n);
    expect(rowHash(['42', null, '12.5', '客户🚀'])).toBe(547238445946783884n);
  });

  it('joins canonical texts with U+001F and marks NULL with U+001E', () => {
    expect(rowDigestText(['a', null, '', 'b'])).toBe('a\u001f\u001e\u001f\u001fb');
    expect(rowDigestText([])).toBe('');
    // NULL and the empty text hash differently.
    expect(rowHash([null])).not.toBe(rowHash(['']));
  });

  it('keeps key hashes within 32 bits and row hashes within 60 bits', () => {
    for (let index = 0; index < 2_000; index++) {
      const text = `key-${index}`;
      const hash = keyHash(text);
      expect(hash).toBe(Number.parseInt(createHash('md5').update(text).digest('hex').slice(0, 8), 16));
      expect(hash).toBeGreaterThanOrEqual(0);
      expect(hash).toBeLessThan(2 ** 32);
      expect(rowHash([text])).toBeLessThan(2n ** 60n);
    }
  });
});
