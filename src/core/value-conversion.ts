import type { FieldType } from '../config/field-types.js';
import { normalizeDecimal } from './decimal.js';
import { parseJsonDocument, type Value } from './values.js';

/** A converted value, or why it could not be converted. */
export type Conversion =
  { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly reason: string };

const TRUE_WORDS = new Set(['1', 't', 'true', 'y', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'f', 'false', 'n', 'no', 'off']);
const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function describe(value: Value): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'object' && value !== null) return 'a JSON value';
  return String(value);
}

function fail(value: Value, what: string): Conversion {
  return { ok: false, reason: `${describe(value)} is not ${what}` };
}

function isValidDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function toTimestamp(value: Value): Conversion {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // A number is read as milliseconds since the epoch.
    return { ok: true, value: new Date(value).toISOString() };
  }
  if (typeof value !== 'string') return fail(value, 'a timestamp');
  const match = TIMESTAMP.exec(value.trim());
  if (match === null) {
    const dateOnly = DATE.exec(value.trim());
    return dateOnly === null
      ? fail(value, 'a timestamp (ISO 8601, e.g. 2026-11-11T20:00:00+08:00)')
      : { ok: true, value: `${value.trim()}T00:00:00` };
  }
  const [, date = '', time = '', zone] = match;
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  if (!isValidDate(year, month, day)) return fail(value, 'a valid date');
  const fullTime = time.length === 5 ? `${time}:00` : time;
  let offset = zone ?? '';
  if (/^[+-]\d{2}$/.test(offset)) offset += ':00';
  else if (/^[+-]\d{4}$/.test(offset)) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  else if (offset.toLowerCase() === 'z') offset = 'Z';
  return { ok: true, value: `${date}T${fullTime}${offset}` };
}

function toDate(value: Value): Conversion {
  if (typeof value !== 'string') return fail(value, 'a date (YYYY-MM-DD)');
  const text = value.trim();
  const datePart = TIMESTAMP.exec(text)?.[1] ?? text;
  const match = DATE.exec(datePart);
  if (match === null || !isValidDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    return fail(value, 'a date (YYYY-MM-DD)');
  }
  return { ok: true, value: datePart };
}

function toInteger(value: Value): Conversion {
  if (typeof value === 'number')
    return Number.isInteger(value) ? { ok: true, value } : fail(value, 'an integer');
  if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
  if (typeof value !== 'string') return fail(value, 'an integer');
  const normalized = normalizeDecimal(value);
  if (normalized === undefined || /\.\d*[1-9]/.test(normalized)) return fail(value, 'an integer');
  const integer = normalized.replace(/\.0*$/, '');
  const asNumber = Number(integer);
  return { ok: true, value: Number.isSafeInteger(asNumber) ? asNumber : integer };
}

function toDecimal(value: Value): Conversion {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? { ok: true, value: normalizeDecimal(String(value)) ?? String(value) }
      : fail(value, 'a decimal number');
  }
  if (typeof value !== 'string') return fail(value, 'a decimal number');
  const normalized = normalizeDecimal(value);
  return normalized === undefined ? fail(value, 'a decimal number') : { ok: true, value: normalized };
}

/**
 * The boolean a value stands for — `true`/`false`, 1/0, and the words `t`/`f`, `y`/`n`,
 * `yes`/`no`, `on`/`off` in any case — or undefined when it stands for none. The one rule for
 * mapping `type: boolean`, soft-delete flags and text-stored booleans.
 */
export function parseBoolean(value: Value | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return undefined;
}

function toBoolean(value: Value): Conversion {
  const parsed = parseBoolean(value);
  return parsed === undefined
    ? fail(value, 'a boolean (true/false, 1/0, yes/no)')
    : { ok: true, value: parsed };
}

function toJson(value: Value): Conversion {
  if (typeof value === 'string') {
    try {
      return { ok: true, value: parseJsonDocument(value) };
    } catch {
      return fail(value, 'valid JSON');
    }
  }
  if (value instanceof Uint8Array) return fail(value, 'JSON');
  return { ok: true, value };
}

function toText(value: Value): Conversion {
  if (typeof value === 'string') return { ok: true, value };
  if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
  if (value instanceof Uint8Array) return fail(value, 'text');
  return { ok: true, value: JSON.stringify(value) };
}

/** Converts a non-null canonical value to a declared mapping type, exactly. */
export function convertValue(value: Value, type: FieldType): Conversion {
  if (value === null) return { ok: true, value: null };
  switch (type) {
    case 'string':
      return toText(value);
    case 'integer':
      return toInteger(value);
    case 'decimal':
      return toDecimal(value);
    case 'boolean':
      return toBoolean(value);
    case 'timestamp':
      return toTimestamp(value);
    case 'date':
      return toDate(value);
    case 'json':
      return toJson(value);
  }
}
