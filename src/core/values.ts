/**
 * Canonical values that cross the connector seam. Anything that must stay exact travels as a
 * string: decimals, 64-bit integers, timestamps (ISO 8601, with their offset when the column is
 * zoned) and dates (`YYYY-MM-DD`). Connectors convert driver values to and from these.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A JSON document that is the JSON literal `null` (PostgreSQL `'null'::jsonb`, a MySQL JSON `null`),
 * distinct from SQL NULL (`null`): a target that can store a JSON null (a JSON or text column)
 * stores the text `null`, never SQL NULL. `JSON.stringify` writes it as `null`, so every writer
 * that writes JSON as text writes it verbatim. Use the one instance, `JSON_NULL`.
 */
export class JsonNull {
  /** `JSON.stringify` writes the JSON literal `null`. */
  toJSON(): null {
    return null;
  }

  /** The JSON text, `null`. */
  toString(): string {
    return 'null';
  }
}

/** The JSON null document (see JsonNull). */
export const JSON_NULL: JsonNull = Object.freeze(new JsonNull());

/** Whether a value is the JSON null document (not SQL NULL). */
export function isJsonNull(value: unknown): value is JsonNull {
  return value instanceof JsonNull;
}

/**
 * A JSON document read from a database's text: parsed, with the document `null` as JSON_NULL so
 * it stays distinct from SQL NULL. Throws on text that is not JSON.
 */
export function parseJsonDocument(text: string): JsonValue | JsonNull {
  const parsed = JSON.parse(text) as JsonValue;
  return parsed === null ? JSON_NULL : parsed;
}

/** One column value of a row, in canonical form. */
export type Value =
  string | number | boolean | null | Uint8Array | JsonNull | JsonValue[] | { [key: string]: JsonValue };

/** One row: column name → canonical value. */
export type Row = Record<string, Value>;

/** The kinds of column the engine reasons about when it compares two schemas. */
export const ColumnKinds = [
  'string',
  'integer',
  'decimal',
  'float',
  'boolean',
  'timestamp',
  'timestamptz',
  'date',
  'time',
  'json',
  'binary',
  'other',
] as const;
export type ColumnKind = (typeof ColumnKinds)[number];

/** Whether a column kind holds points in time, so a duration lookback applies to it. */
export function isTemporalKind(kind: ColumnKind): boolean {
  return kind === 'timestamp' || kind === 'timestamptz' || kind === 'date';
}

/** A key or cursor value as stored in a checkpoint or the key map. */
export type ScalarValue = string | number;

/** A value as text, for dictionary lookups, key maps and messages: JSON for objects, hex for bytes. */
export function valueText(value: Value | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return JSON.stringify(value);
}

/** The given columns of a row, in that order, NULL for a column the row lacks. */
export function pickColumns(row: Row, columns: readonly string[]): Row {
  const picked: Row = {};
  for (const column of columns) picked[column] = row[column] ?? null;
  return picked;
}

/**
 * Whether a text is valid Unicode, so it has a UTF-8 form: a lone UTF-16 surrogate (from a JSON
 * `"\ud800"` escape, say) has none, and every driver would silently write U+FFFD in its place.
 */
export function isWellFormedText(text: string): boolean {
  // ES2024 `String.prototype.isWellFormed` (Node 20 has it; our `lib` is older): about 5× faster
  // than matching /\p{Cs}/u, and this runs for every text value written.
  return (text as unknown as WellFormedCheck).isWellFormed();
}

/** A string with ES2024's `isWellFormed`, which the configured `lib` does not declare. */
interface WellFormedCheck {
  isWellFormed(): boolean;
}

/** Why a text cannot be written exactly by any database, for the dead letter. */
export const MALFORMED_TEXT_REASON =
  'the text is not valid Unicode (it holds a lone UTF-16 surrogate, which has no UTF-8 form and would be written as U+FFFD)';
