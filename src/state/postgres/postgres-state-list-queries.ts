import type { PageFilter } from '../../core/state-store.js';
import type { ListConditions } from '../list-conditions.js';
import { checkBeforeId, checkLimit } from '../state-checks.js';
import type { Queryable } from './postgres-state-connection.js';

/** A WHERE clause (empty when nothing is tested) and the values it binds as $1, $2, … in order. */
interface Where {
  readonly sql: string;
  readonly values: unknown[];
}

function whereOf(conditions: ListConditions): Where {
  const tests: string[] = [];
  const values: unknown[] = [];
  for (const [column, value] of Object.entries(conditions.filters)) {
    if (value === undefined) continue;
    values.push(value);
    tests.push(`${column} = $${values.length}`);
  }
  if (conditions.beforeId !== undefined) {
    values.push(checkBeforeId(conditions.beforeId));
    tests.push(`id < $${values.length}`);
  }
  if (conditions.keys !== undefined) {
    values.push(conditions.keys);
    tests.push(`key = ANY($${values.length}::text[])`);
  }
  return { sql: tests.length === 0 ? '' : ` WHERE ${tests.join(' AND ')}`, values };
}

/**
 * Up to `page.limit` rows of `select` that meet `conditions`, strictly older than
 * `page.beforeId` when given, newest first (keyset paging by id: stable while rows are added or
 * change status). Column names come from the store's code, never from callers; values are bound.
 */
export async function listPostgresRows<Row extends object>(
  db: Queryable,
  select: string,
  conditions: Omit<ListConditions, 'beforeId'>,
  page: PageFilter,
): Promise<Row[]> {
  const limit = checkLimit(page.limit);
  const where = whereOf({ ...conditions, beforeId: page.beforeId });
  const sql = `${select}${where.sql} ORDER BY id DESC LIMIT $${where.values.length + 1}`;
  const { rows } = await db.query<Row>(sql, [...where.values, limit]);
  return rows;
}

/** How many rows of `table` meet `conditions`, counted in the database. */
export async function countPostgresRows(
  db: Queryable,
  table: string,
  conditions: ListConditions,
): Promise<number> {
  const where = whereOf(conditions);
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*) AS count FROM ${table}${where.sql}`,
    where.values,
  );
  return rows[0]?.count ?? 0;
}
