import fc from 'fast-check';
import { JSON_NULL, type EdgeValue, type ValueKind } from './value-kinds.js';

/** Seed and size of the property-based cases: fixed, so every run checks the same values. */
export const PROPERTY_SEED = 15;
/** Property-based values per kind that has them. */
export const PROPERTY_RUNS = 12;

const nested = { customer: { name: '上海', tags: ['vip', 1, true, null], nested: { deep: [{ a: [] }] } } };
const large = Array.from({ length: 2_000 }, (_, index) => ({
  id: index,
  name: `item ${index}`,
  ok: index % 2 === 0,
}));

/** The hand-picked edge values of each kind (SQL NULL is one of every kind). */
const EDGE_VALUES: Readonly<Record<ValueKind, readonly (readonly [string, EdgeValue['value']])[]>> = {
  float: [
    ['NaN', Number.NaN],
    ['+Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['-0', -0],
    ['max', Number.MAX_VALUE],
    ['-max', -Number.MAX_VALUE],
    ['smallest subnormal', Number.MIN_VALUE],
    ['smallest normal', 2.2250738585072014e-308],
    ['0.1', 0.1],
    ['1/3', 1 / 3],
  ],
  decimal: [
    ['max of (20,6)', '99999999999999.999999'],
    ['min of (20,6)', '-99999999999999.999999'],
    ['smallest step', '0.000001'],
    ['-smallest step', '-0.000001'],
    ['zero', '0.000000'],
    ['NaN', 'NaN'],
  ],
  int64: [
    ['max', '9223372036854775807'],
    ['min', '-9223372036854775808'],
    ['beyond 2^53', '9007199254740993'],
  ],
  int32: [
    ['max', 2_147_483_647],
    ['min', -2_147_483_648],
    ['zero', 0],
  ],
  text: [
    ['empty string', ''],
    ['NUL', 'a\u0000b'],
    ['control characters', '\u0001\u0008\u001b\u007f\t\r\n'],
    ['4-byte UTF-8', '𝄞🚀👍🏽𠜎'],
    ['quotes and backslashes', `O'Brien "q" \\ \\\\ \`tick\``],
    ['SQL-like', "'); DROP TABLE t; --"],
    ['70,000 characters', 'x'.repeat(70_000)],
  ],
  varchar: [
    ['20 ASCII (at the limit)', 'x'.repeat(20)],
    ['20 emoji (at the limit)', '🚀'.repeat(20)],
    ['trailing spaces', 'padded   '],
  ],
  flagText: [
    ['true', 'true'],
    ['false', 'false'],
    ['Y', 'Y'],
    ['0', '0'],
  ],
  flagInt: [
    ['1', 1],
    ['0', 0],
  ],
  boolean: [
    ['true', true],
    ['false', false],
  ],
  date: [
    ['0001-01-01', '0001-01-01'],
    ['9999-12-31', '9999-12-31'],
    ['leap day 2024', '2024-02-29'],
    ['leap day 2000', '2000-02-29'],
    ['infinity', 'infinity'],
    ['-infinity', '-infinity'],
  ],
  timestamp: [
    ['0001-01-01', '0001-01-01T00:00:00'],
    ['9999-12-31 last µs', '9999-12-31T23:59:59.999999'],
    ['leap day µs', '2024-02-29T23:59:59.999999'],
    ['DST gap (Europe)', '2026-03-29T02:30:00'],
    ['DST overlap (Europe)', '2026-10-25T02:30:00.000001'],
    ['infinity', 'infinity'],
  ],
  timestamptz: [
    ['0001-01-01 UTC', '0001-01-01T00:00:00Z'],
    ['9999-12-31 last µs UTC', '9999-12-31T23:59:59.999999Z'],
    ['offset +14:00 µs', '2024-02-29T12:00:00.123456+14:00'],
    ['offset -14:00 µs', '2024-02-29T12:00:00.000001-14:00'],
    ['DST gap instant', '2026-03-29T02:30:00+01:00'],
    ['DST overlap, first', '2026-10-25T02:30:00+02:00'],
    ['DST overlap, second', '2026-10-25T02:30:00+01:00'],
    ['infinity', 'infinity'],
    ['-infinity', '-infinity'],
  ],
  json: [
    ['JSON null', JSON_NULL],
    ['scalar string', 'plain'],
    ['scalar number', 42],
    ['scalar true', true],
    ['empty object', {}],
    ['empty array', []],
    ['nested', nested],
    ['large', large],
  ],
  uuid: [
    ['nil', '00000000-0000-0000-0000-000000000000'],
    ['max', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    ['v4', '3f1c1d0e-8a5b-4c7e-9f2a-1b2c3d4e5f60'],
  ],
};

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Random decimals within numeric(20,6): up to 14 integer and 6 fraction digits, either sign. */
const decimalArbitrary = fc
  .tuple(fc.bigInt({ min: -(10n ** 20n) + 1n, max: 10n ** 20n - 1n }))
  .map(([scaled]) => {
    const digits = (scaled < 0n ? -scaled : scaled).toString().padStart(7, '0');
    return `${scaled < 0n ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
  });

/** Random zoned timestamps 0001…9999 with µs and an offset between -14:00 and +14:00 (15-minute steps). */
const timestampArbitrary = fc
  .tuple(
    // A day inside either end, so the wall time at any offset keeps a four-digit year.
    fc.date({
      min: new Date('0001-01-02T00:00:00Z'),
      max: new Date('9999-12-30T23:59:59Z'),
      noInvalidDate: true,
    }),
    fc.integer({ min: 0, max: 999_999 }),
    fc.integer({ min: -56, max: 56 }),
  )
  .map(([date, micros, quarters]) => {
    const minutes = Math.abs(quarters) * 15;
    const offset = `${quarters < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
    const local = new Date(date.getTime() + quarters * 15 * 60_000);
    const when = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
    const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
    return `${when}T${time}.${pad(micros, 6)}${offset}`;
  });

/** Random well-formed Unicode text (graphemes, so no lone surrogates), NUL excluded. */
const unicodeArbitrary = fc
  .string({ unit: 'grapheme', maxLength: 40 })
  .map((text) => text.replaceAll('\u0000', ''));

const PROPERTY_ARBITRARIES: Partial<Record<ValueKind, fc.Arbitrary<string>>> = {
  decimal: decimalArbitrary,
  timestamptz: timestampArbitrary,
  text: unicodeArbitrary,
};

/** Every value of a kind: SQL NULL, the edge values, then PROPERTY_RUNS seeded random ones. */
export function edgeValues(kind: ValueKind): EdgeValue[] {
  const values: EdgeValue[] = [{ label: 'SQL NULL', value: null }];
  for (const [label, value] of EDGE_VALUES[kind]) values.push({ label, value });
  const arbitrary = PROPERTY_ARBITRARIES[kind];
  if (arbitrary !== undefined)
    fc.sample(arbitrary, { seed: PROPERTY_SEED, numRuns: PROPERTY_RUNS }).forEach((value, index) =>
      values.push({ label: `random #${index + 1}`, value }),
    );
  return values;
}
