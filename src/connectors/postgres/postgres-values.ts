import pg from 'pg';
import type { CustomTypesConfig } from 'pg';
import {
  isWellFormedText,
  MALFORMED_TEXT_REASON,
  parseJsonDocument,
  type ColumnKind,
  type Value,
} from '../../core/values.js';

/** Type OIDs of the built-in types whose text form the connector parses itself. */
const Oid = {
  int8: 20,
  json: 114,
  jsonb: 3802,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  int8Array: 1016,
  numericArray: 1231,
  timestampArray: 1115,
  dateArray: 1182,
  timestamptzArray: 1185,
  intervalArray: 1187,
  textArray: 1009,
} as const;

const TIMESTAMP_TEXT =
  /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:([+-]\d{2})(:\d{2})?(:\d{2})?)?( BC)?$/;

/**
 * The canonical ISO 8601 form of a PostgreSQL timestamp text: `2026-01-01 10:00:00.123456+00`
 * becomes `2026-01-01T10:00:00.123456+00:00`; a naive timestamp keeps no offset. Fractional
 * digits are kept as the server printed them, so nothing passes through a JS Date. Texts that are
 * no plain timestamp (`infinity`, BC dates) come back unchanged.
 */
export function canonicalTimestamp(text: string): string {
  const offsetAt = plainTimestampLength(text);
  if (offsetAt === text.length) return `${text.slice(0, 10)}T${text.slice(11)}`;
  if (offsetAt === text.length - 3 && isHourOffset(text, offsetAt))
    return `${text.slice(0, 10)}T${text.slice(11)}:00`;
  const match = TIMESTAMP_TEXT.exec(text);
  if (match === null || match[6] !== undefined) return text;
  const [, date, time, hours, minutes, seconds] = match;
  if (hours === undefined) return `${date}T${time}`;
  // Offsets with seconds (local mean time before 1900) have no ISO form; keep them visible.
  return `${date}T${time}${hours}${minutes ?? ':00'}${seconds ?? ''}`;
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;

function isDigitAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= DIGIT_0 && code <= DIGIT_9;
}

/** Whether `text` has a digit at each of `indexes`. */
function digitsAt(text: string, indexes: readonly number[]): boolean {
  for (const index of indexes) if (!isDigitAt(text, index)) return false;
  return true;
}

const DATE_TIME_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * The length of the `YYYY-MM-DD HH:MM:SS[.f…]` a timestamp text starts with (a four-digit
 * year only), or -1 when it does not start with one: the common case of canonicalTimestamp,
 * told by character codes so a page of timestamps costs no regular-expression match each.
 */
function plainTimestampLength(text: string): number {
  if (
    text.length < 19 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== ' ' ||
    text[13] !== ':' ||
    text[16] !== ':' ||
    !digitsAt(text, DATE_TIME_DIGITS)
  )
    return -1;
  if (text[19] !== '.') return 19;
  let end = 20;
  while (isDigitAt(text, end)) end += 1;
  return end === 20 ? -1 : end;
}

/** Whether `text` holds a `+HH` or `-HH` offset at `index` (what a UTC session prints: `+00`). */
function isHourOffset(text: string, index: number): boolean {
  const sign = text[index];
  return (sign === '+' || sign === '-') && isDigitAt(text, index + 1) && isDigitAt(text, index + 2);
}

/** int8 text as a number when it is within the safe integer range, else as the exact string. */
export function canonicalInt8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

type ArrayElement = string | null | ArrayElement[];

function mapArray(values: ArrayElement[], map: (text: string) => unknown): unknown[] {
  return values.map((value) =>
    value === null ? null : Array.isArray(value) ? mapArray(value, map) : map(value),
  );
}

const identity = (text: string): string => text;

/** The driver's own parsers, looked up by any OID (its typings list only the common ones). */
const driverParser = pg.types.getTypeParser as (
  oid: number,
  format?: 'text' | 'binary',
) => (text: string) => unknown;

/**
 * Text parsers that keep every value exact: numeric, int8 beyond 2^53, timestamps, dates, times
 * and intervals stay strings (timestamps in canonical ISO form); int2/int4 and floats are numbers,
 * booleans booleans, json and jsonb parsed (the document `null` as JSON_NULL), bytea a Buffer (the driver's defaults for those).
 * Given per pool, so other users of `pg` in the process keep their own parsers.
 */
export const postgresTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    const parseTextArray = driverParser(Oid.textArray, 'text') as (text: string) => ArrayElement[];
    switch (oid) {
      case Oid.int8:
        return canonicalInt8;
      case Oid.json:
      case Oid.jsonb:
        // The driver would parse a `null` document to null, the same as SQL NULL.
        return parseJsonDocument;
      case Oid.date:
      case Oid.interval:
        return identity;
      case Oid.timestamp:
      case Oid.timestamptz:
        return canonicalTimestamp;
      case Oid.int8Array:
        return (text: string) => mapArray(parseTextArray(text), canonicalInt8);
      case Oid.numericArray:
      case Oid.dateArray:
      case Oid.intervalArray:
        return parseTextArray;
      case Oid.timestampArray:
      case Oid.timestamptzArray:
        return (text: string) => mapArray(parseTextArray(text), canonicalTimestamp);
      default:
        return driverParser(oid, format ?? 'text');
    }
  }) as CustomTypesConfig['getTypeParser'],
};

/**
 * A canonical value as a bound parameter for a column of `kind`: text (PostgreSQL casts it to the
 * column type), or a Buffer for binary. JSON columns get JSON text (a string value too, since
 * canonical JSON is parsed JSON); an array for any other column becomes an array literal.
 */
export function toParameter(value: Value | undefined, kind: ColumnKind): string | Buffer | null {
  if (value === null || value === undefined) return null;
  if (kind === 'json') return JSON.stringify(value);
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value);
  if (Array.isArray(value)) return arrayLiteral(value);
  if (typeof value === 'object') return JSON.stringify(value);
  // String(-0) is '0': a negative zero would lose its sign on the way in.
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

/** A PostgreSQL array literal: `{1,NULL,"a \"b\""}`. */
export function arrayLiteral(values: readonly unknown[]): string {
  const elements = values.map((element): string => {
    if (element === null || element === undefined) return 'NULL';
    if (Array.isArray(element)) return arrayLiteral(element);
    const text =
      typeof element === 'string' ||
      typeof element === 'number' ||
      typeof element === 'boolean' ||
      typeof element === 'bigint'
        ? String(element)
        : JSON.stringify(element);
    return `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
  });
  return `{${elements.join(',')}}`;
}

/**
 * A canonical value as one field of COPY's text format, producing exactly what `toParameter`
 * binds: NULL is `\N`; backslash, tab, newline and carriage return are escaped. Text, numbers and
 * booleans of a non-JSON column (nearly every value of a bulk load) take a short path that
 * allocates nothing but the escaped copy of a text that needs one.
 */
export function toCopyField(value: Value | undefined, kind: ColumnKind): string {
  if (kind !== 'json') {
    if (typeof value === 'string') return escapeCopyText(value);
    // String(-0) is '0': a negative zero would lose its sign on the way in (see toParameter).
    if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
  }
  const parameter = toParameter(value, kind);
  if (parameter === null) return '\\N';
  return escapeCopyText(Buffer.isBuffer(parameter) ? `\\x${parameter.toString('hex')}` : parameter);
}

/** A character COPY's text format escapes. */
const COPY_SPECIAL = /[\\\t\n\r]/;

/** Escapes a text for COPY's text format; a text without special characters comes back as is. */
export function escapeCopyText(text: string): string {
  if (!COPY_SPECIAL.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (char) => COPY_ESCAPES[char] ?? char);
}

const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/**
 * Any UTF-16 surrogate, paired or not: a text without one is well-formed, so the exact (and
 * slower) Unicode check runs only on the rare text that has one.
 */
const ANY_SURROGATE = /[\ud800-\udfff]/;

/**
 * The first of `columns` whose value is text PostgreSQL cannot store exactly, with why: a NUL
 * character (U+0000), which text, varchar, json(b) and the text form of every other type refuse,
 * in a parameter and in COPY alike; or text that is not valid Unicode. Undefined when there is none.
 */
export function unstorableText(
  values: Readonly<Record<string, Value>>,
  columns: readonly string[],
): { readonly column: string; readonly reason: string } | undefined {
  for (const column of columns) {
    const value = values[column];
    if (typeof value !== 'string') continue;
    if (value.includes('\u0000'))
      return { column, reason: 'PostgreSQL text cannot hold the NUL character (\\u0000)' };
    if (ANY_SURROGATE.test(value) && !isWellFormedText(value))
      return { column, reason: MALFORMED_TEXT_REASON };
  }
  return undefined;
}
