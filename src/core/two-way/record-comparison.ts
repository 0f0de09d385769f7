import type { ColumnInfo, FieldType, TableSchema } from '../connector.js';
import { canonicalText, type CompareKind } from '../digest.js';
import type { CanonicalRecord } from '../state-store.js';
import { isJsonNull, valueText, type Row, type Value } from '../values.js';

/** How one column's values are put in canonical text: a compare kind, or stable JSON. */
export interface ColumnComparison {
  readonly kind: CompareKind | 'json';
  /** Zone of naive timestamps compared as instants. */
  readonly zone?: string;
}

/**
 * The compare kind of a target column: from its live type when the target can describe it, else
 * from the mapping's declared type, else text. A naive timestamp column of a connector with a fixed
 * wall-clock zone (MySQL's `timezone`) compares as an instant in that zone, so a zoned source value
 * and the naive value the target stores for it are equal.
 */
export function columnComparison(
  column: ColumnInfo | undefined,
  declared: FieldType | undefined,
  wallClockZone: string | undefined,
): ColumnComparison {
  switch (column?.kind) {
    case 'integer':
    case 'decimal':
    case 'float':
      return { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'date':
      return { kind: 'date' };
    case 'timestamp':
      return wallClockZone === undefined ? { kind: 'wall' } : { kind: 'instant', zone: wallClockZone };
    case 'timestamptz':
      return { kind: 'instant' };
    case 'json':
      return { kind: 'json' };
    case undefined:
      break;
    default:
      return { kind: 'text' };
  }
  switch (declared) {
    case 'integer':
    case 'decimal':
      return { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'date':
      return { kind: 'date' };
    case 'timestamp':
      return { kind: 'instant' };
    case 'json':
      return { kind: 'json' };
    default:
      return { kind: 'text' };
  }
}

/** JSON with object keys sorted, so `{"b":1,"a":2}` and `{"a":2,"b":1}` compare equal. */
export function stableJson(value: Value): string {
  if (value instanceof Uint8Array) return valueText(value);
  if (value === null || typeof value !== 'object' || isJsonNull(value)) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item)).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${stableJson(value[key] ?? null)}`);
  return `{${entries.join(',')}}`;
}

function parsedJson(value: Value): Value {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as Value;
  } catch {
    return value;
  }
}

/** The canonical text of one value under a column comparison. */
export function comparableText(value: Value | undefined, comparison: ColumnComparison): string | null {
  if (value === null || value === undefined) return null;
  if (comparison.kind === 'json') return stableJson(parsedJson(value));
  return canonicalText(value, comparison.kind, comparison.zone);
}

/** Compares records of a two-way flow column by column, in canonical text. */
export class RecordComparison {
  /** Compared target columns, in a fixed order. */
  readonly columns: readonly string[];
  readonly #comparisons: ReadonlyMap<string, ColumnComparison>;

  constructor(columns: readonly string[], comparisons: ReadonlyMap<string, ColumnComparison>) {
    this.columns = columns;
    this.#comparisons = comparisons;
  }

  /** Builds the comparison of a flow's target columns from the live target schema, if any. */
  static forTarget(
    columns: readonly string[],
    schema: TableSchema | undefined,
    types: Readonly<Record<string, FieldType | undefined>>,
    wallClockZone: string | undefined,
  ): RecordComparison {
    const comparisons = new Map<string, ColumnComparison>();
    for (const name of columns) {
      const info = schema?.columns.find((column) => column.name === name);
      comparisons.set(name, columnComparison(info, types[name], wallClockZone));
    }
    return new RecordComparison(columns, comparisons);
  }

  /** How a column compares. */
  comparisonOf(column: string): ColumnComparison {
    return this.#comparisons.get(column) ?? { kind: 'text' };
  }

  /** A record's canonical text per compared column. */
  canonical(values: Row): CanonicalRecord {
    const record: Record<string, string | null> = {};
    for (const column of this.columns)
      record[column] = comparableText(values[column], this.comparisonOf(column));
    return record;
  }

  /** Compared columns whose canonical texts differ. */
  diff(a: CanonicalRecord, b: CanonicalRecord): string[] {
    return this.columns.filter((column) => (a[column] ?? null) !== (b[column] ?? null));
  }

  /** Whether two canonical records are equal in every compared column. */
  isEqual(a: CanonicalRecord, b: CanonicalRecord): boolean {
    return this.columns.every((column) => (a[column] ?? null) === (b[column] ?? null));
  }
}
