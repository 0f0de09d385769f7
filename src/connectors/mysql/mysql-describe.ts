import type { ColumnInfo, TableSchema, TargetSpec } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import type { ColumnKind } from '../../core/values.js';
import type { TableName } from './mysql-sql.js';

/** Runs one read-only query with bound parameters and returns its rows. */
export type RowQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/** One row of information_schema.COLUMNS, as far as describing needs it. */
export interface ColumnRow {
  /** COLUMN_NAME. */
  readonly name: string;
  /** DATA_TYPE, e.g. `decimal`. */
  readonly dataType: string;
  /** COLUMN_TYPE, e.g. `decimal(18,4)` or `tinyint(1)`. */
  readonly columnType: string;
  /** IS_NULLABLE: `YES` or `NO`. */
  readonly isNullable: string;
  /** CHARACTER_MAXIMUM_LENGTH, in characters. */
  readonly maxLength: string | number | null;
  /** NUMERIC_PRECISION. */
  readonly precision: string | number | null;
  /** NUMERIC_SCALE. */
  readonly scale: string | number | null;
  /** COLUMN_DEFAULT: SQL NULL or the text `NULL` when there is none (MySQL, MariaDB). */
  readonly columnDefault: string | null;
  /** EXTRA: `auto_increment`, `VIRTUAL GENERATED`, `DEFAULT_GENERATED`, … */
  readonly extra: string;
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'year']);
const STRING_TYPES = new Set([
  'char',
  'varchar',
  'tinytext',
  'text',
  'mediumtext',
  'longtext',
  'enum',
  'set',
]);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
const BOUNDED_TEXT_TYPES = new Set(['char', 'varchar']);

/**
 * The engine's kind of a MySQL column. TINYINT(1) and BIT(1) are booleans (BOOLEAN is an alias
 * of TINYINT(1)); a MariaDB JSON column is a LONGTEXT with a `json_valid` CHECK, passed in
 * `jsonColumns`.
 */
export function columnKind(dataType: string, columnType: string, isJsonText: boolean): ColumnKind {
  const type = dataType.toLowerCase();
  const full = columnType.toLowerCase();
  if (type === 'tinyint' && full === 'tinyint(1)') return 'boolean';
  if (type === 'bit') return full === 'bit(1)' ? 'boolean' : 'binary';
  if (INTEGER_TYPES.has(type)) return 'integer';
  if (type === 'decimal' || type === 'numeric') return 'decimal';
  if (type === 'float' || type === 'double' || type === 'real') return 'float';
  if (type === 'datetime') return 'timestamp';
  if (type === 'timestamp') return 'timestamptz';
  if (type === 'date') return 'date';
  if (type === 'time') return 'time';
  if (type === 'json' || isJsonText) return 'json';
  if (STRING_TYPES.has(type)) return 'string';
  if (BINARY_TYPES.has(type)) return 'binary';
  return 'other';
}

function optionalNumber(value: string | number | null): number | undefined {
  return value === null ? undefined : Number(value);
}

/** A ColumnInfo from a row of information_schema.COLUMNS. */
export function toColumnInfo(row: ColumnRow, jsonColumns: ReadonlySet<string>): ColumnInfo {
  const kind = columnKind(row.dataType, row.columnType, jsonColumns.has(row.name.toLowerCase()));
  const extra = row.extra.toLowerCase();
  // MariaDB reports a plain or implicit NULL default as the text NULL (literals come quoted);
  // MySQL reports no default as SQL NULL and marks expression defaults DEFAULT_GENERATED.
  const hasDefault =
    (row.columnDefault !== null && row.columnDefault.toUpperCase() !== 'NULL') ||
    extra.includes('auto_increment') ||
    extra.includes('generated') ||
    extra.includes('persistent');
  const maxLength = BOUNDED_TEXT_TYPES.has(row.dataType.toLowerCase())
    ? optionalNumber(row.maxLength)
    : undefined;
  const precision = kind === 'decimal' ? optionalNumber(row.precision) : undefined;
  const scale = kind === 'decimal' ? optionalNumber(row.scale) : undefined;
  return {
    name: row.name,
    nativeType: row.columnType.toLowerCase(),
    kind,
    nullable: row.isNullable === 'YES',
    ...(maxLength === undefined ? {} : { maxLength }),
    ...(precision === undefined ? {} : { precision }),
    ...(scale === undefined ? {} : { scale }),
    hasDefault,
  };
}

/** Names of the columns a MariaDB `json_valid(col)` CHECK clause validates. */
export function jsonCheckedColumns(clauses: readonly string[]): Set<string> {
  const columns = new Set<string>();
  for (const clause of clauses) {
    const match = /^\s*json_valid\(\s*`?([^`)]+)`?\s*\)\s*$/i.exec(clause);
    if (match?.[1] !== undefined) columns.add(match[1].toLowerCase());
  }
  return columns;
}

/** An index of a live table. */
export interface IndexInfo {
  /** INDEX_NAME; `PRIMARY` for the primary key. */
  readonly name: string;
  /** Indexed columns, in index order. */
  readonly columns: readonly string[];
  /** A PRIMARY KEY or UNIQUE index. */
  readonly isUnique: boolean;
  /** Some column is indexed by a prefix only (`name(5)`), so the index neither orders nor identifies by it fully. */
  readonly isPrefix: boolean;
}

/** Indexes from information_schema.STATISTICS rows (in index, then sequence order). */
export function indexesOf(rows: readonly Record<string, unknown>[]): IndexInfo[] {
  const indexes = new Map<string, { columns: string[]; isUnique: boolean; isPrefix: boolean }>();
  for (const row of rows) {
    const name = String(row.indexName);
    const index = indexes.get(name) ?? {
      columns: [],
      isUnique: Number(row.nonUnique) === 0,
      isPrefix: false,
    };
    index.columns.push(String(row.columnName));
    if (row.subPart !== null && row.subPart !== undefined) index.isPrefix = true;
    indexes.set(name, index);
  }
  return [...indexes].map(([name, index]) => ({ name, ...index }));
}

/** Unique keys among indexes; prefix indexes do not count. */
export function uniqueKeysOf(indexes: readonly IndexInfo[]): string[][] {
  return indexes.filter((index) => index.isUnique && !index.isPrefix).map((index) => [...index.columns]);
}

const COLUMNS_SQL = `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType,
  IS_NULLABLE AS isNullable, CHARACTER_MAXIMUM_LENGTH AS maxLength, NUMERIC_PRECISION AS \`precision\`,
  NUMERIC_SCALE AS scale, COLUMN_DEFAULT AS columnDefault, EXTRA AS extra
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?
  ORDER BY ORDINAL_POSITION`;

const INDEXES_SQL = `SELECT INDEX_NAME AS indexName, NON_UNIQUE AS nonUnique, COLUMN_NAME AS columnName, SUB_PART AS subPart
  FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?
  ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`;

// CHECK_CONSTRAINTS.TABLE_NAME exists on MariaDB only, which is also the only server that needs it.
const JSON_CHECKS_SQL = `SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS
  WHERE CONSTRAINT_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND CHECK_CLAUSE LIKE 'json_valid(%'`;

/** A TableSchema plus what only this connector needs. */
export interface MysqlTableSchema extends TableSchema {
  /** Columns filled by AUTO_INCREMENT. */
  readonly autoIncrementColumns: readonly string[];
  /** Every index, unique or not. */
  readonly indexes: readonly IndexInfo[];
}

/**
 * Describes a live table from information_schema (MySQL 8 and MariaDB 10.5+), or undefined when
 * it does not exist.
 */
export async function describeMysqlTable(
  query: RowQuery,
  table: TableName,
  isMariaDb: boolean,
): Promise<MysqlTableSchema | undefined> {
  const params = [table.database ?? null, table.table];
  const columnRows = (await query(COLUMNS_SQL, params)) as unknown as ColumnRow[];
  if (columnRows.length === 0) return undefined;
  const checks = isMariaDb ? await query(JSON_CHECKS_SQL, params) : [];
  const jsonColumns = jsonCheckedColumns(checks.map((row) => String(row.clause)));
  const indexes = indexesOf(await query(INDEXES_SQL, params));
  return {
    table: table.display,
    columns: columnRows.map((row) => toColumnInfo(row, jsonColumns)),
    uniqueKeys: uniqueKeysOf(indexes),
    indexes,
    autoIncrementColumns: columnRows
      .filter((row) => row.extra.toLowerCase().includes('auto_increment'))
      .map((row) => row.name),
  };
}

/** The schema's column of a name; MySQL column names are case-insensitive. */
export function findColumn(schema: TableSchema, name: string): ColumnInfo | undefined {
  const lower = name.toLowerCase();
  return schema.columns.find((column) => column.name.toLowerCase() === lower);
}

/**
 * Checks, before any write, that every column exists and that the target key has a unique index
 * of its own (without it `ON DUPLICATE KEY UPDATE` would insert duplicates, not upsert).
 */
export function checkTarget(target: TargetSpec, schema: TableSchema): void {
  const soft = target.onDelete.mode === 'soft' ? [target.onDelete.column] : [];
  for (const column of [target.key, ...target.columns, ...soft]) {
    if (findColumn(schema, column) === undefined) {
      throw new ConnectorError(
        'CONNECTOR_COLUMN_NOT_FOUND',
        `Flow "${target.flow}": MySQL table ${target.table} has no column "${column}"`,
        { flow: target.flow },
      );
    }
  }
  const key = target.key.toLowerCase();
  const isUnique = schema.uniqueKeys.some(
    (columns) => columns.length === 1 && columns[0]?.toLowerCase() === key,
  );
  if (!isUnique) {
    throw new ConnectorError(
      'CONNECTOR_NO_UNIQUE_KEY',
      `Flow "${target.flow}": column "${target.key}" of MySQL table ${target.table} has no PRIMARY KEY or UNIQUE index of its own, ` +
        `so upserts cannot be idempotent; add one with ALTER TABLE ${target.table} ADD UNIQUE (${target.key})`,
      { flow: target.flow },
    );
  }
}

/**
 * Unique keys other than the target key's that an upsert could collide with. `ON DUPLICATE KEY
 * UPDATE` fires on a collision with any unique index, so a record colliding on one of these would
 * silently overwrite another row; the writer checks such tables row by row instead. Keys that
 * contain the target key column, or consist of AUTO_INCREMENT columns only, cannot collide.
 */
export function collidingUniqueKeys(schema: MysqlTableSchema, key: string): (readonly string[])[] {
  const lower = key.toLowerCase();
  const generated = new Set(schema.autoIncrementColumns.map((column) => column.toLowerCase()));
  return schema.uniqueKeys.filter(
    (columns) =>
      !columns.some((column) => column.toLowerCase() === lower) &&
      !columns.every((column) => generated.has(column.toLowerCase())),
  );
}

/**
 * The index that serves the compound keyset `ORDER BY cursor, key`: one whose columns start with
 * (cursor, key), counting the primary key columns InnoDB appends to every secondary index, so an
 * index on (cursor) alone serves when the key is the primary key.
 */
export function cursorIndexOf(schema: MysqlTableSchema, cursor: string, key: string): string | undefined {
  const primary = schema.indexes.find((index) => index.name === 'PRIMARY')?.columns ?? [];
  const same = (a: string | undefined, b: string): boolean => a?.toLowerCase() === b.toLowerCase();
  if (same(cursor, key))
    return schema.indexes.find((index) => !index.isPrefix && same(index.columns[0], cursor))?.name;
  const candidate = schema.indexes.find((index) => {
    if (index.isPrefix) return false;
    const extended = [
      ...index.columns,
      ...primary.filter((column) => !index.columns.some((own) => same(own, column))),
    ];
    return same(extended[0], cursor) && same(extended[1], key);
  });
  return candidate?.name;
}
