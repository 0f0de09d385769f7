import {
  isWellFormedText,
  MALFORMED_TEXT_REASON,
  parseJsonDocument,
  type ColumnKind,
  type Row,
  type ScalarValue,
  type Value,
} from '../../core/values.js';
import type { SqliteColumn } from './sqlite-schema.js';
import { parseBoolean } from '../../core/value-conversion.js';

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** SQLite keeps this many significant digits when it turns text into a REAL. */
const REAL_DIGITS = 15;

function integerValue(value: bigint): number | string {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
}

function parseJson(text: string): Value {
  try {
    return parseJsonDocument(text);
  } catch {
    return text;
  }
}

/**
 * Turns what better-sqlite3 returns (integers as bigint: statements run with `safeIntegers`) into
 * the canonical value of a column of this kind: decimals as text, 0/1 as booleans, JSON parsed,
 * integers as numbers within the safe range and as text beyond it.
 */
export function decodeValue(kind: ColumnKind | undefined, raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'bigint') {
    if (kind === 'decimal') return raw.toString();
    if (kind === 'boolean') return raw !== 0n;
    return integerValue(raw);
  }
  if (typeof raw === 'number') {
    if (kind === 'decimal') return String(raw);
    if (kind === 'boolean') return raw !== 0;
    return raw;
  }
  if (typeof raw === 'string') {
    if (kind === 'json') return parseJson(raw);
    if (kind === 'boolean') {
      const parsed = parseBoolean(raw);
      if (parsed !== undefined) return parsed;
    }
    return raw;
  }
  if (raw instanceof Uint8Array) return kind === 'json' ? parseJson(Buffer.from(raw).toString('utf8')) : raw;
  // better-sqlite3 returns nothing else; keep any surprise readable rather than `[object Object]`.
  return JSON.stringify(raw);
}

/** Decodes a result row, each column by the kind of the table column of the same name. */
export function decodeRow(raw: Record<string, unknown>, columns: ReadonlyMap<string, SqliteColumn>): Row {
  const row: Row = {};
  for (const [name, value] of Object.entries(raw)) row[name] = decodeValue(columns.get(name)?.kind, value);
  return row;
}

/** Significant digits of a decimal literal (`-00012.3400` → 4), or undefined when it is not one. */
export function significantDigits(text: string): number | undefined {
  const match = /^[+-]?(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (match === null || `${match[1] ?? ''}${match[2] ?? ''}`.length === 0) return undefined;
  const digits = `${match[1] ?? ''}${(match[2] ?? '').replace(/0+$/, '')}`.replace(/^0+/, '');
  return digits.length;
}

function isInt64Literal(text: string): boolean {
  if (!/^[+-]?\d+$/.test(text.trim())) return false;
  const value = BigInt(text.trim());
  return value >= -(2n ** 63n) && value < 2n ** 63n;
}

/**
 * Whether SQLite would store this decimal text exactly in a column of NUMERIC affinity (where it
 * becomes an INTEGER, or a REAL rounded to 15 significant digits).
 */
export function isExactInNumericAffinity(text: string): boolean {
  const digits = significantDigits(text);
  return digits === undefined || digits <= REAL_DIGITS || isInt64Literal(text);
}

/** Why a value cannot be bound to a column, for the error the connector throws. */
export class UnbindableValue extends Error {
  constructor(
    readonly column: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'UnbindableValue';
  }
}

function encodeNumber(column: SqliteColumn | undefined, value: number): number | bigint | string {
  if (!Number.isFinite(value)) {
    // better-sqlite3 binds NaN as NULL without a word; ±Infinity would not survive the digest's
    // text form either. Refused, so nothing changes silently.
    throw new UnbindableValue(
      column?.name ?? '?',
      `${String(value)} is not a finite number, and Syncline writes only finite numbers to SQLite (it would store NaN as NULL)`,
    );
  }
  if (Object.is(value, -0))
    throw new UnbindableValue(column?.name ?? '?', '-0 would be stored as 0: SQLite keeps no negative zero');
  if (Number.isSafeInteger(value)) return BigInt(value);
  // A bound double lands in a TEXT column as `12.5` but `5` as `5.0`; write text ourselves.
  if (column?.kind === 'decimal' || column?.kind === 'string') return String(value);
  return value;
}

/**
 * The value to bind for a canonical value in this column: booleans as 0/1, JSON as text,
 * integers exactly, decimals as text (refused where SQLite would round them).
 */
export function encodeValue(column: SqliteColumn | undefined, value: Value): unknown {
  if (value === null) return null;
  const name = column?.name ?? '?';
  if (column?.kind === 'json') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return encodeNumber(column, value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'object') return JSON.stringify(value);
  if (!isWellFormedText(value)) throw new UnbindableValue(name, MALFORMED_TEXT_REASON);
  if (column?.kind === 'boolean') {
    const parsed = parseBoolean(value);
    if (parsed !== undefined) return parsed ? 1 : 0;
  }
  if (column?.kind === 'decimal' && column.hasNumericAffinity && !isExactInNumericAffinity(value)) {
    throw new UnbindableValue(
      name,
      `the decimal ${value} has more than ${REAL_DIGITS} significant digits, which a column declared ${column.nativeType} (NUMERIC affinity) would round; declare it DECIMAL TEXT(p,s) to keep decimals exact`,
    );
  }
  return value;
}

/** A decoded cursor value as the keyset reader stores it: text or number, booleans as 0/1. */
export function toCursorValue(value: Value): ScalarValue | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' || typeof value === 'number') return value;
  return value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : JSON.stringify(value);
}
