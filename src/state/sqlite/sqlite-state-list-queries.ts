import type Database from 'better-sqlite3';
import { StateStoreError } from '../../core/errors.js';

/** Equality filters of a list query by column; an undefined value means "not filtered". */
export type ListFilters = Readonly<Record<string, string | undefined>>;

/**
 * The text of a list query: `select`, a WHERE clause testing each of `columns` for equality (one
 * `?` each, in order), `ORDER BY orderBy` and a `LIMIT ?`.
 */
export function listSql(select: string, columns: readonly string[], orderBy: string): string {
  const where =
    columns.length === 0 ? '' : ` WHERE ${columns.map((column) => `${column} = ?`).join(' AND ')}`;
  return `${select}${where} ORDER BY ${orderBy} LIMIT ?`;
}

/** `limit` when it is a whole number of rows; a StateStoreError otherwise. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new StateStoreError(`List limit ${limit} is not a whole number of rows`, { retryable: false });
  }
  return limit;
}

/**
 * The list queries of the store (runs, dead letters, conflicts, audit, reconciliations), whose text
 * depends on which filters are given. Each distinct text is prepared once and reused.
 */
export class SqliteListQueries {
  private readonly db: Database.Database;
  private readonly prepared = new Map<string, Database.Statement>();

  /** Prepares on `db`, lazily. */
  constructor(db: Database.Database) {
    this.db = db;
  }

  /**
   * Up to `limit` rows of `select` whose columns equal the given `filters`, in `orderBy` order.
   * Column names come from the store's code, never from callers; values are bound.
   */
  all<Result>(select: string, filters: ListFilters, orderBy: string, limit: number): Result[] {
    const given = Object.entries(filters).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    );
    const columns = given.map(([column]) => column);
    const sql = listSql(select, columns, orderBy);
    let statement = this.prepared.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement.all(...given.map(([, value]) => value), checkLimit(limit)) as Result[];
  }
}
