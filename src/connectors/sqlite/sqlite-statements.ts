import type { PageRequest } from '../../core/keyset-reader.js';
import type { ScalarValue } from '../../core/values.js';
import { quoteIdentifier, quoteTable, type TableName } from './sqlite-identifiers.js';

/** SQLite's default limit of bound parameters in one statement (SQLITE_MAX_VARIABLE_NUMBER). */
export const MAX_PARAMETERS = 32_766;

/** One statement and its bound parameters. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** The validated names a source query needs. */
export interface SourceNames {
  readonly table: TableName;
  readonly key: string;
  readonly cursor: string;
  /** Columns to select, key and cursor included, without duplicates. */
  readonly columns: readonly string[];
}

interface Predicate {
  readonly where: string;
  readonly orderBy: string;
  readonly params: readonly ScalarValue[];
}

/** The WHERE and ORDER BY of one keyset page (see PageRequest); rows with a NULL cursor never match in cursor order. */
export function pagePredicate(names: SourceNames, page: PageRequest): Predicate {
  const key = quoteIdentifier(names.key);
  const cursor = quoteIdentifier(names.cursor);
  if (page.order === 'key') {
    return page.afterKey === undefined
      ? { where: '', orderBy: key, params: [] }
      : { where: `${key} > ?`, orderBy: key, params: [page.afterKey] };
  }
  const orderBy = `${cursor}, ${key}`;
  if (page.after !== undefined) {
    return { where: `(${cursor}, ${key}) > (?, ?)`, orderBy, params: [page.after.cursor, page.after.key] };
  }
  if (page.fromCursor !== undefined) return { where: `${cursor} >= ?`, orderBy, params: [page.fromCursor] };
  return { where: `${cursor} IS NOT NULL`, orderBy, params: [] };
}

function whereClause(where: string): string {
  return where === '' ? '' : ` WHERE ${where}`;
}

function selectList(columns: readonly string[]): string {
  return columns.map(quoteIdentifier).join(', ');
}

/** `SELECT columns FROM table WHERE … ORDER BY … LIMIT ?` for one keyset page. */
export function selectPageStatement(names: SourceNames, page: PageRequest): Statement {
  const { where, orderBy, params } = pagePredicate(names, page);
  return {
    sql: `SELECT ${selectList(names.columns)} FROM ${quoteTable(names.table)}${whereClause(where)} ORDER BY ${orderBy} LIMIT ?`,
    params: [...params, page.limit],
  };
}

/** Counts the rows of the page predicate, stopping at the page's limit. */
export function countPageStatement(names: SourceNames, page: PageRequest): Statement {
  const { where, params } = pagePredicate(names, page);
  return {
    sql: `SELECT COUNT(*) AS "pending" FROM (SELECT 1 FROM ${quoteTable(names.table)}${whereClause(where)} LIMIT ?)`,
    params: [...params, page.limit],
  };
}

/** The greatest cursor value of the table. */
export function maxCursorStatement(names: SourceNames): Statement {
  return {
    sql: `SELECT MAX(${quoteIdentifier(names.cursor)}) AS "max" FROM ${quoteTable(names.table)}`,
    params: [],
  };
}

/** Rows whose key is one of `keys`. */
export function selectByKeysStatement(names: SourceNames, keys: readonly unknown[]): Statement {
  const list = keys.map(() => '?').join(', ');
  return {
    sql: `SELECT ${selectList(names.columns)} FROM ${quoteTable(names.table)} WHERE ${quoteIdentifier(names.key)} IN (${list})`,
    params: keys,
  };
}

/**
 * A multi-row upsert: `INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE SET c = excluded.c`
 * for every column but the key, so only the given columns are touched.
 */
export function upsertStatement(
  table: TableName,
  key: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Statement {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const updates = columns
    .filter((column) => column !== key)
    .map((column) => `${quoteIdentifier(column)} = excluded.${quoteIdentifier(column)}`);
  const onConflict = updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`;
  return {
    sql: `INSERT INTO ${quoteTable(table)} (${selectList(columns)}) VALUES ${rows.map(() => tuple).join(', ')} ON CONFLICT (${quoteIdentifier(key)}) ${onConflict}`,
    params: rows.flat(),
  };
}

/** Deletes the rows with these keys. */
export function deleteStatement(table: TableName, key: string, keys: readonly unknown[]): Statement {
  return {
    sql: `DELETE FROM ${quoteTable(table)} WHERE ${quoteIdentifier(key)} IN (${keys.map(() => '?').join(', ')})`,
    params: keys,
  };
}

/** Splits items into chunks whose statements stay under the parameter limit (`perItem` parameters each). */
export function chunkForParameters<T>(items: readonly T[], perItem: number, maxRows = 2_000): T[][] {
  const size = Math.max(1, Math.min(maxRows, Math.floor(MAX_PARAMETERS / Math.max(1, perItem))));
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
