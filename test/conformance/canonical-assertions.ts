import { expect } from 'vitest';
import type { Row, Value } from '../../src/core/values.js';
import type { PortableType } from './connector-harness.js';

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A decimal without insignificant zeros, so `12.5000` equals `12.5` (the value, not the scale, must match). */
export function normalizeDecimal(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (match === null) return text;
  const integer = (match[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const body = fraction === '' ? integer : `${integer}.${fraction}`;
  return body === '0' ? '0' : `${match[1] === '-' ? '-' : ''}${body}`;
}

/** A value as a message shows it. */
function show(value: Value | undefined): string {
  if (value === undefined) return 'undefined';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

interface ParsedTimestamp {
  /** Microseconds since the epoch, reading a naive timestamp as if it were UTC. */
  readonly micros: bigint;
  readonly hasOffset: boolean;
}

/** Parses an ISO 8601 timestamp to the microsecond, without going through Date's milliseconds. */
export function parseTimestamp(text: string): ParsedTimestamp | undefined {
  const match = TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zone] = match;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  let micros = BigInt(wall) * 1000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const minutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
    micros -= sign * minutes * 60_000_000n;
  }
  return { micros, hasOffset: zone !== undefined };
}

/**
 * Asserts a value is the canonical form of `expected` for a column of this portable type:
 * decimals as text with the same value, zoned timestamps as text with an offset naming the same
 * instant, naive timestamps as text without offset to the microsecond, dates as `YYYY-MM-DD`,
 * booleans as booleans, JSON parsed, integers as numbers, text unchanged.
 */
export function expectCanonical(
  actual: Value | undefined,
  expected: Value,
  type: PortableType,
  label: string,
): void {
  if (expected === null) {
    expect(actual, `${label} is NULL`).toBeNull();
    return;
  }
  switch (type) {
    case 'decimal18_4':
      expect(typeof actual, `${label} is a decimal, so it travels as text`).toBe('string');
      expect(normalizeDecimal(actual as string), label).toBe(normalizeDecimal(expected as string));
      return;
    case 'timestamptz':
    case 'timestamp': {
      expect(typeof actual, `${label} is a timestamp, so it travels as text`).toBe('string');
      const parsed = parseTimestamp(actual as string);
      expect(parsed, `${label} (${show(actual)}) is an ISO 8601 timestamp`).toBeDefined();
      expect(
        parsed?.hasOffset,
        `${label} (${show(actual)}) ${type === 'timestamptz' ? 'carries' : 'has no'} offset`,
      ).toBe(type === 'timestamptz');
      expect(parsed?.micros, `${label}: ${show(actual)} is the same instant as ${show(expected)}`).toBe(
        parseTimestamp(expected as string)?.micros,
      );
      return;
    }
    default:
      expect(actual, label).toEqual(expected);
  }
}

/** Asserts every column of `expected` in canonical form, by each column's portable type. */
export function expectCanonicalRow(
  actual: Row | undefined,
  expected: Row,
  types: Readonly<Record<string, PortableType>>,
  label: string,
): void {
  expect(actual, `${label} exists`).toBeDefined();
  for (const [column, value] of Object.entries(expected)) {
    expectCanonical(actual?.[column], value, types[column] ?? 'text', `${label}.${column}`);
  }
}
