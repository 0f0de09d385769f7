/**
 * Canonical values that cross the connector seam. Anything that must stay exact travels as a
 * string: decimals, 64-bit integers, timestamps (ISO 8601, with their offset when the column is
 * zoned) and dates (`YYYY-MM-DD`). Connectors convert driver values to and from these.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One column value of a row, in canonical form. */
export type Value =
  string | number | boolean | null | Uint8Array | JsonValue[] | { [key: string]: JsonValue };

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
