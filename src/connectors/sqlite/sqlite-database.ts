import Database from 'better-sqlite3';
import { ConnectorError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { MEMORY_DATABASE } from './sqlite-config.js';
import { toSqliteConnectorError, type SqliteErrorContext } from './sqlite-errors.js';
import { quoteIdentifier, type TableName } from './sqlite-identifiers.js';
import { readTableSchema, type SqliteTable } from './sqlite-schema.js';
import type { Statement } from './sqlite-statements.js';

/** How long a statement waits for another connection's lock before SQLITE_BUSY (ms). */
export const BUSY_TIMEOUT_MS = 5_000;
const STATEMENT_CACHE_SIZE = 200;

/**
 * Runs a synchronous better-sqlite3 call as a promise, so what it throws becomes a rejection
 * (callers of the Connector interface handle failures on the promise, never synchronously).
 */
export function settle<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function toBindable(value: unknown): unknown {
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
}

function flowPrefix(context: SqliteErrorContext): string {
  return context.flow === undefined ? '' : `Flow "${context.flow}": `;
}

/**
 * One database file, opened on first use (WAL, busy timeout, the file must exist), with a cache of
 * prepared statements and of table schemas that is refreshed whenever the schema version changes.
 */
export class SqliteDatabase {
  readonly path: string;
  readonly #isReadonly: boolean;
  readonly #logger: Logger;
  #db: Database.Database | undefined;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #schemas = new Map<string, { version: number; table: SqliteTable | undefined }>();

  constructor(path: string, isReadonly: boolean, logger: Logger) {
    this.path = path;
    this.#isReadonly = isReadonly;
    this.#logger = logger;
  }

  /** The open handle; opens the file on first use. */
  handle(): Database.Database {
    if (this.#db !== undefined) return this.#db;
    try {
      const db = new Database(this.path, {
        readonly: this.#isReadonly,
        fileMustExist: this.path !== MEMORY_DATABASE,
        timeout: BUSY_TIMEOUT_MS,
      });
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (!this.#isReadonly) db.pragma('journal_mode = WAL');
      this.#db = db;
      this.#logger.debug('opened SQLite database', { path: this.path, readonly: this.#isReadonly });
      return db;
    } catch (error) {
      throw toSqliteConnectorError(error, { path: this.path });
    }
  }

  /** A prepared statement, from the cache when this SQL ran before. */
  prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.handle().prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Rows of a query, integers as bigint (so none loses precision); errors mapped with `context`. */
  all(statement: Statement, context: SqliteErrorContext): Record<string, unknown>[] {
    try {
      const prepared = this.prepare(statement.sql).safeIntegers(true);
      return prepared.all(...statement.params.map(toBindable)) as Record<string, unknown>[];
    } catch (error) {
      throw toSqliteConnectorError(error, context);
    }
  }

  /** Runs `write` in one `BEGIN IMMEDIATE` transaction: all of it is committed, or none of it. */
  inTransaction<T>(write: () => T, context: SqliteErrorContext): T {
    try {
      return this.handle().transaction(write).immediate();
    } catch (error) {
      throw toSqliteConnectorError(error, context);
    }
  }

  /** The live schema of a table, or undefined when it does not exist. */
  table(name: TableName, display: string, context: SqliteErrorContext): SqliteTable | undefined {
    const cacheKey = `${name.schema}.${name.name}`;
    try {
      const db = this.handle();
      const version = db.pragma(`${quoteIdentifier(name.schema)}.schema_version`, { simple: true }) as number;
      const cached = this.#schemas.get(cacheKey);
      if (cached?.version === version) return cached.table;
      const table = readTableSchema(db, name, display);
      this.#schemas.set(cacheKey, { version, table });
      return table;
    } catch (error) {
      throw toSqliteConnectorError(error, context);
    }
  }

  /** The live schema of a table; CONNECTOR_TABLE_NOT_FOUND when it does not exist. */
  requireTable(name: TableName, display: string, context: SqliteErrorContext): SqliteTable {
    const table = this.table(name, display, context);
    if (table !== undefined) return table;
    throw new ConnectorError(
      'CONNECTOR_TABLE_NOT_FOUND',
      `${flowPrefix(context)}table ${display} does not exist in ${this.path}`,
      context.flow === undefined ? {} : { flow: context.flow },
    );
  }

  /** Throws CONNECTOR_COLUMN_NOT_FOUND naming every column the table lacks. */
  requireColumns(table: SqliteTable, columns: readonly string[], context: SqliteErrorContext): void {
    const missing = [...new Set(columns)].filter((column) => !table.columnsByName.has(column));
    if (missing.length === 0) return;
    throw new ConnectorError(
      'CONNECTOR_COLUMN_NOT_FOUND',
      `${flowPrefix(context)}table ${table.table} in ${this.path} has no column ${missing.join(', ')}`,
      context.flow === undefined ? {} : { flow: context.flow },
    );
  }

  /** Closes the file; the next call opens it again. */
  close(): void {
    this.#statements.clear();
    this.#schemas.clear();
    this.#db?.close();
    this.#db = undefined;
  }
}
