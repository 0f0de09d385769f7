import { describe, expect, it } from 'vitest';
import {
  arrayLiteral,
  canonicalInt8,
  canonicalTimestamp,
  escapeCopyText,
  postgresTypes,
  toCopyField,
  toParameter,
  unstorableText,
} from './postgres-values.js';
import { JSON_NULL } from '../../core/values.js';

const getParser = postgresTypes.getTypeParser as (oid: number, format: 'text') => (text: string) => unknown;
const parse = (oid: number, text: string): unknown => getParser(oid, 'text')(text);

describe('canonicalTimestamp', () => {
  it('turns PostgreSQL timestamp text into ISO 8601 with a full offset, keeping every digit', () => {
    expect(canonicalTimestamp('2026-01-01 10:00:00.123456+00')).toBe('2026-01-01T10:00:00.123456+00:00');
    expect(canonicalTimestamp('2026-01-01 10:00:00+05:30')).toBe('2026-01-01T10:00:00+05:30');
    expect(canonicalTimestamp('2026-01-01 10:00:00.1-08')).toBe('2026-01-01T10:00:00.1-08:00');
    expect(canonicalTimestamp('2026-01-01 10:00:00.654321')).toBe('2026-01-01T10:00:00.654321');
    expect(canonicalTimestamp('12026-01-01 10:00:00')).toBe('12026-01-01T10:00:00');
  });

  it('leaves texts without an ISO form unchanged', () => {
    expect(canonicalTimestamp('infinity')).toBe('infinity');
    expect(canonicalTimestamp('0044-03-15 12:00:00 BC')).toBe('0044-03-15 12:00:00 BC');
  });

  it('gives what the full pattern gives on near misses of its short path', () => {
    const pattern =
      /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:([+-]\d{2})(:\d{2})?(:\d{2})?)?( BC)?$/;
    const byPattern = (text: string): string => {
      const match = pattern.exec(text);
      if (match === null || match[6] !== undefined) return text;
      const [, date, time, hours, minutes, seconds] = match;
      if (hours === undefined) return `${date}T${time}`;
      return `${date}T${time}${hours}${minutes ?? ':00'}${seconds ?? ''}`;
    };
    const texts = [
      '2026-01-01 10:00:00',
      '2026-01-01 10:00:00+00',
      '2026-01-01 10:00:00-11',
      '2026-01-01 10:00:00.5+00',
      '2026-01-01 10:00:00.+00',
      '2026-01-01 10:00:00.',
      '2026-01-01 10:00:00+0',
      '2026-01-01 10:00:00+00:30',
      '2026-01-01 10:00:00+00:30:15',
      '2026-01-01 10:00:00*00',
      '2026-01-01 10:00:00 00',
      '2026-01-01 10:00:00+00 BC',
      '2026-01-01 10:00:00.123 BC',
      '2026-01-01T10:00:00+00',
      '2026-1-01 10:00:00+00',
      '2026-01-01 10:0a:00+00',
      '20261-01-01 10:00:00+00',
      '2026-01-01 10:00:0',
      '',
    ];
    for (const text of texts) expect(canonicalTimestamp(text), text).toBe(byPattern(text));
  });
});

describe('type parsers', () => {
  it('keeps int8 a number within the safe range and exact text beyond it', () => {
    expect(canonicalInt8('42')).toBe(42);
    expect(canonicalInt8('-9007199254740991')).toBe(-9007199254740991);
    expect(canonicalInt8('9007199254740993')).toBe('9007199254740993');
    expect(parse(20, '9223372036854775807')).toBe('9223372036854775807');
  });

  it('keeps numeric, date, time and interval as text, and timestamps canonical', () => {
    expect(parse(1700, '99999999999999.9999')).toBe('99999999999999.9999');
    expect(parse(1082, '2026-02-28')).toBe('2026-02-28');
    expect(parse(1083, '23:59:59.5')).toBe('23:59:59.5');
    expect(parse(1186, 'P1Y2M')).toBe('P1Y2M');
    expect(parse(1184, '2026-01-01 10:00:00.000001+00')).toBe('2026-01-01T10:00:00.000001+00:00');
    expect(parse(1114, '2026-01-01 10:00:00')).toBe('2026-01-01T10:00:00');
  });

  it('parses arrays of exact types element by element', () => {
    expect(parse(1231, '{1.10,NULL,-2}')).toEqual(['1.10', null, '-2']);
    expect(parse(1016, '{1,9007199254740993}')).toEqual([1, '9007199254740993']);
    expect(parse(1185, '{"2026-01-01 10:00:00+00",NULL}')).toEqual(['2026-01-01T10:00:00+00:00', null]);
  });

  it('keeps the driver defaults for int4, bool, json and bytea', () => {
    expect(parse(23, '7')).toBe(7);
    expect(parse(16, 't')).toBe(true);
    expect(parse(3802, '{"a":[1,null]}')).toEqual({ a: [1, null] });
    expect(parse(17, '\\x00ff')).toEqual(Buffer.from([0, 255]));
  });

  it('reads a json or jsonb null document as JSON_NULL, distinct from SQL NULL, and writes it back as null', () => {
    expect(parse(3802, 'null')).toBe(JSON_NULL);
    expect(parse(114, ' null ')).toBe(JSON_NULL);
    expect(parse(114, '"null"')).toBe('null');
    expect(toParameter(JSON_NULL, 'json')).toBe('null');
    expect(toParameter(JSON_NULL, 'string')).toBe('null');
  });
});

describe('parameters and COPY fields', () => {
  it('binds canonical values as text, JSON as JSON text and binary as a Buffer', () => {
    expect(toParameter('12.5000', 'decimal')).toBe('12.5000');
    expect(toParameter(7, 'integer')).toBe('7');
    expect(toParameter(true, 'boolean')).toBe('true');
    expect(toParameter(null, 'string')).toBeNull();
    expect(toParameter(undefined, 'string')).toBeNull();
    expect(toParameter({ a: 1 }, 'json')).toBe('{"a":1}');
    expect(toParameter('text', 'json')).toBe('"text"');
    expect(toParameter([1, 'b'], 'json')).toBe('[1,"b"]');
    expect(toParameter(['a', null], 'other')).toBe('{"a",NULL}');
    expect(toParameter(new Uint8Array([1, 2]), 'binary')).toEqual(Buffer.from([1, 2]));
  });

  it('escapes backslash, tab, newline and carriage return for COPY and writes NULL as \\N', () => {
    expect(escapeCopyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(toCopyField(null, 'string')).toBe('\\N');
    expect(toCopyField('\\N', 'string')).toBe('\\\\N');
    expect(toCopyField(Buffer.from([0, 255]), 'binary')).toBe('\\\\x00ff');
    expect(toCopyField({ t: 'a\tb' }, 'json')).toBe('{"t":"a\\\\tb"}');
    expect(toCopyField(false, 'boolean')).toBe('false');
    expect(toCopyField('plain text', 'string')).toBe('plain text');
    expect(toCopyField(-0, 'decimal')).toBe('-0');
    expect(toCopyField(1.5, 'float')).toBe('1.5');
    expect(toCopyField(true, 'json')).toBe('true');
    expect(toCopyField('a\tb', 'json')).toBe('"a\\\\tb"');
    expect(toCopyField(Number.NaN, 'json')).toBe('null');
  });

  it('quotes array literal elements, nesting arrays', () => {
    expect(arrayLiteral(['a"b', 'c\\d', null, [1, 2]])).toBe('{"a\\"b","c\\\\d",NULL,{"1","2"}}');
  });
});

describe('unstorableText', () => {
  it('names the first column whose text holds a NUL character or a lone surrogate', () => {
    expect(unstorableText({ id: 1, name: 'a\u0000b', note: '\u0000' }, ['id', 'name', 'note'])).toMatchObject(
      {
        column: 'name',
        reason: expect.stringContaining('NUL') as unknown,
      },
    );
    expect(unstorableText({ id: 1, name: 'ok', note: 'x\ud800' }, ['id', 'name', 'note'])).toMatchObject({
      column: 'note',
      reason: expect.stringContaining('not valid Unicode') as unknown,
    });
    expect(unstorableText({ id: 1, name: '🚀', blob: Buffer.from([0]) }, ['id', 'name', 'blob'])).toBe(
      undefined,
    );
  });
});
