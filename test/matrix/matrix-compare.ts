import { JSON_NULL, type CellValue, type ValueKind } from './value-kinds.js';

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${sortedJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** A JSON document's text with sorted keys; text that is no JSON stays as it is (and differs). */
function jsonText(raw: unknown): string {
  if (typeof raw !== 'string') return sortedJson(raw);
  try {
    return sortedJson(JSON.parse(raw));
  } catch {
    return raw;
  }
}

function floatText(raw: unknown): string {
  const number = typeof raw === 'number' ? raw : Number(raw);
  return Object.is(number, -0) ? '-0' : String(number);
}

/** A decimal string without trailing fraction zeros: `1.500000` → `1.5`, `-0.000` → `0`. */
function decimalText(raw: unknown): string {
  const text = String(raw);
  if (!text.includes('.')) return text === '-0' ? '0' : text;
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

/** `YYYY-MM-DD[T ]HH:MM:SS[.f]` → `YYYY-MM-DDTHH:MM:SS.ffffff`; anything else as it is. */
function naiveText(raw: unknown): string {
  const match = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/.exec(String(raw));
  return match === null ? String(raw) : `${match[1]}T${match[2]}.${(match[3] ?? '').padEnd(6, '0')}`;
}

/** A timestamp with or without a zone (none = UTC, as the matrix reads in UTC) → the UTC instant to µs. */
function instantText(raw: unknown): string {
  const match =
    /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(Z|([+-])(\d\d)(?::?(\d\d))?)?$/.exec(
      String(raw),
    );
  if (match === null) return String(raw);
  const [, y, mo, d, h, mi, s, fraction = '', , sign, oh = '0', om = '0'] = match;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  const offsetMinutes = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const utc = new Date(date.getTime() - offsetMinutes * 60_000);
  const when = `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}`;
  const time = `${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}`;
  return `${when}T${time}.${fraction.padEnd(6, '0')}Z`;
}

function booleanText(raw: unknown): string {
  return ['true', 't', '1'].includes(String(raw))
    ? 'true'
    : ['false', 'f', '0'].includes(String(raw))
      ? 'false'
      : String(raw);
}

/**
 * A value in comparable terms of its kind: what a database returned (its text, number or bigint)
 * or what the cell wrote. SQL NULL stays `null`; a JSON document is its text with sorted keys, so
 * a JSON `null` document is the text `null`.
 */
export function comparable(kind: ValueKind, raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  // SQLite hands integers over as bigint (read with safeIntegers), whatever the declared type.
  if (typeof raw === 'bigint') return comparable(kind, String(raw));
  switch (kind) {
    case 'float':
      return floatText(raw);
    case 'decimal':
      return decimalText(raw);
    case 'boolean':
      return booleanText(raw);
    case 'timestamp':
      return naiveText(raw);
    case 'timestamptz':
      return instantText(raw);
    case 'json':
      return jsonText(raw);
    default:
      return typeof raw === 'string' || typeof raw === 'number' ? String(raw) : JSON.stringify(raw);
  }
}

/** What the cell wrote, in comparable terms. */
export function expectedComparable(kind: ValueKind, value: CellValue): string | null {
  if (value === JSON_NULL) return 'null';
  if (kind === 'json' && value !== null) return sortedJson(value);
  return comparable(kind, value);
}
