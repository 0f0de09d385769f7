import type { ColumnInfo } from '../../core/connector.js';
import { isWellFormedText, MALFORMED_TEXT_REASON, parseJsonDocument, type Value } from '../../core/values.js';
import { offsetMinutes, zoneOffsetMinutes } from '../../core/digest.js';

const ZONED =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;
const NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const INTEGER = /^-?\d+$/;
/**
 * Any UTF-16 surrogate, paired or not: a text without one is well-formed, so the exact (and
 * slower) Unicode check runs only on the rare text that has one.
 */
const ANY_SURROGATE = /[\ud800-\udfff]/;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Wall-clock fields of a whole-second UTC instant in `zone` (a fixed offset or an IANA name). */
function wallClock(epochSeconds: number, zone: string): number[] {
  const date = new Date((epochSeconds + zoneOffsetMinutes(zone, epochSeconds * 1000) * 60) * 1000);
  return [
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  ];
}

/**
 * A zoned ISO timestamp as the naive `YYYY-MM-DD HH:MM:SS[.ffffff]` wall-clock time of `zone`.
 * Exact: only whole seconds pass through Date; the fraction is carried over as written.
 * Returns undefined when `value` carries no offset.
 */
export function toZoneWallClock(value: string, zone: string): string | undefined {
  const match = ZONED.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const utcSeconds =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)) / 1000 -
    offsetMinutes(offset ?? 'Z') * 60;
  const [year, month, day, hour, minute, second] = wallClock(utcSeconds, zone) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = `${pad(year, 4)}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}`;
  return fraction === undefined ? wall : `${wall}.${fraction}`;
}

/** A naive ISO timestamp in MySQL's literal form (space instead of `T`). */
function naiveLiteral(value: string): string {
  return NAIVE.test(value) ? `${value.slice(0, 10)} ${value.slice(11)}` : value;
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/**
 * A value MySQL/MariaDB cannot store: a non-finite number (NaN, ±Infinity). DOUBLE and DECIMAL hold
 * finite numbers only, and mysql2's `query` formats a number into the SQL text as it prints, so a
 * NaN would reach the statement as the bare word `NaN`. The writer turns it into a per-record
 * CONNECTOR_VALUE_REJECTED naming the column.
 */
export class UnstorableMysqlValue extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnstorableMysqlValue';
  }
}

/** Why a number cannot be bound at all, or undefined when it can. */
function nonFiniteReason(value: number): string | undefined {
  if (Object.is(value, -0)) return '-0 would be stored as 0: MySQL/MariaDB keep no negative zero';
  return Number.isFinite(value)
    ? undefined
    : `${String(value)} is not a finite number, and MySQL/MariaDB store only finite numbers (DOUBLE, DECIMAL)`;
}

/**
 * Throws UnstorableMysqlValue when a statement parameter (or an element of an array parameter, as
 * `VALUES ?` and `IN (?)` take) is a non-finite number: the last guard before mysql2 formats the
 * parameters into the SQL text, so no value can reach that text unquoted as a bare word.
 */
export function assertFormattable(params: readonly unknown[]): void {
  for (const param of params) {
    if (Array.isArray(param)) assertFormattable(param);
    else if (typeof param === 'number') {
      const reason = nonFiniteReason(param);
      if (reason !== undefined) throw new UnstorableMysqlValue(reason);
    }
  }
}

/**
 * A canonical value as it is bound for a column: zoned timestamps converted to `timezone` for
 * DATETIME and to UTC for TIMESTAMP (the session runs in UTC), booleans as 1/0, JSON as text,
 * 64-bit integer strings as BigInt (so comparisons stay exact instead of going through doubles).
 * Throws UnstorableMysqlValue for a non-finite number (NaN, ±Infinity), which no column can hold,
 * and for text that is not valid Unicode.
 */
export function toMysqlValue(
  column: ColumnInfo | undefined,
  value: Value | undefined,
  timezone: string,
): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    const reason = nonFiniteReason(value);
    if (reason !== undefined) throw new UnstorableMysqlValue(reason);
  }
  const kind = column?.kind;
  if (kind === 'json' && !isBytes(value)) return JSON.stringify(value);
  if (isBytes(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string') {
    if (ANY_SURROGATE.test(value) && !isWellFormedText(value))
      throw new UnstorableMysqlValue(MALFORMED_TEXT_REASON);
    if (kind === 'integer' && INTEGER.test(value)) return BigInt(value);
    if (kind === 'timestamp') return toZoneWallClock(value, timezone) ?? naiveLiteral(value);
    if (kind === 'timestamptz') return toZoneWallClock(value, '+00:00') ?? naiveLiteral(value);
  }
  return value;
}

function isTruthyFlag(value: unknown): boolean {
  if (Buffer.isBuffer(value)) return value.some((byte) => byte !== 0);
  if (typeof value === 'string') return value !== '0' && value !== '';
  return value !== 0 && value !== false;
}

function toNumberIfSafe(value: string): number | string {
  if (!INTEGER.test(value)) return value;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

/** A naive `YYYY-MM-DD HH:MM:SS[.ffffff]` as ISO with `T`. */
function isoFromLiteral(value: string): string {
  return value.length > 10 && value[10] === ' ' ? `${value.slice(0, 10)}T${value.slice(11)}` : value;
}

function parseJson(value: string): Value {
  try {
    return parseJsonDocument(value);
  } catch {
    // Not JSON after all (a LONGTEXT mistaken for JSON): keep the text rather than lose it.
    return value;
  }
}

/**
 * A driver value (dateStrings, bigNumberStrings, jsonStrings) in canonical form for its column:
 * DECIMAL as text, BIGINT as a number when safe, DATETIME as naive ISO, TIMESTAMP as ISO with `+00:00`,
 * TINYINT(1) and BIT(1) as booleans, JSON parsed, binary as Buffer.
 */
export function fromMysqlValue(column: ColumnInfo | undefined, value: unknown): Value {
  if (value === null || value === undefined) return null;
  switch (column?.kind) {
    case 'boolean':
      return isTruthyFlag(value);
    case 'integer':
      return typeof value === 'string' ? toNumberIfSafe(value) : (value as Value);
    case 'decimal':
      return typeof value === 'number' ? String(value) : (value as Value);
    case 'timestamp':
      return typeof value === 'string' ? isoFromLiteral(value) : (value as Value);
    case 'timestamptz':
      return typeof value === 'string' ? `${isoFromLiteral(value)}+00:00` : (value as Value);
    case 'json':
      return typeof value === 'string' ? parseJson(value) : (value as Value);
    default:
      if (typeof value === 'bigint') return toNumberIfSafe(value.toString());
      return value as Value;
  }
}

/**
 * Bytes a value takes in the statement text, at worst (every character escaped), so batches
 * can be cut below the server's max_allowed_packet.
 */
export function estimateSqlBytes(value: unknown): number {
  if (value === null || value === undefined) return 4;
  if (typeof value === 'string') return Buffer.byteLength(value) * 2 + 2;
  if (Buffer.isBuffer(value)) return value.length * 2 + 3;
  return 24;
}
