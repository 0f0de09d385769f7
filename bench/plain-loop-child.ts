/**
 * The plain-loop baseline, as a child process: what a developer writes without a framework.
 * Reads the source in keyset pages (`where id > $1 order by id limit n`, or on (updated_at, id)
 * for an incremental pass), writes each page with one multi-row upsert, sequentially, and prints
 * a ChildReport with its time and peak RSS.
 */
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { PlainLoopArguments } from './baselines.js';
import { printChildReport, readChildArgument } from './child-process.js';
import { SOURCE_COLUMNS, TARGET_COLUMNS } from './data-generator.js';

type SourceRow = Record<string, unknown>;
type WritePage = (rows: readonly SourceRow[]) => Promise<void>;

// timestamptz as PostgreSQL prints it: a JS Date would drop the microseconds of the cursor.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (text) => text);

const values = (row: SourceRow): unknown[] => SOURCE_COLUMNS.map((column) => row[column]);

function postgresWriter(client: pg.Client, table: string): WritePage {
  const updates = TARGET_COLUMNS.slice(1)
    .map((column) => `${column} = EXCLUDED.${column}`)
    .join(', ');
  const statements = new Map<number, string>();
  const statementFor = (count: number): string => {
    let text = statements.get(count);
    if (text === undefined) {
      const width = TARGET_COLUMNS.length;
      const tuples = Array.from(
        { length: count },
        (_, row) => `(${TARGET_COLUMNS.map((_c, column) => `$${row * width + column + 1}`).join(', ')})`,
      );
      text = `INSERT INTO ${table} (${TARGET_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (crm_id) DO UPDATE SET ${updates}`;
      statements.set(count, text);
    }
    return text;
  };
  // PostgreSQL binds at most 65,535 parameters per statement: larger pages go in several statements.
  const rowsPerStatement = Math.floor(65_535 / TARGET_COLUMNS.length);
  return async (rows) => {
    for (let start = 0; start < rows.length; start += rowsPerStatement) {
      const chunk = rows.slice(start, start + rowsPerStatement);
      await client.query(statementFor(chunk.length), chunk.flatMap(values));
    }
  };
}

function mysqlWriter(connection: mysql.Connection, table: string): WritePage {
  const updates = TARGET_COLUMNS.slice(1)
    .map((column) => `${column} = VALUES(${column})`)
    .join(', ');
  const text = `INSERT INTO \`${table}\` (${TARGET_COLUMNS.join(', ')}) VALUES ? ON DUPLICATE KEY UPDATE ${updates}`;
  return async (rows) => {
    await connection.query(text, [rows.map(values)]);
  };
}

async function main(): Promise<void> {
  const argument = readChildArgument() as PlainLoopArguments;
  const source = new pg.Client({ connectionString: argument.sourceUrl });
  await source.connect();
  const mysqlConnection =
    argument.target === 'mysql' ? await mysql.createConnection(argument.targetUrl) : undefined;
  const pgTarget =
    argument.target === 'postgres' ? new pg.Client({ connectionString: argument.targetUrl }) : undefined;
  await pgTarget?.connect();
  const write =
    mysqlConnection !== undefined
      ? mysqlWriter(mysqlConnection, argument.targetTable)
      : postgresWriter(pgTarget!, argument.targetTable);
  const columns = SOURCE_COLUMNS.join(', ');

  const started = performance.now();
  let rows = 0;
  if (argument.mode === 'backfill') {
    let lastId = '-9223372036854775808';
    for (;;) {
      const page = await source.query<SourceRow>(
        `SELECT ${columns} FROM ${argument.sourceTable} WHERE id > $1 ORDER BY id LIMIT $2`,
        [lastId, argument.batch],
      );
      if (page.rows.length > 0) await write(page.rows);
      rows += page.rows.length;
      if (page.rows.length < argument.batch) break;
      lastId = String(page.rows.at(-1)!.id);
    }
  } else {
    if (argument.after === undefined)
      throw new Error('incremental mode needs "after": the (updated_at, id) to resume from');
    let after = argument.after;
    for (;;) {
      const page = await source.query<SourceRow>(
        `SELECT ${columns}, updated_at FROM ${argument.sourceTable}
          WHERE (updated_at, id) > ($1::timestamptz, $2::bigint) ORDER BY updated_at, id LIMIT $3`,
        [after.cursor, after.key, argument.batch],
      );
      if (page.rows.length > 0) await write(page.rows);
      rows += page.rows.length;
      if (page.rows.length < argument.batch) break;
      const last = page.rows.at(-1)!;
      after = { cursor: String(last.updated_at), key: String(last.id) };
    }
  }
  const ms = performance.now() - started;

  printChildReport({ rows, ms });
  await source.end();
  await pgTarget?.end();
  await mysqlConnection?.end();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `plain loop failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
