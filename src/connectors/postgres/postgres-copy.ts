import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

/** Rows per chunk handed to the COPY stream: large enough to keep the socket busy, small in memory. */
const ROWS_PER_CHUNK = 500;

/** Lines of COPY text format, chunked; `toLine` gives one row without its newline. */
function* copyChunks<T>(rows: readonly T[], toLine: (row: T) => string): Generator<string> {
  for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
    yield rows
      .slice(start, start + ROWS_PER_CHUNK)
      .map((row) => `${toLine(row)}\n`)
      .join('');
  }
}

/**
 * Streams rows into `COPY … FROM STDIN` on a session (inside the caller's transaction) and
 * resolves with the number of rows copied. A rejected row fails the whole COPY; the error's
 * `where` names its line (see `copyErrorLine`).
 */
export async function copyRows<T>(
  client: pg.PoolClient,
  copyText: string,
  rows: readonly T[],
  toLine: (row: T) => string,
): Promise<number> {
  const stream = client.query(copyStreams.from(copyText));
  await pipeline(Readable.from(copyChunks(rows, toLine)), stream);
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
