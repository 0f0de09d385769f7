import type { Value } from '../../src/core/values.js';

/**
 * What a column holds, independent of how a database spells it. A source column of one kind is
 * mapped to the target column of the same kind; every connector catalogue lists its types by kind.
 */
export const VALUE_KINDS = [
  'float',
  'decimal',
  'int64',
  'int32',
  'text',
  'varchar',
  'flagText',
  'flagInt',
  'boolean',
  'date',
  'timestamp',
  'timestamptz',
  'json',
  'uuid',
] as const;

/** One of VALUE_KINDS. */
export type ValueKind = (typeof VALUE_KINDS)[number];

/** A JSON `null` document, distinct from SQL NULL (`null`). */
export const JSON_NULL: unique symbol = Symbol('JSON null');

/** A cell value: a canonical value, or a JSON `null` document. */
export type CellValue = Value | typeof JSON_NULL;

/** One value of the matrix with a stable label (the cell's name in KNOWN_ENGINE_GAPS and reports). */
export interface EdgeValue {
  /** Unique within its kind; stable across runs (property cases carry their index). */
  readonly label: string;
  /** The value; `null` is SQL NULL. */
  readonly value: CellValue;
}

/** A value as text for labels and docs. */
export function showValue(value: CellValue): string {
  if (value === JSON_NULL) return 'JSON null';
  if (value === null) return 'SQL NULL';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
