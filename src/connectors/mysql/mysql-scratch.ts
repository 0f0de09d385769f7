import type { TargetSpec } from '../../core/connector.js';
import { assertScratchTableName, scratchTargetSpec } from '../../core/scratch-table.js';
import { parseTableName, type Statement } from './mysql-sql.js';

/** `CREATE TABLE` of a `syncline probe` scratch table in the connection's database (InnoDB). */
export function createScratchStatement(name: string): Statement {
  assertScratchTableName(name);
  const table = parseTableName(name);
  return {
    sql: `CREATE TABLE ${table.quoted} (
  \`id\` varchar(64) NOT NULL PRIMARY KEY,
  \`account\` varchar(64) NOT NULL,
  \`amount\` decimal(18,4) NOT NULL,
  \`status\` varchar(16) NOT NULL,
  \`note\` varchar(200) NOT NULL,
  \`updated_at\` datetime(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    params: [],
  };
}

/** `DROP TABLE IF EXISTS` of a scratch table; refuses any other name. */
export function dropScratchStatement(name: string): Statement {
  assertScratchTableName(name);
  return { sql: `DROP TABLE IF EXISTS ${parseTableName(name).quoted}`, params: [] };
}

/** Creates the scratch table with `run` and returns how to write it. */
export async function createScratchTable(
  name: string,
  run: (statement: Statement) => Promise<unknown>,
): Promise<TargetSpec> {
  await run(createScratchStatement(name));
  return scratchTargetSpec(name);
}
