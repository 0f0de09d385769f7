import { ConnectorError } from '../../core/errors.js';
import { describeIdentifierRule, isPlainIdentifier as isPlainName } from '../../config/identifiers.js';
import type { PageRequest } from '../../core/keyset-reader.js';
import { rangeBounds } from '../../core/range-reader.js';

/** A validated table name, optionally qualified by its database. */
export interface TableName {
  /** The database part of `database.table`, or undefined for the connection's database. */
  readonly database: string | undefined;
  /** The table part. */
  readonly table: string;
  /** Backtick-quoted, ready for SQL. */
  readonly quoted: string;
  /** As configured, for messages. */
  readonly display: string;
}

/** The same rule as the config's, so a name `syncline validate` accepts is never refused here. */
function isPlainIdentifier(part: string): boolean {
  return isPlainName(part);
}

function rejectIdentifier(what: string, name: string, flow: string | undefined): never {
  throw new ConnectorError(
    'CONFIG_INVALID',
    `${flow === undefined ? '' : `Flow "${flow}": `}${what} ${JSON.stringify(name)} is not a plain MySQL identifier ` +
      `(it ${describeIdentifierRule()}); it was rejected before any SQL ran`,
    flow === undefined ? {} : { flow },
  );
}

/** Validates `table` or `database.table` and quotes it; throws a ConnectorError naming it otherwise. */
export function parseTableName(name: string, flow?: string): TableName {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every(isPlainIdentifier)) rejectIdentifier('table name', name, flow);
  const [first, second] = parts as [string, string | undefined];
  return {
    database: second === undefined ? undefined : first,
    table: second ?? first,
    quoted: parts.map((part) => `\`${part}\``).join('.'),
    display: name,
  };
}

/** Validates a column name and quotes it with backticks; throws a ConnectorError naming it otherwise. */
export function quoteColumn(name: string, flow?: string): string {
  if (!isPlainIdentifier(name)) rejectIdentifier('column name', name, flow);
  return `\`${name}\``;
}

/** A statement and its bound parameters (`?` placeholders, escaped by the driver). */
export interface Statement {
  /** SQL text with `?` placeholders; identifiers validated and quoted. */
  readonly sql: string;
  /** One value per placeholder; an array of rows for `VALUES ?`, an array for `IN (?)`. */
  readonly params: unknown[];
}

/** What a keyset page query needs, identifiers already validated. */
export interface PageQuery {
  readonly table: TableName;
  /** Columns to select. */
  readonly columns: readonly string[];
  /** Key column. */
  readonly key: string;
  /** Cursor column. */
  readonly cursor: string;
  /** Converts a key or cursor value to the value bound for that column. */
  readonly bind: (column: string, value: string | number) => unknown;
  /** The index serving `ORDER BY cursor, key`, if the table has one (see cursorIndexOf). */
  readonly cursorIndex?: string | undefined;
}

/**
 * The table of a page query, with `FORCE INDEX` of the (cursor, key) index for cursor-order
 * pages: without it, when many rows share a cursor value, MySQL and MariaDB may pick an
 * index_merge of the cursor index and the primary key plus a filesort, which reads every
 * matching row for each page instead of the next `limit` rows in index order.
 */
function pageSource(query: PageQuery, page: PageRequest): string {
  if (page.order !== 'cursor' || query.cursorIndex === undefined) return query.table.quoted;
  // A server-provided name, not config: quote it by doubling backticks rather than rejecting it.
  return `${query.table.quoted} FORCE INDEX (\`${query.cursorIndex.replace(/`/g, '``')}\`)`;
}

/**
 * The WHERE and ORDER BY of one page (the four shapes of PageRequest, its range bounds ANDed in).
 * The compound keyset is written as `cursor > ? OR (cursor = ? AND key > ?)`, which MySQL and
 * MariaDB both turn into a range scan of a (cursor, key) index. Every value is bound through
 * `query.bind`, converted for its column.
 */
export function pagePredicate(query: PageQuery, page: PageRequest): Statement {
  const key = quoteColumn(query.key);
  const cursor = quoteColumn(query.cursor);
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (page.order === 'key') {
    if (page.afterKey !== undefined) {
      conditions.push(`${key} > ?`);
      params.push(query.bind(query.key, page.afterKey));
    }
  } else if (page.after !== undefined) {
    const after = query.bind(query.cursor, page.after.cursor);
    conditions.push(`(${cursor} > ? OR (${cursor} = ? AND ${key} > ?))`);
    params.push(after, after, query.bind(query.key, page.after.key));
  } else if (page.fromCursor !== undefined) {
    conditions.push(`${cursor} >= ?`);
    params.push(query.bind(query.cursor, page.fromCursor));
  } else {
    conditions.push(`${cursor} IS NOT NULL`);
  }
  for (const bound of rangeBounds(page.bounds)) {
    const column = bound.column === 'key' ? query.key : query.cursor;
    conditions.push(`${quoteColumn(column)} ${bound.operator} ?`);
    params.push(query.bind(column, bound.value));
  }
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')} `;
  return { sql: `${where}ORDER BY ${page.order === 'key' ? key : `${cursor}, ${key}`}`, params };
}

/** Columns to select: each quoted and aliased to itself, so row keys are the configured names. */
export function selectList(columns: readonly string[]): string {
  return columns.map((column) => `${quoteColumn(column)} AS ${quoteColumn(column)}`).join(', ');
}

/** `SELECT … ORDER BY … LIMIT n` for one page. */
export function buildPageQuery(query: PageQuery, page: PageRequest): Statement {
  const predicate = pagePredicate(query, page);
  return {
    sql: `SELECT ${selectList(query.columns)} FROM ${pageSource(query, page)} ${predicate.sql} LIMIT ?${page.offset === undefined ? '' : ' OFFSET ?'}`,
    params: [...predicate.params, page.limit, ...(page.offset === undefined ? [] : [page.offset])],
  };
}

/** Counts the rows of a page's predicate, at most `limit` of them. */
export function buildCountQuery(query: PageQuery, page: PageRequest): Statement {
  const predicate = pagePredicate(query, page);
  const where = predicate.sql.replace(/ ?ORDER BY .*$/, '');
  return {
    sql: `SELECT COUNT(*) AS pending FROM (SELECT 1 FROM ${pageSource(query, page)} ${where} LIMIT ?) AS pending_rows`,
    params: [...predicate.params, page.limit],
  };
}

/** How an upsert names the incoming row in its UPDATE clause. */
export type UpsertSyntax = 'values-function' | 'row-alias';

/**
 * A multi-row `INSERT … ON DUPLICATE KEY UPDATE` of `rows` (each in the order of `columns`).
 * `values-function` (`col = VALUES(col)`) works on MariaDB and MySQL; `row-alias`
 * (`AS incoming … col = incoming.col`) is MySQL 8.0.20+, where VALUES() is deprecated.
 */
export function buildUpsert(
  table: TableName,
  columns: readonly string[],
  key: string,
  rows: readonly unknown[][],
  syntax: UpsertSyntax,
): Statement {
  const updated = columns.filter((column) => column !== key);
  // A record holding only its key still needs an UPDATE clause; assigning the key to itself is a no-op.
  const assigned = updated.length > 0 ? updated : [key];
  const incoming = (column: string): string =>
    syntax === 'row-alias' ? `incoming.${quoteColumn(column)}` : `VALUES(${quoteColumn(column)})`;
  const assignments = assigned.map((column) => `${quoteColumn(column)} = ${incoming(column)}`).join(', ');
  const alias = syntax === 'row-alias' ? ' AS incoming' : '';
  return {
    sql: `INSERT INTO ${table.quoted} (${columns.map((column) => quoteColumn(column)).join(', ')}) VALUES ?${alias} ON DUPLICATE KEY UPDATE ${assignments}`,
    params: [rows],
  };
}

/** `DELETE … WHERE key IN (…)`. */
export function buildDelete(table: TableName, key: string, keys: readonly unknown[]): Statement {
  return { sql: `DELETE FROM ${table.quoted} WHERE ${quoteColumn(key)} IN (?)`, params: [keys] };
}

/** `UPDATE … SET column = TRUE WHERE key IN (…)`: a soft delete. */
export function buildSoftDelete(
  table: TableName,
  key: string,
  column: string,
  keys: readonly unknown[],
): Statement {
  return {
    sql: `UPDATE ${table.quoted} SET ${quoteColumn(column)} = TRUE WHERE ${quoteColumn(key)} IN (?)`,
    params: [keys],
  };
}

/** `SELECT … WHERE key IN (…)`. */
export function buildSelectByKeys(
  table: TableName,
  columns: readonly string[],
  key: string,
  keys: readonly unknown[],
): Statement {
  return {
    sql: `SELECT ${selectList(columns)} FROM ${table.quoted} WHERE ${quoteColumn(key)} IN (?)`,
    params: [keys],
  };
}

/** A multi-row `INSERT` without an upsert clause: any unique collision is an error. */
export function buildInsert(
  table: TableName,
  columns: readonly string[],
  rows: readonly unknown[][],
): Statement {
  return {
    sql: `INSERT INTO ${table.quoted} (${columns.map((column) => quoteColumn(column)).join(', ')}) VALUES ?`,
    params: [rows],
  };
}

/** `UPDATE … SET a = ?, b = ? WHERE key = ?` of one record. */
export function buildUpdate(
  table: TableName,
  columns: readonly string[],
  key: string,
  values: readonly unknown[],
  keyValue: unknown,
): Statement {
  const assignments = columns.map((column) => `${quoteColumn(column)} = ?`).join(', ');
  return {
    sql: `UPDATE ${table.quoted} SET ${assignments} WHERE ${quoteColumn(key)} = ?`,
    params: [...values, keyValue],
  };
}

/**
 * One `UPDATE` of several rows: `SET c = CASE key WHEN ? THEN ? … ELSE c END, … WHERE key IN (…)`,
 * each row's key and values (in `columns` order) bound, so each row gets its own values.
 */
export function buildMultiUpdate(
  table: TableName,
  columns: readonly string[],
  key: string,
  rows: readonly { readonly key: unknown; readonly values: readonly unknown[] }[],
): Statement {
  const params: unknown[] = [];
  const assignments = columns.map((column, index) => {
    const cases = rows.map((row) => {
      params.push(row.key, row.values[index]);
      return 'WHEN ? THEN ?';
    });
    return `${quoteColumn(column)} = CASE ${quoteColumn(key)} ${cases.join(' ')} ELSE ${quoteColumn(column)} END`;
  });
  params.push(rows.map((row) => row.key));
  return {
    sql: `UPDATE ${table.quoted} SET ${assignments.join(', ')} WHERE ${quoteColumn(key)} IN (?)`,
    params,
  };
}

/** Locks the rows of these keys for the transaction and returns the keys that exist. */
export function buildLockKeys(table: TableName, key: string, keys: readonly unknown[]): Statement {
  return {
    sql: `SELECT ${quoteColumn(key)} AS existing_key FROM ${table.quoted} WHERE ${quoteColumn(key)} IN (?) FOR UPDATE`,
    params: [keys],
  };
}
