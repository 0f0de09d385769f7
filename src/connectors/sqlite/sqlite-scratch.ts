import type { TargetSpec } from '../../core/connector.js';
import { assertScratchTableName, scratchTargetSpec } from '../../core/scratch-table.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { toSqliteConnectorError } from './sqlite-errors.js';
import { parseTableName, quoteTable } from './sqlite-identifiers.js';

/** `CREATE TABLE` of a `syncline probe` scratch table. */
export function createScratchSql(name: string): string {
  assertScratchTableName(name);
  return `CREATE TABLE ${quoteTable(parseTableName(name))} (
  "id" TEXT NOT NULL PRIMARY KEY,
  "account" TEXT NOT NULL,
  "amount" NUMERIC NOT NULL,
  "status" TEXT NOT NULL,
  "note" TEXT NOT NULL,
  "updated_at" TEXT NOT NULL
)`;
}

/** `DROP TABLE IF EXISTS` of a scratch table; refuses any other name. */
export function dropScratchSql(name: string): string {
  assertScratchTableName(name);
  return `DROP TABLE IF EXISTS ${quoteTable(parseTableName(name))}`;
}

function execute(database: SqliteDatabase, sql: string, table: string): void {
  try {
    database.handle().exec(sql);
  } catch (error) {
    throw toSqliteConnectorError(error, { path: database.path, table });
  }
}

/** Creates the scratch table and returns how to write it. */
export function createScratchTable(database: SqliteDatabase, name: string): TargetSpec {
  execute(database, createScratchSql(name), name);
  return scratchTargetSpec(name);
}

/** Drops the scratch table, if it exists. */
export function dropScratchTable(database: SqliteDatabase, name: string): void {
  execute(database, dropScratchSql(name), name);
}
