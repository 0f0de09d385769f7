import type { TargetSpec } from '../../core/connector.js';
import { assertScratchTableName, scratchTargetSpec } from '../../core/scratch-table.js';
import type { PostgresPool } from './postgres-pool.js';
import { parseTableName, type Statement } from './postgres-sql.js';

/** `CREATE TABLE` of a `syncline probe` scratch table in the connection's schema. */
export function createScratchStatement(name: string, schema: string): Statement {
  assertScratchTableName(name);
  const table = parseTableName(name, schema, { role: 'scratch table' });
  return {
    text: `CREATE TABLE ${table.sql} (
  "id" varchar(64) PRIMARY KEY,
  "account" varchar(64) NOT NULL,
  "amount" numeric(18,4) NOT NULL,
  "status" varchar(16) NOT NULL,
  "note" varchar(200) NOT NULL,
  "updated_at" timestamp(6) NOT NULL
)`,
    values: [],
  };
}

/** `DROP TABLE IF EXISTS` of a scratch table; refuses any other name. */
export function dropScratchStatement(name: string, schema: string): Statement {
  assertScratchTableName(name);
  const table = parseTableName(name, schema, { role: 'scratch table' });
  return { text: `DROP TABLE IF EXISTS ${table.sql}`, values: [] };
}

/** Creates the scratch table and returns how to write it. */
export async function createScratchTable(
  pool: PostgresPool,
  name: string,
  schema: string,
  signal: AbortSignal,
): Promise<TargetSpec> {
  const operation = `creating scratch table ${schema}.${name}`;
  await pool.query(createScratchStatement(name, schema), signal, { operation });
  return scratchTargetSpec(name);
}

/** Drops the scratch table, if it exists. */
export async function dropScratchTable(
  pool: PostgresPool,
  name: string,
  schema: string,
  signal: AbortSignal,
): Promise<void> {
  const operation = `dropping scratch table ${schema}.${name}`;
  await pool.query(dropScratchStatement(name, schema), signal, { operation });
}
