import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteConnector } from '../../src/connectors/sqlite/index.js';
import type { Connector } from '../../src/core/connector.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMysqlHarness } from '../integration/harness/mysql-harness.js';
import { createPostgresHarness, quotePostgres } from '../integration/harness/postgres-harness.js';
import type { TypeCatalogue } from './type-catalogues.js';
import { JSON_NULL, type CellValue, type ValueKind } from './value-kinds.js';

/** A column of a matrix table. */
export interface MatrixColumn {
  /** `c_<kind>`. */
  readonly name: string;
  /** What the column holds. */
  readonly kind: ValueKind;
  /** Its type in this database's CREATE TABLE. */
  readonly ddl: string;
}

/** A source row of the matrix: key, cursor and one cell value (the other columns stay NULL). */
export interface MatrixRow {
  /** The key, also the cursor `version`. */
  readonly id: number;
  /** The column that holds the cell value. */
  readonly column: string;
  /** The kind of that column. */
  readonly kind: ValueKind;
  /** The cell value; SQL NULL or a JSON null document included. */
  readonly value: CellValue;
}

/** One database of the matrix behind its real connector, with plain SQL access for fixtures and read-back. */
export interface MatrixEndpoint {
  /** The real connector on the endpoint's database, used by the cycles as source or target. */
  readonly connector: Connector;
  /** Creates `table` keyed by `id bigint`, with a `version` cursor when `hasCursor`. */
  createTable(table: string, columns: readonly MatrixColumn[], hasCursor: boolean): Promise<void>;
  /** Inserts rows with bound parameters; `version` is the id. */
  insertRows(table: string, rows: readonly MatrixRow[]): Promise<void>;
  /** id → column → the value as the database's driver returns it (text for JSON, UTC for timestamps). */
  readRows(table: string, columns: readonly MatrixColumn[]): Promise<Map<number, Record<string, unknown>>>;
  /** Closes the connector and drops the database. */
  close(): Promise<void>;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** A zoned ISO timestamp as `YYYY-MM-DD HH:MM:SS.ffffff` in UTC (MariaDB reads no offsets). */
function utcText(value: string): string {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (match === null) return value;
  const [, local = '', fraction = '', zone = 'Z'] = match;
  const date = new Date(`${local}${zone}`);
  const when = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${when} ${time}.${fraction.padEnd(6, '0')}`;
}

/** A cell value as a bound parameter every driver takes: JSON as its text, -0 and booleans spelled out. */
function parameter(
  kind: ValueKind,
  value: CellValue,
  connector: TypeCatalogue['connector'],
): string | number | null {
  if (value === JSON_NULL) return 'null';
  if (value === null) return null;
  if (kind === 'json') return JSON.stringify(value);
  if (typeof value === 'boolean') return connector === 'postgres' ? String(value) : value ? 1 : 0;
  if (typeof value === 'number' && connector === 'postgres')
    return Object.is(value, -0) ? '-0' : String(value);
  if (kind === 'timestamptz' && connector === 'mysql' && typeof value === 'string') return utcText(value);
  if (kind === 'timestamp' && connector === 'mysql' && typeof value === 'string')
    return value.replace('T', ' ');
  return typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value);
}

function definitions(
  columns: readonly MatrixColumn[],
  quote: (name: string) => string,
  hasCursor: boolean,
): string {
  const cursor = hasCursor ? [`${quote('version')} bigint NOT NULL`] : [];
  return [
    `${quote('id')} bigint NOT NULL PRIMARY KEY`,
    ...cursor,
    ...columns.map((c) => `${quote(c.name)} ${c.ddl}`),
  ].join(', ');
}

async function postgresEndpoint(): Promise<MatrixEndpoint> {
  const harness = await createPostgresHarness('matrix');
  return {
    connector: harness.connector,
    createTable: async (table, columns, hasCursor) => {
      await harness.admin.query(
        `CREATE TABLE ${quotePostgres(table)} (${definitions(columns, quotePostgres, hasCursor)})`,
      );
    },
    insertRows: async (table, rows) => {
      for (const row of rows)
        await harness.admin.query(
          `INSERT INTO ${quotePostgres(table)} (id, version, ${quotePostgres(row.column)}) VALUES ($1, $1, $2)`,
          [row.id, parameter(row.kind, row.value, 'postgres')],
        );
    },
    readRows: async (table, columns) => {
      // Text is PostgreSQL's own rendering: shortest exact floats, jsonb, UTC timestamps.
      const selected = columns.map((c) => `${quotePostgres(c.name)}::text AS ${quotePostgres(c.name)}`);
      const result = await harness.admin.query<Record<string, unknown>>(
        `SELECT id::int AS id, ${selected.join(', ')} FROM ${quotePostgres(table)}`,
      );
      return new Map(result.rows.map((row) => [Number(row.id), row]));
    },
    close: () => harness.close(),
  };
}

async function mysqlEndpoint(): Promise<MatrixEndpoint> {
  const harness = await createMysqlHarness({ label: 'matrix' });
  const quote = (name: string): string => `\`${name}\``;
  return {
    connector: harness.connector,
    createTable: async (table, columns, hasCursor) => {
      await harness.admin.query(
        `CREATE TABLE ${quote(table)} (${definitions(columns, quote, hasCursor)}) ENGINE=InnoDB`,
      );
    },
    insertRows: async (table, rows) => {
      for (const row of rows)
        await harness.admin.execute(
          `INSERT INTO ${quote(table)} (id, version, ${quote(row.column)}) VALUES (?, ?, ?)`,
          [row.id, row.id, parameter(row.kind, row.value, 'mysql')],
        );
    },
    readRows: async (table, columns) => {
      // Strings for dates, decimals and big integers (the session's driver options); a UTC session.
      const [rows] = await harness.admin.query(
        `SELECT id, ${columns.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)}`,
      );
      return new Map((rows as Record<string, unknown>[]).map((row) => [Number(row.id), row]));
    },
    close: () => harness.close(),
  };
}

async function sqliteEndpoint(): Promise<MatrixEndpoint> {
  const directory = await mkdtemp(join(tmpdir(), 'syncline-matrix-'));
  const path = join(directory, 'matrix.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const connector = sqliteConnector.create(sqliteConnector.configSchema.parse({ type: 'sqlite', path }), {
    name: 'sqlite-matrix',
    logger: silentLogger,
  });
  const quote = (name: string): string => `"${name}"`;
  return {
    connector,
    createTable: (table, columns, hasCursor) => {
      db.exec(`CREATE TABLE ${quote(table)} (${definitions(columns, quote, hasCursor)})`);
      return Promise.resolve();
    },
    insertRows: (table, rows) => {
      for (const row of rows)
        db.prepare(`INSERT INTO ${quote(table)} (id, version, ${quote(row.column)}) VALUES (?, ?, ?)`).run(
          row.id,
          row.id,
          parameter(row.kind, row.value, 'sqlite'),
        );
      return Promise.resolve();
    },
    readRows: (table, columns) => {
      // Integers as bigint, so 64-bit values stay exact; REAL as the double SQLite holds.
      const statement = db.prepare(
        `SELECT id, ${columns.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)}`,
      );
      const rows = statement.safeIntegers(true).all() as Record<string, unknown>[];
      return Promise.resolve(new Map(rows.map((row) => [Number(row.id), row])));
    },
    close: async () => {
      await connector.close();
      db.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Opens a fresh, uniquely named database of the connector behind the real connector. */
export function openEndpoint(connector: TypeCatalogue['connector']): Promise<MatrixEndpoint> {
  if (connector === 'postgres') return postgresEndpoint();
  if (connector === 'mysql') return mysqlEndpoint();
  return sqliteEndpoint();
}
