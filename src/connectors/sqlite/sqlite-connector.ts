import Database from 'better-sqlite3';
import type {
  Change,
  ChangeBatch,
  Checkpoint,
  Connector,
  ConnectorCapabilities,
  ConnectorContext,
  ProbeResult,
  SourceSpec,
  TableSchema,
  TargetRecord,
  TargetSpec,
  WriteResult,
} from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { pendingPage, readKeysetChanges, rowsToChanges, type KeysetPager, type PageRequest } from '../../core/keyset-reader.js';
import type { Logger } from '../../core/logger.js';
import type { Row, ScalarValue } from '../../core/values.js';
import { MEMORY_DATABASE, resolveDatabasePath, type SqliteConfig } from './sqlite-config.js';
import { toSqliteConnectorError, type SqliteErrorContext } from './sqlite-errors.js';
import { assertColumnName, parseTableName, quoteIdentifier, type TableName } from './sqlite-identifiers.js';
import { hasSingleColumnUniqueKey, readTableSchema, type SqliteTable } from './sqlite-schema.js';
import {
  chunkForParameters,
  countPageStatement,
  maxCursorStatement,
  selectByKeysStatement,
  selectPageStatement,
  type SourceNames,
  type Statement,
} from './sqlite-statements.js';
import { decodeRow, decodeValue } from './sqlite-values.js';
import { planWrites, type WriteStep } from './sqlite-write-plan.js';

/** How long a statement waits for another connection's lock before SQLITE_BUSY (better-sqlite3 `timeout`). */
const BUSY_TIMEOUT_MS = 5_000;
const STATEMENT_CACHE_SIZE = 200;
const KEYS_PER_QUERY = 500;

/** Driver errors worth replaying row by row to name the record at fault. */
function isRecordError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG');
}

function toBindable(value: ScalarValue): ScalarValue | bigint {
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
}

/**
 * A SQLite database file through better-sqlite3: a source read with the shared keyset reader and a
 * target written in one transaction per batch. The file is opened on first use in WAL mode, so
 * reads do not block the writer of another process.
 */
export class SqliteConnector implements Connector, KeysetPager {
  readonly capabilities: ConnectorCapabilities;
  readonly #name: string;
  readonly #path: string;
  readonly #isReadonly: boolean;
  readonly #logger: Logger;
  #db: Database.Database | undefined;
  readonly #schemas = new Map<string, { version: number; table: SqliteTable | undefined }>();
  readonly #statements = new Map<string, Database.Statement>();

  constructor(config: SqliteConfig, context: ConnectorContext) {
    this.#name = context.name;
    this.#path = resolveDatabasePath(config);
    this.#isReadonly = config.readonly ?? false;
    this.#logger = context.logger.child({ connection: context.name });
    this.capabilities = { source: true, target: !this.#isReadonly, transactions: true, describe: true };
  }

  async probe(signal: AbortSignal): Promise<ProbeResult> {
    signal.throwIfAborted();
    const started = performance.now();
    try {
      const version = this.#database().prepare('SELECT sqlite_version()').pluck().get() as string;
      return { ok: true, server: `SQLite ${version}`, latencyMs: performance.now() - started };
    } catch (error) {
      return { ok: false, message: toSqliteConnectorError(error, { path: this.#path }).message };
    }
  }

  async describeTable(table: string, signal: AbortSignal): Promise<TableSchema | undefined> {
    const name = parseTableName(table);
    signal.throwIfAborted();
    const schema = this.#schema(name, table, { path: this.#path, table });
    if (schema === undefined) return undefined;
    return {
      table: schema.table,
      columns: schema.columns.map(({ hasNumericAffinity: _affinity, ...column }) => column),
      uniqueKeys: schema.uniqueKeys,
    };
  }

  readChanges(source: SourceSpec, since: Checkpoint | undefined, signal: AbortSignal): AsyncIterable<ChangeBatch> {
    return readKeysetChanges(this, source, since, signal);
  }

  async selectPage(source: SourceSpec, page: PageRequest, signal: AbortSignal): Promise<Row[]> {
    const { names, table } = this.#source(source);
    signal.throwIfAborted();
    const rows = this.#all(selectPageStatement(names, page), { path: this.#path, flow: source.flow, table: source.table });
    return rows.map((row) => decodeRow(row, table.columnsByName));
  }

  async maxCursor(source: SourceSpec, signal: AbortSignal): Promise<ScalarValue | null> {
    const { names, table } = this.#source(source);
    signal.throwIfAborted();
    const [row] = this.#all(maxCursorStatement(names), { path: this.#path, flow: source.flow, table: source.table });
    const value = decodeValue(table.columnsByName.get(source.cursor)?.kind, row?.max);
    if (value === null) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    return typeof value === 'string' || typeof value === 'number' ? value : String(value);
  }

  async readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    const { names, table } = this.#source(source);
    const isIntegerKey = table.columnsByName.get(source.key)?.kind === 'integer';
    const bound = keys.map((key) => (isIntegerKey && /^-?\d+$/.test(key) ? BigInt(key) : key));
    const changes: Change[] = [];
    for (const chunk of chunkForParameters(bound, 1, KEYS_PER_QUERY)) {
      signal.throwIfAborted();
      const rows = this.#all(selectByKeysStatement(names, chunk), { path: this.#path, flow: source.flow, table: source.table });
      changes.push(...rowsToChanges(source, rows.map((row) => decodeRow(row, table.columnsByName))));
    }
    return changes;
  }

  async countPending(source: SourceSpec, since: Checkpoint | undefined, limit: number, signal: AbortSignal): Promise<number> {
    const { names } = this.#source(source);
    signal.throwIfAborted();
    const statement = countPageStatement(names, pendingPage(source, since, limit));
    const [row] = this.#all(statement, { path: this.#path, flow: source.flow, table: source.table });
    return Number(row?.pending ?? 0);
  }

  async writeBatch(target: TargetSpec, records: readonly TargetRecord[], signal: AbortSignal): Promise<WriteResult> {
    const tableName = parseTableName(target.table, target.flow);
    for (const column of [target.key, ...target.columns]) assertColumnName(column, target.flow);
    if (target.onDelete.mode === 'soft') assertColumnName(target.onDelete.column, target.flow);
    if (this.#isReadonly) {
      throw new ConnectorError(
        'CONNECTOR_QUERY_FAILED',
        `Flow "${target.flow}": connection "${this.#name}" opens ${this.#path} read-only (readonly: true), so it cannot be a target`,
        { flow: target.flow },
      );
    }
    if (records.length === 0) return { written: 0 };
    signal.throwIfAborted();
    const context: SqliteErrorContext = { path: this.#path, flow: target.flow, table: target.table };
    const table = this.#requireTable(tableName, target.table, context);
    const needed = [target.key, ...target.columns, ...(target.onDelete.mode === 'soft' ? [target.onDelete.column] : [])];
    this.#requireColumns(table, needed, context);
    if (!hasSingleColumnUniqueKey(table, target.key)) {
      throw new ConnectorError(
        'CONNECTOR_NO_UNIQUE_KEY',
        `Flow "${target.flow}": column ${target.key} of ${target.table} in ${this.#path} has no unique index or primary key of its own, so writes cannot be idempotent upserts; add one: CREATE UNIQUE INDEX … ON ${quoteIdentifier(tableName.name)} (${quoteIdentifier(target.key)})`,
        { flow: target.flow },
      );
    }
    const steps = planWrites(target, records, table, tableName);
    const write = this.#database().transaction(() => steps.reduce((written, step) => written + this.#runStep(step, context), 0));
    try {
      return { written: write.immediate() };
    } catch (error) {
      throw toSqliteConnectorError(error, context);
    }
  }

  async close(): Promise<void> {
    this.#statements.clear();
    this.#schemas.clear();
    this.#db?.close();
    this.#db = undefined;
  }

  /** Opens the file on first use: WAL, a busy timeout, and a file that must already exist. */
  #database(): Database.Database {
    if (this.#db !== undefined) return this.#db;
    try {
      const db = new Database(this.#path, {
        readonly: this.#isReadonly,
        fileMustExist: this.#path !== MEMORY_DATABASE,
        timeout: BUSY_TIMEOUT_MS,
      });
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (!this.#isReadonly) db.pragma('journal_mode = WAL');
      this.#db = db;
      this.#logger.debug('opened SQLite database', { path: this.#path, readonly: this.#isReadonly });
      return db;
    } catch (error) {
      throw toSqliteConnectorError(error, { path: this.#path });
    }
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#database().prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #all(statement: Statement, context: SqliteErrorContext): Record<string, unknown>[] {
    try {
      const prepared = this.#prepare(statement.sql).safeIntegers(true);
      return prepared.all(...statement.params.map((param) => toBindable(param as ScalarValue))) as Record<string, unknown>[];
    } catch (error) {
      throw toSqliteConnectorError(error, context);
    }
  }

  /** Runs one statement of a batch; when a record breaks it, replays the records one by one to name it. */
  #runStep(step: WriteStep, context: SqliteErrorContext): number {
    try {
      return this.#prepare(step.statement.sql).run(...step.statement.params).changes;
    } catch (error) {
      if (!isRecordError(error)) throw error;
      if (step.keys.length === 1) throw toSqliteConnectorError(error, { ...context, key: step.keys[0] ?? '' });
      step.singles().forEach((single, index) => {
        try {
          this.#prepare(single.sql).run(...single.params);
        } catch (singleError) {
          throw toSqliteConnectorError(singleError, { ...context, key: step.keys[index] ?? '' });
        }
      });
      throw error;
    }
  }

  /** The table's live schema, re-read whenever the database's schema version changes. */
  #schema(name: TableName, display: string, context: SqliteErrorContext): SqliteTable | undefined {
    const cacheKey = `${name.schema}.${name.name}`;
    try {
      const db = this.#database();
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

  #requireTable(name: TableName, display: string, context: SqliteErrorContext): SqliteTable {
    const table = this.#schema(name, display, context);
    if (table !== undefined) return table;
    const flow = context.flow === undefined ? '' : `Flow "${context.flow}": `;
    throw new ConnectorError('CONNECTOR_TABLE_NOT_FOUND', `${flow}table ${display} does not exist in ${this.#path}`, {
      ...(context.flow === undefined ? {} : { flow: context.flow }),
    });
  }

  #requireColumns(table: SqliteTable, columns: readonly string[], context: SqliteErrorContext): void {
    const missing = [...new Set(columns)].filter((column) => !table.columnsByName.has(column));
    if (missing.length === 0) return;
    const flow = context.flow === undefined ? '' : `Flow "${context.flow}": `;
    throw new ConnectorError(
      'CONNECTOR_COLUMN_NOT_FOUND',
      `${flow}table ${table.table} in ${this.#path} has no column ${missing.join(', ')}`,
      context.flow === undefined ? {} : { flow: context.flow },
    );
  }

  /** Validates a source's identifiers (before any SQL) and checks them against the live table. */
  #source(source: SourceSpec): { names: SourceNames; table: SqliteTable } {
    const tableName = parseTableName(source.table, source.flow);
    const columns = [...new Set([source.key, source.cursor, ...(source.deleted === undefined ? [] : [source.deleted]), ...source.columns])];
    for (const column of columns) assertColumnName(column, source.flow);
    const context: SqliteErrorContext = { path: this.#path, flow: source.flow, table: source.table };
    const table = this.#requireTable(tableName, source.table, context);
    this.#requireColumns(table, columns, context);
    const selected = [...new Set([...source.columns, source.key, source.cursor, ...(source.deleted === undefined ? [] : [source.deleted])])];
    return { names: { table: tableName, key: source.key, cursor: source.cursor, columns: selected }, table };
  }
}
