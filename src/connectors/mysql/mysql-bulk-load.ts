import { Readable } from 'node:stream';
import type { Pool, ResultSetHeader } from 'mysql2/promise';
import type { TargetRecord, WriteResult } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { quoteColumn } from './mysql-sql.js';
import { bindValue, groupRecordsByColumns, type ColumnGroup, type WritePlan } from './mysql-upserts.js';
import { inTransaction, orderRecords } from './mysql-writer.js';

/** Characters of LOAD DATA text per chunk: a few hundred kilobytes per socket write. */
const CHUNK_CHARS = 256 * 1024;

/** A character LOAD DATA's text format escapes. */
const LOAD_SPECIAL = /[\\\t\n\r\0]/;

/**
 * A bound value as a field of LOAD DATA's default text format (tab-separated, `\N` for NULL);
 * undefined for a binary value, which stays on the INSERT path, whose escaping is byte-exact.
 */
function loadField(value: unknown): string | undefined {
  if (typeof value === 'string')
    return LOAD_SPECIAL.test(value) ? value.replace(/[\\\t\n\r\0]/g, escapeCharacter) : value;
  if (value === null) return '\\N';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
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
 * strings): each value bound for its column (bindValue, which refuses what no column can hold)
 * and appended to the chunk, with no array per row. Built before the transaction begins, so a
 * value the text format cannot carry is refused before anything reaches the server, never as an
 * error inside the stream.
 */
function loadChunks(plan: WritePlan, group: ColumnGroup): Buffer[] {
  const { columns, infos, records } = group;
  const chunks: Buffer[] = [];
  let text = '';
  for (const record of records) {
    for (let index = 0; index < columns.length; index += 1) {
      if (index > 0) text += '\t';
      const column = columns[index] as string;
      const field = loadField(bindValue(plan, record, column, infos[index]));
      if (field === undefined) {
        throw new ConnectorError(
          'CONNECTOR_QUERY_FAILED',
          `Flow "${plan.target.flow}": ${plan.target.table}.${column} of record ${record.key} is binary, which LOAD DATA text cannot carry exactly; the batch is written the normal way`,
          { flow: plan.target.flow, key: record.key },
        );
      }
      text += field;
    }
    text += '\n';
    if (text.length >= CHUNK_CHARS) {
      chunks.push(Buffer.from(text, 'utf8'));
      text = '';
    }
  }
  if (text !== '') chunks.push(Buffer.from(text, 'utf8'));
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
  const loads = groupRecordsByColumns(plan, orderRecords(plan.target, records)).map((group) => ({
    group,
    chunks: loadChunks(plan, group),
  }));
  return await inTransaction(pool, plan, signal, async (connection) => {
    let written = 0;
    for (const { group, chunks } of loads) {
      signal.throwIfAborted();
      const [result] = await connection.query<ResultSetHeader>({
        sql: loadStatement(plan, group.columns),
        infileStreamFactory: () => Readable.from(chunks),
      });
      if (result.affectedRows !== group.records.length || result.warningStatus !== 0) {
        throw new ConnectorError(
          'CONNECTOR_QUERY_FAILED',
          `Flow "${plan.target.flow}": LOAD DATA into ${plan.target.table} inserted ${result.affectedRows} of ${group.records.length} rows with ${result.warningStatus} warning(s); the batch is written the normal way`,
          { flow: plan.target.flow },
        );
      }
      written += result.affectedRows;
    }
    return { written };
  });
}
