import { describe, expect, it } from 'vitest';
import type { SqliteColumn } from './sqlite-schema.js';
import {
  decodeValue,
  encodeValue,
  isExactInNumericAffinity,
  significantDigits,
  UnbindableValue,
} from './sqlite-values.js';
import { JSON_NULL } from '../../core/values.js';

function column(kind: SqliteColumn['kind'], hasNumericAffinity = false): SqliteColumn {
  return { name: 'c', nativeType: kind, kind, nullable: true, hasDefault: false, hasNumericAffinity };
}

describe('decodeValue', () => {
  it('keeps integers beyond 2^53 exact as text and safe ones as numbers', () => {
    expect(decodeValue('integer', 9_223_372_036_854_775_807n)).toBe('9223372036854775807');
    expect(decodeValue('integer', 42n)).toBe(42);
  });

  it('returns a decimal column as text, whatever SQLite stored', () => {
    expect(decodeValue('decimal', '99999999999999.9999')).toBe('99999999999999.9999');
    expect(decodeValue('decimal', 12.5)).toBe('12.5');
    expect(decodeValue('decimal', 7n)).toBe('7');
  });

  it('reads 0/1 and true/false text of a boolean column as booleans', () => {
    expect(decodeValue('boolean', 1n)).toBe(true);
    expect(decodeValue('boolean', 0n)).toBe(false);
    expect(decodeValue('boolean', 'false')).toBe(false);
  });

  it('parses a JSON column and keeps text that is not JSON', () => {
    expect(decodeValue('json', '{"a":[1,"二"]}')).toEqual({ a: [1, '二'] });
    expect(decodeValue('json', 'not json')).toBe('not json');
  });

  it('leaves timestamps as stored text', () => {
    expect(decodeValue('timestamptz', '2026-11-11T00:00:01.123456+08:00')).toBe(
      '2026-11-11T00:00:01.123456+08:00',
    );
  });
});

describe('JSON null documents', () => {
  it('reads the text null of a JSON column as JSON_NULL and writes JSON_NULL as the text null', () => {
    expect(decodeValue('json', 'null')).toBe(JSON_NULL);
    expect(decodeValue('json', null)).toBeNull();
    expect(encodeValue(column('json'), JSON_NULL)).toBe('null');
    expect(encodeValue(column('string'), JSON_NULL)).toBe('null');
  });
});

describe('encodeValue', () => {
  it('refuses text that is not valid Unicode instead of letting the driver write U+FFFD', () => {
    expect(() => encodeValue(column('string'), 'lone \udc00')).toThrow(/not valid Unicode/);
    expect(encodeValue(column('string'), 'pair 🚀')).toBe('pair 🚀');
  });

  it.each([NaN, Infinity, -Infinity])('refuses the non-finite number %s instead of storing NULL', (value) => {
    expect(() => encodeValue(column('float'), value)).toThrow(UnbindableValue);
    expect(() => encodeValue(column('string'), value)).toThrow(/not a finite number/);
    expect(encodeValue(column('float'), 0.1)).toBe(0.1);
  });

  it('binds booleans as 0/1, JSON as text and safe integers exactly', () => {
    expect(encodeValue(column('boolean', true), true)).toBe(1);
    expect(encodeValue(column('json', true), [1, { a: 'b' }])).toBe('[1,{"a":"b"}]');
    expect(encodeValue(column('json', true), 'text')).toBe('"text"');
    expect(encodeValue(column('integer'), 42)).toBe(42n);
  });

  it('writes a fractional number into a text or decimal column as its shortest text', () => {
    expect(encodeValue(column('decimal'), 12.5)).toBe('12.5');
    expect(encodeValue(column('string'), 0.1)).toBe('0.1');
  });

  it('refuses a decimal that a NUMERIC-affinity column would round, and keeps it in a TEXT one', () => {
    expect(() => encodeValue(column('decimal', true), '99999999999999.9999')).toThrow(UnbindableValue);
    expect(encodeValue(column('decimal', true), '12.5000')).toBe('12.5000');
    expect(encodeValue(column('decimal', false), '99999999999999.9999')).toBe('99999999999999.9999');
  });
});

describe('significant digits of decimal text', () => {
  it('ignores sign, leading zeros and trailing fraction zeros', () => {
    expect(significantDigits('-00012.3400')).toBe(4);
    expect(significantDigits('0.0001')).toBe(1);
    expect(significantDigits('abc')).toBeUndefined();
  });

  it('treats 64-bit integers as exact and 16 significant digits as not', () => {
    expect(isExactInNumericAffinity('9223372036854775807')).toBe(true);
    expect(isExactInNumericAffinity('1234567890.123456')).toBe(false);
    expect(isExactInNumericAffinity('123456789012.345')).toBe(true);
  });
});
