import { Readable } from 'node:stream';
import type { Pool, ResultSetHeader } from 'mysql2/promise';
import type { TargetRecord, WriteResult } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { quoteColumn } from './mysql-sql.js';
import { groupByColumns, type UpsertGroup, type WritePlan } from './mysql-upserts.js';
import { inTransaction, orderRecords } from './mysql-writer.js';

/** Rows per chunk of the LOAD DATA stream: large enough to keep the socket busy, small in memory. */
const ROWS_PER_CHUNK = 500;

/** A bound value as a field of LOAD DATA's default text format (tab-separated, `\N` for NULL). */
function loadField(value: unknown): string {
  if (value === null) return '\\N';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return value.replace(/[\\\t\n\r\0]/g, escapeCharacter);
  // Binary values stay on the INSERT path, whose escaping is byte-exact.
  throw new Error('a binary value');
}

function escapeCharacter(character: string): string {
  switch (character) {
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\0':
      return '\\0';
    default:
      return '\\\\';
  }
}

/**
 * The group's rows as LOAD DATA text, in chunks (mysql2 copies Buffers from the stream, not
 * strings). Built before the statement is sent, so a value the text format cannot carry is refused
 * before anything reaches the server, never as an error inside the stream.
 */
function loadChunks(group: UpsertGroup): Buffer[] {
  const { rows } = group;
  const chunks: Buffer[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
    let text = '';
    const end = Math.min(rows.length, start + ROWS_PER_CHUNK);
    for (let index = start; index < end; index += 1) {
      const values = rows[index]?.values ?? [];
      for (let column = 0; column < values.length; column += 1)
        text += (column === 0 ? '' : '\t') + loadField(values[column]);
      text += '\n';
    }
    chunks.push(Buffer.from(text, 'utf8'));
  }
  return chunks;
}

/** `LOAD DATA LOCAL INFILE` of one column set; the file name is only a label for the stream factory. */
function loadStatement(plan: WritePlan, columns: readonly string[]): string {
  return (
    `LOAD DATA LOCAL INFILE 'syncline-bulk' INTO TABLE ${plan.table.quoted} CHARACTER SET utf8mb4 ` +
    `(${columns.map((column) => quoteColumn(column)).join(', ')})`
  );
}

/**
 * The bulk path of an initial load into MariaDB/MySQL: the records, in key order, streamed through
 * `LOAD DATA LOCAL INFILE` (mysql2 `infileStreamFactory`) in one transaction. With LOCAL the server
 * turns duplicate keys and data errors into warnings and skips or adjusts the row, so the load
 * counts: unless every record was inserted and the server raised no warning, the transaction is
 * rolled back and the error thrown; the engine then writes the records through `writeBatch`.
 */
export async function loadInTransaction(
  pool: Pool,
  plan: WritePlan,
  records: readonly TargetRecord[],
  signal: AbortSignal,
): Promise<WriteResult> {
  const groups = groupByColumns(plan, orderRecords(plan.target, records));
  return await inTransaction(pool, plan, signal, async (connection) => {
    let written = 0;
    for (const group of groups) {
      signal.throwIfAborted();
      const chunks = loadChunks(group);
      const [result] = await connection.query<ResultSetHeader>({
        sql: loadStatement(plan, group.columns),
        infileStreamFactory: () => Readable.from(chunks),
      });
      if (result.affectedRows !== group.rows.length || result.warningStatus !== 0) {
        throw new ConnectorError(
          'CONNECTOR_QUERY_FAILED',
          `Flow "${plan.target.flow}": LOAD DATA into ${plan.target.table} inserted ${result.affectedRows} of ${group.rows.length} rows with ${result.warningStatus} warning(s); the batch is written the normal way`,
          { flow: plan.target.flow },
        );
      }
      written += result.affectedRows;
    }
    return { written };
  });
}
