import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { TargetRecord } from '../../core/connector.js';
import type { ColumnKind } from '../../core/values.js';
import { toCopyField } from './postgres-values.js';

/**
 * Characters of COPY text per chunk handed to the stream: a few hundred kilobytes, so a batch
 * goes out in a handful of socket writes while the next chunk is built.
 */
const CHUNK_CHARS = 256 * 1024;

/**
 * The COPY text format of `records`, one line each: the values of `columns`, converted for their
 * `kinds` (toCopyField), tab-separated; with `numbered`, the record's 0-based ordinal first.
 * Fields are appended to one chunk string, with no array per row, and chunks are yielded as the
 * stream takes them.
 */
export function* copyLines(
  records: readonly TargetRecord[],
  columns: readonly string[],
  kinds: readonly ColumnKind[],
  numbered = false,
): Generator<string> {
  let text = '';
  for (let ordinal = 0; ordinal < records.length; ordinal += 1) {
    const values = (records[ordinal] as TargetRecord).values;
    if (numbered) text += `${ordinal}\t`;
    for (let index = 0; index < columns.length; index += 1) {
      if (index > 0) text += '\t';
      text += toCopyField(values[columns[index] as string], kinds[index] ?? 'other');
    }
    text += '\n';
    if (text.length >= CHUNK_CHARS) {
      yield text;
      text = '';
    }
  }
  if (text !== '') yield text;
}

/**
 * Streams COPY text (copyLines) into `COPY … FROM STDIN` on a session (inside the caller's
 * transaction) and resolves with the number of rows copied. A rejected row fails the whole COPY;
 * the error's `where` names its line (see `copyErrorLine`).
 */
export async function copyRows(
  client: pg.PoolClient,
  copyText: string,
  chunks: Iterable<string>,
): Promise<number> {
  const stream = client.query(copyStreams.from(copyText));
  await pipeline(Readable.from(chunks), stream);
  return stream.rowCount;
}

/** The 1-based input line a COPY error is about (`COPY stage, line 57, column name: "…"`). */
export function copyErrorLine(error: unknown): number | undefined {
  const where =
    typeof error === 'object' && error !== null ? (error as { where?: unknown }).where : undefined;
  if (typeof where !== 'string') return undefined;
  const match = /COPY [^,]+, line (\d+)/.exec(where);
  return match === null ? undefined : Number(match[1]);
}
