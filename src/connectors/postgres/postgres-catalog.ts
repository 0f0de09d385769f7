import type pg from 'pg';
import type { TableSchema } from '../../core/connector.js';
import { isPlainIdentifier } from '../../config/identifiers.js';
import { SCRATCH_TABLE_PREFIX } from '../../core/scratch-table.js';
import {
  describeColumnsStatement,
  describeUniqueKeysStatement,
  toTableSchema,
  type ColumnRow,
} from './postgres-describe.js';
import type { PostgresPool } from './postgres-pool.js';
import { parseTableName, type Statement, type TableName } from './postgres-sql.js';

/** Base and partitioned tables of one schema (partitions themselves left out), in name order. */
export function listTablesStatement(schema: string): Statement {
  return {
    text: `
      SELECT c.relname AS name
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       ORDER BY c.relname`,
    values: [schema],
  };
}

/** Describes one table on a session: its columns and unique keys, or undefined when it does not exist. */
export async function describeOnClient(
  pool: PostgresPool,
  client: pg.PoolClient,
  table: TableName,
  signal: AbortSignal,
): Promise<TableSchema | undefined> {
  const columns = await pool.run<ColumnRow>(client, describeColumnsStatement(table), signal);
  if (columns.rows.length === 0) return undefined;
  const keys = await pool.run<{ columns: string[] }>(client, describeUniqueKeysStatement(table), signal);
  return toTableSchema(table, columns.rows, keys.rows);
}

/**
 * Every table of `schema` described on one session, named without the schema (the connection's
 * default). Names that are not plain identifiers, and `syncline_probe_…` scratch tables, are left out.
 */
export async function listSchemaTables(
  pool: PostgresPool,
  schema: string,
  signal: AbortSignal,
): Promise<TableSchema[]> {
  return pool.withClient(signal, { operation: `listing the tables of schema ${schema}` }, async (client) => {
    const names = await pool.run<{ name: string }>(client, listTablesStatement(schema), signal);
    const tables: TableSchema[] = [];
    for (const { name } of names.rows) {
      if (!isPlainIdentifier(name) || name.startsWith(SCRATCH_TABLE_PREFIX)) continue;
      const table = parseTableName(name, schema, { role: 'table' });
      const described = await describeOnClient(pool, client, table, signal);
      if (described !== undefined) tables.push({ ...described, table: name });
    }
    return tables;
  });
}
