import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchScript, runNodeChild, runShell, type ChildReport } from './child-process.js';
import { SOURCE_COLUMNS, TARGET_COLUMNS, type CursorPosition } from './data-generator.js';

/** The time and memory of a bulk pipe. */
export interface PipeMeasure {
  readonly ms: number;
  /** Sum of the peak RSS of both ends of the pipe (KB), when GNU time is installed. */
  readonly maxRssKb: number | undefined;
}

const GNU_TIME = '/usr/bin/time';

/** Where a pipe's two ends write their peak RSS, and the command prefix that does it. */
function rssProbe(
  workDir: string,
  label: string,
): { prefix: (end: 'out' | 'in') => string; read: () => number | undefined } {
  if (!existsSync(GNU_TIME)) return { prefix: () => '', read: () => undefined };
  const file = (end: string): string => join(workDir, `${label}-${end}.rss`);
  return {
    prefix: (end) => `${GNU_TIME} -f %M -o '${file(end)}' `,
    read: () =>
      ['out', 'in'].reduce(
        (sum, end) => sum + Number(readFileSync(file(end), 'utf8').trim().split('\n').at(-1)),
        0,
      ),
  };
}

/** `\copy (select … order by id) to stdout`, the mapped columns only, booleans as `t`/`f` or `1`/`0`. */
function copyOutCommand(sourceTable: string, booleanAsInteger: boolean): string {
  const columns = SOURCE_COLUMNS.map((column) =>
    column === 'is_deleted' && booleanAsInteger ? 'is_deleted::int' : column,
  );
  return `\\copy (SELECT ${columns.join(', ')} FROM ${sourceTable} ORDER BY id) TO STDOUT`;
}

/**
 * Baseline 1: `psql \copy … to stdout | psql \copy … from stdin` into PostgreSQL, in key order.
 * URLs travel in environment variables, never through the shell's parser.
 */
export async function pipePostgresToPostgres(options: {
  sourceUrl: string;
  sourceTable: string;
  targetUrl: string;
  targetTable: string;
  workDir: string;
}): Promise<PipeMeasure> {
  const rss = rssProbe(options.workDir, `pg-${options.targetTable}`);
  const command =
    `${rss.prefix('out')}psql -X -q -v ON_ERROR_STOP=1 -d "$BENCH_SOURCE_URL" -c "$BENCH_COPY_OUT" | ` +
    `${rss.prefix('in')}psql -X -q -v ON_ERROR_STOP=1 -d "$BENCH_TARGET_URL" -c "$BENCH_COPY_IN"`;
  const ms = await runShell(command, {
    PGCLIENTENCODING: 'UTF8',
    BENCH_SOURCE_URL: options.sourceUrl,
    BENCH_TARGET_URL: options.targetUrl,
    BENCH_COPY_OUT: copyOutCommand(options.sourceTable, false),
    BENCH_COPY_IN: `\\copy ${options.targetTable} (${TARGET_COLUMNS.join(', ')}) FROM STDIN`,
  });
  return { ms, maxRssKb: rss.read() };
}

/** The mysql client's connection flags for a `mysql://user:password@host:port/database` URL. */
function mysqlClientArguments(url: string): { flags: string; database: string; password: string } {
  const parsed = new URL(url);
  const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  return {
    flags: `--protocol=TCP -h ${quote(parsed.hostname)} -P ${parsed.port || '3306'} -u ${quote(decodeURIComponent(parsed.username))}`,
    database: decodeURIComponent(parsed.pathname.slice(1)),
    password: decodeURIComponent(parsed.password),
  };
}

/**
 * Baseline 2: `psql \copy … to stdout` piped into `mysql --local-infile=1` running
 * `LOAD DATA LOCAL INFILE '/dev/stdin'`, in key order. The server must allow local_infile.
 */
export async function pipePostgresToMysql(options: {
  sourceUrl: string;
  sourceTable: string;
  targetUrl: string;
  targetTable: string;
  workDir: string;
}): Promise<PipeMeasure> {
  const rss = rssProbe(options.workDir, `mysql-${options.targetTable}`);
  const client = mysqlClientArguments(options.targetUrl);
  const load =
    `LOAD DATA LOCAL INFILE '/dev/stdin' INTO TABLE \`${options.targetTable}\` CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${TARGET_COLUMNS.join(', ')})`;
  const command =
    `${rss.prefix('out')}psql -X -q -v ON_ERROR_STOP=1 -d "$BENCH_SOURCE_URL" -c "$BENCH_COPY_OUT" | ` +
    `${rss.prefix('in')}mysql --local-infile=1 ${client.flags} -D "$BENCH_MYSQL_DATABASE" -e "$BENCH_LOAD"`;
  const ms = await runShell(command, {
    PGCLIENTENCODING: 'UTF8',
    BENCH_SOURCE_URL: options.sourceUrl,
    BENCH_COPY_OUT: copyOutCommand(options.sourceTable, true),
    BENCH_MYSQL_DATABASE: client.database,
    BENCH_LOAD: load,
    ...(client.password === '' ? {} : { MYSQL_PWD: client.password }),
  });
  return { ms, maxRssKb: rss.read() };
}

/** What the plain-loop child is told to do; see plain-loop-child.ts. */
export interface PlainLoopArguments {
  readonly mode: 'backfill' | 'incremental';
  readonly target: 'postgres' | 'mysql';
  readonly sourceUrl: string;
  readonly sourceTable: string;
  readonly targetUrl: string;
  readonly targetTable: string;
  readonly batch: number;
  /** Incremental mode: resume after this (updated_at, id). */
  readonly after?: CursorPosition;
}

/**
 * Baseline 3: a plain keyset-read + multi-row-upsert loop (pg → pg / mysql2, no framework), run
 * in its own process so its peak RSS compares fairly with Syncline's.
 */
export function runPlainLoop(argument: PlainLoopArguments): Promise<ChildReport> {
  return runNodeChild(benchScript('plain-loop-child'), argument);
}
