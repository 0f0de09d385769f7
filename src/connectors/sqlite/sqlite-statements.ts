import type { PageRequest } from '../../core/keyset-reader.js';
import { rangeBounds } from '../../core/range-reader.js';
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

/**
 * The WHERE (without the keyword) and ORDER BY of one keyset page (see PageRequest), its range
 * bounds ANDed in; rows with a NULL cursor never match in cursor order.
 */
export function pagePredicate(names: SourceNames, page: PageRequest): Predicate {
  const key = quoteIdentifier(names.key);
  const cursor = quoteIdentifier(names.cursor);
  const conditions: string[] = [];
  const params: ScalarValue[] = [];
  if (page.order === 'key') {
    if (page.afterKey !== undefined) {
      conditions.push(`${key} > ?`);
      params.push(page.afterKey);
    }
  } else if (page.after !== undefined) {
    conditions.push(`(${cursor}, ${key}) > (?, ?)`);
    params.push(page.after.cursor, page.after.key);
  } else if (page.fromCursor !== undefined) {
    conditions.push(`${cursor} >= ?`);
    params.push(page.fromCursor);
  } else {
    conditions.push(`${cursor} IS NOT NULL`);
  }
  for (const bound of rangeBounds(page.bounds)) {
    conditions.push(`${bound.column === 'key' ? key : cursor} ${bound.operator} ?`);
    params.push(bound.value);
  }
  return {
    where: conditions.join(' AND '),
    orderBy: page.order === 'key' ? key : `${cursor}, ${key}`,
    params,
  };
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
    sql: `SELECT ${selectList(names.columns)} FROM ${quoteTable(names.table)}${whereClause(where)} ORDER BY ${orderBy} LIMIT ?${page.offset === undefined ? '' : ' OFFSET ?'}`,
    params: [...params, page.limit, ...(page.offset === undefined ? [] : [page.offset])],
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

/**
 * `UPDATE … SET c = ? … WHERE key = ?` of one record (`row` in `columns` order, key first): only
 * the given columns are set, and a missing row is simply not changed. A record of the key alone
 * sets the key to itself, so the statement still tells whether the row exists.
 */
export function updateStatement(
  table: TableName,
  key: string,
  columns: readonly string[],
  row: readonly unknown[],
): Statement {
  const assigned = columns.filter((column) => column !== key);
  const set = (assigned.length === 0 ? [key] : assigned).map(
    (column) => `${quoteIdentifier(column)} = ${column === key ? quoteIdentifier(key) : '?'}`,
  );
  const values = columns.flatMap((column, index) => (column === key ? [] : [row[index]]));
  return {
    sql: `UPDATE ${quoteTable(table)} SET ${set.join(', ')} WHERE ${quoteIdentifier(key)} = ?`,
    params: [...values, row[columns.indexOf(key)]],
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
