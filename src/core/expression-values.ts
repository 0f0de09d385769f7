import { compareDecimals, normalizeDecimal } from './decimal.js';
import { valueText, type Value } from './values.js';

/** A number inside an expression: exact decimal text, never a binary float. */
export class ExpressionNumber {
  constructor(
    /** Decimal text: normalised when read from a row, as written for a literal. */
    readonly text: string,
  ) {}
}

/** A value inside an expression: text, an exact number, a boolean or NULL. */
export type ExpressionValue = string | ExpressionNumber | boolean | null;

/** A value or the reason it could not be computed (a record failure, never a throw). */
export type Evaluated =
  { readonly ok: true; readonly value: ExpressionValue } | { readonly ok: false; readonly reason: string };

/** A successful evaluation. */
export function valueOf(value: ExpressionValue): Evaluated {
  return { ok: true, value };
}

/** A failed evaluation. */
export function failure(reason: string): Evaluated {
  return { ok: false, reason };
}

/** A row value as an expression value: numbers become exact decimals, JSON and bytes text. */
export function fromRowValue(value: Value | undefined): ExpressionValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    const decimal = Number.isFinite(value) ? normalizeDecimal(String(value)) : undefined;
    return decimal === undefined ? String(value) : new ExpressionNumber(decimal);
  }
  return valueText(value);
}

/** An expression value as a row value: numbers as exact decimal text. */
export function toRowValue(value: ExpressionValue): Value {
  return value instanceof ExpressionNumber ? value.text : value;
}

/** The text of a non-NULL value (`true`/`false` for booleans). */
export function textOf(value: string | ExpressionNumber | boolean): string {
  if (value instanceof ExpressionNumber) return value.text;
  return typeof value === 'string' ? value : String(value);
}

/** A value for messages: text quoted, at most 60 characters. */
export function show(value: ExpressionValue): string {
  if (value === null) return 'NULL';
  if (value instanceof ExpressionNumber) return `number ${value.text}`;
  if (typeof value === 'boolean') return String(value);
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return `text ${JSON.stringify(shown)}`;
}

const TRUE_TEXT = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE_TEXT = new Set(['false', 'f', '0', 'no', 'n']);

/** A value read as a boolean (0/1 and 't'/'f' as databases store them), or undefined. */
function asBoolean(value: string | ExpressionNumber | boolean): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const text = textOf(value).trim().toLowerCase();
  if (TRUE_TEXT.has(text)) return true;
  if (FALSE_TEXT.has(text)) return false;
  return undefined;
}

/**
 * Compares two non-NULL values like `a - b`: numbers exactly (text that holds a number compares
 * with a number as one, since decimals arrive as text), booleans with booleans (or 0/1, 't'/'f'),
 * text with text by code points. Undefined when the two cannot be compared.
 */
export function compareValues(
  a: string | ExpressionNumber | boolean,
  b: string | ExpressionNumber | boolean,
): number | undefined {
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const left = asBoolean(a);
    const right = asBoolean(b);
    if (left === undefined || right === undefined) return undefined;
    return Number(left) - Number(right);
  }
  if (a instanceof ExpressionNumber || b instanceof ExpressionNumber) {
    const left = normalizeDecimal(textOf(a));
    const right = normalizeDecimal(textOf(b));
    if (left === undefined || right === undefined) return undefined;
    return compareDecimals(left, right);
  }
  return a === b ? 0 : a < b ? -1 : 1;
}
