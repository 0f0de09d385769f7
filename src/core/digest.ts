import { createHash } from 'node:crypto';
import type { ColumnInfo } from './table-schema.js';
import { normalizeDecimal } from './decimal.js';
import { parseBoolean } from './value-conversion.js';
import { valueText, type Row, type Value } from './values.js';

/**
 * How a value is put into canonical text, so that two systems that store the same value in
 * different types (numeric(18,4) and DECIMAL(18,2), timestamptz and DATETIME) produce the same
 * text, in the database (reconcile checksums) and in Syncline (record comparison):
 *
 * - `text`: the value's text as Syncline reads it (`valueText`): strings as they are, numbers as
 *   read (`12.50` keeps its scale), booleans `true`/`false`.
 * - `number`: the exact decimal without trailing fraction zeros (a boolean is `1` or `0`): `12.50` → `12.5`, `100.00` →
 *   `100`, `-0.0` → `0`.
 * - `boolean`: `1` or `0`.
 * - `date`: `YYYY-MM-DD`, of a date or of a timestamp (its wall-clock date).
 * - `wall`: the wall-clock digits `YYYY-MM-DD HH:MM:SS.ffffff`; an offset, if any, is dropped.
 * - `instant`: the UTC time `YYYY-MM-DD HH:MM:SS.ffffff`; a value without an offset is in the
 *   given zone (UTC when none is given), read around a change of offset as PostgreSQL reads it.
 *
 * `wall` and `instant` take years 0000 to 9999 and real times only (no month 13, no 24:00).
 *
 * A value that cannot be read as its kind becomes `\u0001` followed by its text, so it never
 * equals a well-formed value. NULL stays null.
 */
export const CompareKinds = ['text', 'number', 'boolean', 'date', 'wall', 'instant'] as const;
export type CompareKind = (typeof CompareKinds)[number];

/** Prefix of the canonical text of a value that is not of its kind. */
export const MALFORMED = '\u0001';
/** Stands for NULL in a row digest. */
export const NULL_MARK = '\u001e';
/** Separates the columns of a row digest. */
export const COLUMN_SEPARATOR = '\u001f';

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** A date, or the date part of a timestamp of the TIMESTAMP form (so `0044-03-15 BC` is no date). */
const DATE =
  /^(\d{4}-\d{2}-\d{2})(?:$|[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$)/i;
const OFFSET = /^([+-])(\d{2}):?(\d{2})?$/;
const DAY_MS = 86_400_000;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Milliseconds since the epoch of a UTC wall time; unlike Date.UTC, years 0 to 99 are not 1900 to 1999. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second);
  return date.getTime();
}

/** Minutes of an offset text (`+08:00`, `-0530`, `Z`); 0 for anything else. */
export function offsetMinutes(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const match = OFFSET.exec(offset);
  if (match === null) return 0;
  const [, sign, hours, minutes] = match;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes ?? 0));
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Minutes `zone` (a fixed offset or an IANA name) is ahead of UTC at a UTC instant. */
export function zoneOffsetMinutes(zone: string, epochMs: number): number {
  if (OFFSET.test(zone) || zone.toUpperCase() === 'Z') return offsetMinutes(zone);
  let format = zoneFormats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zoneFormats.set(zone, format);
  }
  const parts = new Map(format.formatToParts(new Date(epochMs)).map((part) => [part.type, part.value]));
  const year = Number(parts.get('year'));
  const wall = utcMs(
    parts.get('era') === 'BC' ? 1 - year : year,
    Number(parts.get('month')),
    Number(parts.get('day')),
    Number(parts.get('hour')),
    Number(parts.get('minute')),
    Number(parts.get('second')),
  );
  return Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

/** A timestamp's parts: wall-clock seconds as if UTC, the fraction digits, and its offset if any. */
interface ParsedTimestamp {
  readonly wallSeconds: number;
  readonly fraction: string;
  readonly offset: string | undefined;
}

/** Parses a timestamp text; undefined when it is not one or names no real time (month 13, 25:00). */
function parseTimestamp(text: string): ParsedTimestamp | undefined {
  const match = TIMESTAMP.exec(text.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const fields = [y, mo, d, h, mi, s ?? '0'].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = fields;
  const wallMs = utcMs(year, month, day, hour, minute, second);
  const date = new Date(wallMs);
  const isReal =
    date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  return isReal ? { wallSeconds: wallMs / 1000, fraction: fraction ?? '', offset } : undefined;
}

function formatSeconds(epochSeconds: number, fraction: string): string {
  const date = new Date(epochSeconds * 1000);
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${day} ${time}.${fraction.slice(0, 6).padEnd(6, '0')}`;
}

/**
 * Minutes `zone` is ahead of UTC at a wall-clock time of that zone (`wallMs`: the wall time's
 * digits read as if UTC), read as PostgreSQL reads it around a change of offset: a wall time that
 * repeats (a jump back) takes the offset from after the change; one that is skipped (a DST gap)
 * takes the offset from before it, so it lands after the gap.
 */
export function wallTimeOffsetMinutes(zone: string, wallMs: number): number {
  const before = zoneOffsetMinutes(zone, wallMs - DAY_MS);
  const after = zoneOffsetMinutes(zone, wallMs + DAY_MS);
  const isValid = (offset: number): boolean => zoneOffsetMinutes(zone, wallMs - offset * 60_000) === offset;
  return isValid(after) ? after : before;
}

/** The UTC instant of a timestamp text, in the `instant` form; naive values are in `zone`. */
function instantText(parsed: ParsedTimestamp, zone: string | undefined): string {
  let offset: number;
  if (parsed.offset !== undefined) offset = offsetMinutes(parsed.offset);
  else if (zone === undefined) offset = 0;
  else offset = wallTimeOffsetMinutes(zone, parsed.wallSeconds * 1000);
  return formatSeconds(parsed.wallSeconds - offset * 60, parsed.fraction);
}

function malformed(value: Value): string {
  return `${MALFORMED}${valueText(value)}`;
}

/**
 * The canonical text of a value under a compare kind (see CompareKinds). `zone` is the zone of
 * naive timestamps compared as instants (a connector's `wallClockZone`); default UTC.
 */
export function canonicalText(value: Value | undefined, kind: CompareKind, zone?: string): string | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'text':
      return valueText(value);
    case 'number': {
      // A flag stored in a numeric column (SQLite INTEGER, smallint) reads back as 1 or 0.
      if (typeof value === 'boolean') return value ? '1' : '0';
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
      const normalized = text === undefined ? undefined : normalizeDecimal(text);
      if (normalized === undefined) return malformed(value);
      const trimmed = normalized.includes('.')
        ? normalized.replace(/0+$/, '').replace(/\.$/, '')
        : normalized;
      return trimmed === '-0' ? '0' : trimmed;
    }
    case 'boolean': {
      const flag = parseBoolean(value);
      return flag === undefined ? malformed(value) : flag ? '1' : '0';
    }
    case 'date': {
      const match = typeof value === 'string' ? DATE.exec(value.trim()) : null;
      return match?.[1] ?? malformed(value);
    }
    case 'wall': {
      const parsed = typeof value === 'string' ? parseTimestamp(value) : undefined;
      return parsed === undefined ? malformed(value) : formatSeconds(parsed.wallSeconds, parsed.fraction);
    }
    case 'instant': {
      const parsed = typeof value === 'string' ? parseTimestamp(value) : undefined;
      return parsed === undefined ? malformed(value) : instantText(parsed, zone);
    }
  }
}

/** Whether a value is true for a soft-delete flag, by the same words as `parseBoolean`. */
export function isFlagSet(value: Value | undefined): boolean {
  return parseBoolean(value) === true;
}

/**
 * What one hashed column of a reconcile checksum is, rendered by each connector in its own SQL.
 * Literal texts are canonical already and are bound as parameters, never spliced into SQL.
 */
export type DigestExpr =
  /** The canonical text of a column under a compare kind. */
  | { readonly type: 'column'; readonly column: string; readonly as: CompareKind }
  /** A constant canonical text (a mapped constant), or NULL. */
  | { readonly type: 'literal'; readonly text: string | null }
  /**
   * The `text` of a column with leading and trailing whitespace removed, as String.prototype.trim
   * does. A connector whose SQL removes spaces only says so: a value with other whitespace at an
   * end then mostly differs falsely (its bucket is read again), and only a target holding exactly
   * the SQL-trimmed text (tabs kept) would hide a difference.
   */
  | { readonly type: 'trim'; readonly column: string }
  /**
   * A dictionary: the column's `text` looked up in `entries` (source text → canonical target
   * text or NULL); any other non-NULL text gives `otherwise`, NULL gives `ifNull`.
   */
  | {
      readonly type: 'map';
      readonly column: string;
      readonly entries: readonly (readonly [string, string | null])[];
      readonly otherwise: string | null;
      readonly ifNull: string | null;
    }
  /** `of`, or the canonical `fallback` text when `of` is NULL. */
  | { readonly type: 'coalesce'; readonly of: DigestExpr; readonly fallback: string }
  /** `1` when the column holds a true flag (parseBoolean's words), else `0` (NULL too). */
  | { readonly type: 'flag'; readonly column: string };

/** One side of a reconcile: a table, its key, and the columns hashed per row. */
export interface DigestSpec {
  /** The flow, for error messages. */
  readonly flow: string;
  /** Table; may be schema-qualified, validated like any configured table. */
  readonly table: string;
  /** Key column. The MD5 of its `text` picks the row's bucket (see keyHash). */
  readonly key: string;
  /** Hashed per row, in this order (see rowDigest). */
  readonly columns: readonly DigestExpr[];
  /** Rows whose column holds a true flag are left out (soft-deleted source rows not kept at the target). */
  readonly excludeFlagged?: string;
  /** Columns `readBuckets` and `scan` return, as canonical values. */
  readonly read: readonly string[];
}

/** Buckets of one pass: `floor(keyHash / width)`, optionally only inside some buckets of a coarser pass. */
export interface BucketLevel {
  /** A power of two from 1 to 2^32. */
  readonly width: number;
  /** Only rows in these buckets of a coarser width (the ones that differed). */
  readonly within?: BucketSet;
}

/** Some buckets of one width. */
export interface BucketSet {
  readonly width: number;
  readonly buckets: readonly number[];
}

/** A bucket's row count and the sum of its rows' 60-bit row hashes (decimal text, exact). */
export interface BucketDigest {
  readonly bucket: number;
  readonly rows: number;
  readonly sum: string;
}

/**
 * Checksums computed in the database: `syncline reconcile` compares bucket digests of both sides
 * and reads rows only from buckets that differ. A connector computes, per row, the 32-bit key
 * hash `keyHash(text of key)` and the 60-bit row hash `rowHash(canonical texts of columns)`,
 * exactly as the functions below do, so both sides agree on every row that is equal.
 */
export interface DigestSupport {
  /** Whether `column` can be rendered under `as` exactly as `canonicalText` puts it. */
  canRender(column: ColumnInfo, as: CompareKind): boolean;
  /** Per non-empty bucket: row count and row-hash sum. */
  digestBuckets(spec: DigestSpec, level: BucketLevel, signal: AbortSignal): Promise<BucketDigest[]>;
  /** The rows of some buckets (`spec.read` columns). */
  readBuckets(spec: DigestSpec, buckets: BucketSet, signal: AbortSignal): Promise<Row[]>;
  /** Every row (`spec.read` columns), a page at a time, for the full compare. */
  scan(spec: DigestSpec, pageSize: number, signal: AbortSignal): AsyncIterable<Row[]>;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** The 32-bit key hash: the first 8 hex digits of the MD5 of the key's text. */
export function keyHash(keyText: string): number {
  return Number.parseInt(md5(keyText).slice(0, 8), 16);
}

/** The text a row digest hashes: canonical texts joined by U+001F, NULL as U+001E. */
export function rowDigestText(texts: readonly (string | null)[]): string {
  return texts.map((text) => text ?? NULL_MARK).join(COLUMN_SEPARATOR);
}

/** The 60-bit row hash: the first 15 hex digits of the MD5 of the row digest text. */
export function rowHash(texts: readonly (string | null)[]): bigint {
  return BigInt(`0x${md5(rowDigestText(texts)).slice(0, 15)}`);
}
