import type Database from 'better-sqlite3';
import type { PageFilter } from '../../core/state-store.js';
import type { ListConditions } from '../list-conditions.js';
import { checkBeforeId, checkLimit } from '../state-checks.js';

/** A WHERE clause (empty when nothing is tested) and the values it binds, in order. */
interface Where {
  readonly sql: string;
  readonly values: readonly (string | number)[];
}

function whereOf(conditions: ListConditions): Where {
  const tests: string[] = [];
  const values: (string | number)[] = [];
  for (const [column, value] of Object.entries(conditions.filters)) {
    if (value === undefined) continue;
    tests.push(`${column} = ?`);
    values.push(value);
  }
  if (conditions.beforeId !== undefined) {
    tests.push('id < ?');
    values.push(checkBeforeId(conditions.beforeId));
  }
  if (conditions.keys !== undefined) {
    // One JSON array through json_each: any number of keys in one bound value.
    tests.push('key IN (SELECT value FROM json_each(?))');
    values.push(JSON.stringify(conditions.keys));
  }
  return { sql: tests.length === 0 ? '' : ` WHERE ${tests.join(' AND ')}`, values };
}

/**
 * The text of a list query: `select`, a WHERE clause of `conditions` (one `?` per test, in order:
 * filters, `beforeId`, keys), newest first (`ORDER BY id DESC`) and a `LIMIT ?`.
 */
export function listSql(select: string, conditions: ListConditions): string {
  return `${select}${whereOf(conditions).sql} ORDER BY id DESC LIMIT ?`;
}

/** The text of a count query over `table` with the WHERE clause of `conditions`. */
export function countSql(table: string, conditions: ListConditions): string {
  return `SELECT count(*) AS count FROM ${table}${whereOf(conditions).sql}`;
}

/**
 * The list and count queries of the store (runs, dead letters, conflicts, audit, reconciliations),
 * whose text depends on which filters are given. Each distinct text is prepared once and reused.
 * Lists are newest first and paged by id (keyset): stable while rows are added or change status.
 */
export class SqliteListQueries {
  private readonly db: Database.Database;
  private readonly prepared = new Map<string, Database.Statement>();

  /** Prepares on `db`, lazily. */
  constructor(db: Database.Database) {
    this.db = db;
  }

  /**
   * Up to `page.limit` rows of `select` that meet `conditions`, strictly older than
   * `page.beforeId` when given, newest first. Column names come from the store's code, never
   * from callers; values are bound.
   */
  all<Result>(select: string, conditions: Omit<ListConditions, 'beforeId'>, page: PageFilter): Result[] {
    const paged = { ...conditions, beforeId: page.beforeId };
    const limit = checkLimit(page.limit);
    return this.statement(listSql(select, paged)).all(...whereOf(paged).values, limit) as Result[];
  }

  /** How many rows of `table` meet `conditions`. */
  count(table: string, conditions: ListConditions): number {
    const row = this.statement(countSql(table, conditions)).get(...whereOf(conditions).values) as {
      count: number;
    };
    return row.count;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.prepared.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }
}
