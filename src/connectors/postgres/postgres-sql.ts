import { cursorColumn } from '../../core/source-cursor.js';
import type { SourceSpec } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { describeIdentifierRule, isPlainIdentifier } from '../../config/identifiers.js';
import type { PageRequest } from '../../core/keyset-reader.js';
import { rangeBounds } from '../../core/range-reader.js';
import { arrayLiteral } from './postgres-values.js';

/** One SQL statement and its bound parameters. */
export interface Statement {
  /** SQL with `$n` placeholders; identifiers validated and quoted. */
  readonly text: string;
  /** The bound parameters, `$1` first. */
  readonly values: unknown[];
}

/** Where an identifier comes from, so a refusal names it. */
export interface IdentifierContext {
  /** The flow whose config holds the identifier; absent for connection settings and lookups. */
  readonly flow?: string;
  /** What the identifier names, e.g. `source table`, `target column`. */
  readonly role: string;
}

/** A validated, schema-qualified table name. */
export interface TableName {
  /** The schema, as given or the connection's default. */
  readonly schema: string;
  /** The table name without its schema. */
  readonly name: string;
  /** Quoted for SQL: `"sales"."accounts"`. */
  readonly sql: string;
  /** For messages: `sales.accounts`. */
  readonly display: string;
}

/**
 * Validates one identifier part by the core's rule and quotes it. Anything but a plain name is
 * refused with a ConnectorError naming it and the flow, before any SQL is built with it
 * (invariant 6). Longer names than 63 bytes are refused too: PostgreSQL would truncate them.
 */
export function quoteIdentifier(name: string, context: IdentifierContext): string {
  if (!isPlainIdentifier(name)) {
    const where = context.flow === undefined ? 'PostgreSQL' : `Flow "${context.flow}"`;
    throw new ConnectorError(
      'CONFIG_INVALID',
      `${where}: the ${context.role} ${JSON.stringify(name)} is not accepted: it ${describeIdentifierRule()}; no SQL was run with it`,
      context.flow === undefined ? {} : { flow: context.flow },
    );
  }
  // Validated names hold no double quote; quoting keeps their case and shields reserved words.
  return `"${name}"`;
}

/** Parses `table` or `schema.table` (the schema defaults to `defaultSchema`), validating each part. */
export function parseTableName(table: string, defaultSchema: string, context: IdentifierContext): TableName {
  const parts = table.split('.');
  if (parts.length > 2) quoteIdentifier(table, context);
  const [schema, name] = parts.length === 2 ? (parts as [string, string]) : [defaultSchema, table];
  const sql = `${quoteIdentifier(schema, { ...context, role: `schema of the ${context.role}` })}.${quoteIdentifier(name, context)}`;
  return { schema, name, sql, display: `${schema}.${name}` };
}

/** A source, validated and quoted once per call: what every read statement is built from. */
export interface ReadShape {
  readonly table: TableName;
  /** The quoted key column. */
  readonly key: string;
  /** The quoted cursor column. */
  readonly cursor: string;
  /** The select list: `source.columns`, plus key, cursor and deleted if missing. */
  readonly selectList: string;
}

/** Validates every identifier of a source and quotes it. */
export function readShape(source: SourceSpec, defaultSchema: string): ReadShape {
  const context = { flow: source.flow };
  const table = parseTableName(source.table, defaultSchema, { ...context, role: 'source table' });
  const names = [
    ...new Set([
      source.key,
      cursorColumn(source),
      ...(source.deleted === undefined ? [] : [source.deleted]),
      ...source.columns,
    ]),
  ];
  const quoted = names.map((name) =>
    quoteIdentifier(name, { ...context, role: `column of ${table.display}` }),
  );
  return {
    table,
    key: quoteIdentifier(source.key, { ...context, role: 'source key column' }),
    cursor: quoteIdentifier(cursorColumn(source), { ...context, role: 'source cursor column' }),
    selectList: quoted.join(', '),
  };
}

interface Predicate {
  /** `WHERE …` or the empty string. */
  readonly where: string;
  readonly orderBy: string;
  readonly values: unknown[];
}

/**
 * The predicate and order of one page, as documented on PageRequest, its range bounds ANDed in.
 * Parameters start at $1; PostgreSQL types each one as the column it is compared with.
 */
function pagePredicate(shape: ReadShape, page: PageRequest): Predicate {
  const { key, cursor } = shape;
  const values: unknown[] = [];
  const bind = (value: unknown): string => `$${values.push(value)}`;
  const conditions: string[] = [];
  if (page.order === 'key') {
    if (page.afterKey !== undefined) conditions.push(`${key} > ${bind(page.afterKey)}`);
  } else if (page.after !== undefined) {
    const after = bind(page.after.cursor);
    conditions.push(`(${cursor} > ${after} OR (${cursor} = ${after} AND ${key} > ${bind(page.after.key)}))`);
  } else if (page.fromCursor !== undefined) {
    conditions.push(`${cursor} >= ${bind(page.fromCursor)}`);
  } else {
    // Rows whose cursor is NULL never come in cursor order (keyset-reader.ts documents why).
    conditions.push(`${cursor} IS NOT NULL`);
  }
  for (const bound of rangeBounds(page.bounds))
    conditions.push(`${bound.column === 'key' ? key : cursor} ${bound.operator} ${bind(bound.value)}`);
  return {
    where: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`,
    orderBy: page.order === 'key' ? key : `${cursor}, ${key}`,
    values,
  };
}

/** `SELECT … ORDER BY … LIMIT n` for one page of a keyset scan. */
export function selectPageStatement(shape: ReadShape, page: PageRequest): Statement {
  const { where, orderBy, values } = pagePredicate(shape, page);
  return {
    text: `SELECT ${shape.selectList} FROM ${shape.table.sql} ${where} ORDER BY ${orderBy} LIMIT $${values.length + 1}${page.offset === undefined ? '' : ` OFFSET $${values.length + 2}`}`,
    values: [...values, page.limit, ...(page.offset === undefined ? [] : [page.offset])],
  };
}

/** Counts the rows of a page's predicate, stopping at `page.limit`. */
export function countPageStatement(shape: ReadShape, page: PageRequest): Statement {
  const { where, values } = pagePredicate(shape, page);
  return {
    text: `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${shape.table.sql} ${where} LIMIT $${values.length + 1}) AS pending`,
    values: [...values, page.limit],
  };
}

/** The greatest cursor value, `max` as the column's own type. */
export function maxCursorStatement(shape: ReadShape): Statement {
  return { text: `SELECT max(${shape.cursor}) AS max_cursor FROM ${shape.table.sql}`, values: [] };
}

/**
 * Rows by key. The keys are bound as one array literal; PostgreSQL types the untyped parameter
 * as an array of the key column's type, so the comparison uses the column's index.
 */
export function readByKeysStatement(shape: ReadShape, keys: readonly string[]): Statement {
  return {
    text: `SELECT ${shape.selectList} FROM ${shape.table.sql} WHERE ${shape.key} = ANY($1) ORDER BY ${shape.key}`,
    values: [arrayLiteral(keys)],
  };
}
