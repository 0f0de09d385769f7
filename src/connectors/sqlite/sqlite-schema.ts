import type { Database } from 'better-sqlite3';
import type { ColumnInfo, TableSchema } from '../../core/connector.js';
import type { ColumnKind } from '../../core/values.js';
import type { TableName } from './sqlite-identifiers.js';

/** What a declared column type says about its values. */
export interface DeclaredType {
  readonly kind: ColumnKind;
  /** Maximum length in characters (`VARCHAR(n)`, `CHAR(n)`). */
  readonly maxLength?: number;
  /** Total digits (`DECIMAL(p,s)`). */
  readonly precision?: number;
  /** Digits after the point (`DECIMAL(p,s)`). */
  readonly scale?: number;
  /**
   * SQLite's NUMERIC affinity: text that looks like a number is stored as INTEGER or REAL, so a
   * decimal with more than 15 significant digits would be rounded. `DECIMAL TEXT(p,s)` has TEXT
   * affinity and keeps decimals exact.
   */
  readonly hasNumericAffinity: boolean;
}

function sizeOf(declared: string): number[] {
  const match = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(declared);
  if (match === null) return [];
  return [match[1], match[2]].filter((part): part is string => part !== undefined).map(Number);
}

/** SQLite's affinity rules (datatype3 §3.1), in their order. */
function affinityOf(upper: string): 'integer' | 'text' | 'blob' | 'real' | 'numeric' {
  if (upper.includes('INT')) return 'integer';
  if (upper.includes('CHAR') || upper.includes('CLOB') || upper.includes('TEXT')) return 'text';
  if (upper.includes('BLOB') || upper.trim() === '') return 'blob';
  if (upper.includes('REAL') || upper.includes('FLOA') || upper.includes('DOUB')) return 'real';
  return 'numeric';
}

/** Reads a declared column type (`DECIMAL(18,4)`, `VARCHAR(255)`, `TIMESTAMPTZ`…) into a column kind. */
export function parseDeclaredType(declared: string): DeclaredType {
  const upper = declared.toUpperCase();
  const words = upper.split(/[^A-Z0-9_]+/).filter((word) => word.length > 0);
  const has = (...names: string[]): boolean => names.some((name) => words.includes(name));
  const affinity = affinityOf(upper);
  const base = { hasNumericAffinity: affinity === 'numeric' };
  const [first, second] = sizeOf(upper);

  if (has('BOOL', 'BOOLEAN')) return { ...base, kind: 'boolean' };
  if (has('JSON', 'JSONB')) return { ...base, kind: 'json' };
  if (has('TIMESTAMPTZ') || /TIMESTAMP\s*(\(\s*\d+\s*\))?\s+WITH\s+TIME\s+ZONE/.test(upper)) {
    return { ...base, kind: 'timestamptz' };
  }
  if (has('TIMESTAMP', 'DATETIME')) return { ...base, kind: 'timestamp' };
  if (has('DATE')) return { ...base, kind: 'date' };
  if (has('TIME')) return { ...base, kind: 'time' };
  if (has('DECIMAL', 'NUMERIC', 'NUMBER', 'MONEY')) {
    return {
      ...base,
      kind: 'decimal',
      ...(first === undefined ? {} : { precision: first, scale: second ?? 0 }),
    };
  }
  switch (affinity) {
    case 'integer':
      return { ...base, kind: 'integer' };
    case 'text':
      return { ...base, kind: 'string', ...(first === undefined ? {} : { maxLength: first }) };
    case 'real':
      return { ...base, kind: 'float' };
    case 'blob':
      return { ...base, kind: upper.includes('BLOB') ? 'binary' : 'other' };
    case 'numeric':
      return { ...base, kind: 'other' };
  }
}

interface XInfoRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

interface IndexListRow {
  name: string;
  unique: number;
  partial: number;
}

/** A live column with what the connector needs beyond ColumnInfo to convert its values. */
export interface SqliteColumn extends ColumnInfo {
  readonly hasNumericAffinity: boolean;
}

/** A live table: its columns by name, and its unique keys. */
export interface SqliteTable extends TableSchema {
  readonly columns: readonly SqliteColumn[];
  readonly columnsByName: ReadonlyMap<string, SqliteColumn>;
}

/**
 * Reads a table's columns (`pragma table_xinfo`) and unique keys (`pragma index_list/index_info`,
 * plus an INTEGER PRIMARY KEY, which has no index of its own). Undefined when the table does not exist.
 */
export function readTableSchema(
  db: Database,
  table: TableName,
  displayName: string,
): SqliteTable | undefined {
  const rows = db
    .prepare('SELECT * FROM pragma_table_xinfo(?, ?)')
    .all(table.name, table.schema) as XInfoRow[];
  if (rows.length === 0) return undefined;
  const primaryKey = rows.filter((row) => row.pk > 0).sort((a, b) => a.pk - b.pk);
  const isRowidAlias = primaryKey.length === 1 && primaryKey[0]?.type.toUpperCase() === 'INTEGER';
  const columns = rows
    .filter((row) => row.hidden !== 1)
    .map((row): SqliteColumn => {
      const declared = parseDeclaredType(row.type);
      const isRowid = isRowidAlias && row.pk > 0;
      return {
        name: row.name,
        nativeType: row.type,
        kind: declared.kind,
        nullable: row.notnull === 0 && !isRowid,
        ...(declared.maxLength === undefined ? {} : { maxLength: declared.maxLength }),
        ...(declared.precision === undefined ? {} : { precision: declared.precision }),
        ...(declared.scale === undefined ? {} : { scale: declared.scale }),
        hasDefault: row.dflt_value !== null || row.hidden >= 2 || isRowid,
        hasNumericAffinity: declared.hasNumericAffinity,
      };
    });

  const uniqueKeys: string[][] = [];
  const addKey = (key: string[]): void => {
    if (
      !uniqueKeys.some((known) => known.length === key.length && known.every((name, i) => name === key[i]))
    ) {
      uniqueKeys.push(key);
    }
  };
  if (primaryKey.length > 0) addKey(primaryKey.map((row) => row.name));
  const indexes = db
    .prepare('SELECT * FROM pragma_index_list(?, ?)')
    .all(table.name, table.schema) as IndexListRow[];
  for (const index of indexes) {
    if (index.unique !== 1 || index.partial !== 0) continue;
    const parts = db
      .prepare('SELECT name FROM pragma_index_info(?, ?) ORDER BY seqno')
      .all(index.name, table.schema) as {
      name: string | null;
    }[];
    // An index on an expression has no column name for that part; it cannot serve as a key.
    if (parts.length > 0 && parts.every((part) => part.name !== null))
      addKey(parts.map((part) => part.name as string));
  }
  return {
    table: displayName,
    columns,
    columnsByName: new Map(columns.map((column) => [column.name, column])),
    uniqueKeys,
  };
}

/** Whether one unique key of the table is exactly this single column (what `ON CONFLICT (key)` needs). */
export function hasSingleColumnUniqueKey(table: SqliteTable, column: string): boolean {
  return table.uniqueKeys.some((key) => key.length === 1 && key[0] === column);
}
