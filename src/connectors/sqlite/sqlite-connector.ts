import { attachLines } from '../../core/line-reader.js';
import { cursorColumn } from '../../core/source-cursor.js';
import type {
  BackfillPlan,
  Change,
  ChangeBatch,
  Checkpoint,
  Connector,
  ConnectorCapabilities,
  ConnectorContext,
  ProbeResult,
  ReadRange,
  SourceSpec,
  TableSchema,
  TargetRecord,
  TargetSpec,
  WriteResult,
} from '../../core/connector.js';
import { isPlainIdentifier, sqlColumnNameProblem, sqlTableNameProblem } from '../../config/identifiers.js';
import { ConnectorError } from '../../core/errors.js';
import { SCRATCH_TABLE_PREFIX } from '../../core/scratch-table.js';
import {
  pendingPage,
  readKeysetChanges,
  rowsToChanges,
  type KeysetPager,
  type PageRequest,
} from '../../core/keyset-reader.js';
import { planKeysetBackfill } from '../../core/keyset-lanes.js';
import { readKeysetRange } from '../../core/range-reader.js';
import type { Row, ScalarValue } from '../../core/values.js';
import { resolveDatabasePath, type SqliteConfig } from './sqlite-config.js';
import { settle, SqliteDatabase } from './sqlite-database.js';
import { SqliteDigests } from './sqlite-digest.js';
import { toSqliteConnectorError, type SqliteErrorContext } from './sqlite-errors.js';
import { assertColumnName, parseTableName, quoteIdentifier } from './sqlite-identifiers.js';
import { createScratchTable, dropScratchTable } from './sqlite-scratch.js';
import { hasSingleColumnUniqueKey, type SqliteTable } from './sqlite-schema.js';
import {
  chunkForParameters,
  countPageStatement,
  maxCursorStatement,
  selectByKeysStatement,
  selectPageStatement,
  type SourceNames,
} from './sqlite-statements.js';
import { decodeRow, decodeValue, toCursorValue } from './sqlite-values.js';
import { planWrites, runWriteSteps } from './sqlite-write-plan.js';

const KEYS_PER_QUERY = 500;

/**
 * A SQLite database file through better-sqlite3: a source read with the shared keyset reader, and
 * a target written in one transaction per batch with multi-row upserts. The file is opened on
 * first use in WAL mode, so reading does not block another process's writer.
 */
export class SqliteConnector implements Connector, KeysetPager {
  readonly capabilities: ConnectorCapabilities;
  readonly #name: string;
  readonly #isReadonly: boolean;
  readonly #database: SqliteDatabase;
  /** Reconcile checksums computed inside SQLite (sqlite-digest.ts). */
  readonly digests: SqliteDigests;

  constructor(config: SqliteConfig, context: ConnectorContext) {
    this.#name = context.name;
    this.#isReadonly = config.readonly ?? false;
    const logger = context.logger.child({ connection: context.name });
    this.#database = new SqliteDatabase(resolveDatabasePath(config), this.#isReadonly, logger);
    this.digests = new SqliteDigests(this.#database);
    const target = !this.#isReadonly;
    this.capabilities = {
      source: true,
      target,
      transactions: true,
      describe: true,
      updates: target,
      listTables: true,
      lines: true,
      writesLines: false,
    };
  }

  /** SQL identifier rules (config/identifiers.ts), schema qualification allowed. */
  checkObjectName(name: string): string | undefined {
    return sqlTableNameProblem(name, 'SQLite');
  }

  checkFieldName(name: string): string | undefined {
    return sqlColumnNameProblem(name, 'SQLite');
  }

  probe(signal: AbortSignal): Promise<ProbeResult> {
    return settle(() => {
      signal.throwIfAborted();
      const started = performance.now();
      try {
        const version = this.#database.handle().prepare('SELECT sqlite_version()').pluck().get() as string;
        return { ok: true, server: `SQLite ${version}`, latencyMs: performance.now() - started };
      } catch (error) {
        return { ok: false, message: toSqliteConnectorError(error, { path: this.#database.path }).message };
      }
    });
  }

  describeTable(table: string, signal: AbortSignal): Promise<TableSchema | undefined> {
    return settle(() => {
      const name = parseTableName(table);
      signal.throwIfAborted();
      const schema = this.#database.table(name, table, { path: this.#database.path, table });
      if (schema === undefined) return undefined;
      return {
        table: schema.table,
        columns: schema.columns.map(({ hasNumericAffinity: _affinity, ...column }) => column),
        uniqueKeys: schema.uniqueKeys,
      };
    });
  }

  /** Tables of the main database file, without SQLite's own and Syncline's scratch tables. */
  listTables(signal: AbortSignal): Promise<TableSchema[]> {
    return settle(() => {
      signal.throwIfAborted();
      const names = this.#database
        .handle()
        .prepare(
          "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .pluck()
        .all() as string[];
      return names.flatMap((name) => {
        if (!isPlainIdentifier(name) || name.startsWith(SCRATCH_TABLE_PREFIX)) return [];
        const schema = this.#database.table(parseTableName(name), name, {
          path: this.#database.path,
          table: name,
        });
        if (schema === undefined) return [];
        const columns = schema.columns.map(({ hasNumericAffinity: _affinity, ...column }) => column);
        return [{ table: schema.table, columns, uniqueKeys: schema.uniqueKeys }];
      });
    });
  }

  readChanges(
    source: SourceSpec,
    since: Checkpoint | undefined,
    signal: AbortSignal,
  ): AsyncIterable<ChangeBatch> {
    return readKeysetChanges(this, source, since, signal);
  }

  /** Rows of a key or cursor range, paged by the shared range reader. */
  readRange(source: SourceSpec, range: ReadRange, signal: AbortSignal): AsyncIterable<readonly Change[]> {
    return readKeysetRange(this, source, range, signal);
  }

  /** Key ranges of a partitioned backfill, split at row-count quantiles (core/keyset-lanes.ts). */
  planBackfill(source: SourceSpec, lanes: number, signal: AbortSignal): Promise<BackfillPlan | undefined> {
    return planKeysetBackfill(this, source, lanes, signal);
  }

  selectPage(source: SourceSpec, page: PageRequest, signal: AbortSignal): Promise<Row[]> {
    return settle(() => {
      const { names, table, context } = this.#source(source);
      signal.throwIfAborted();
      const rows = this.#database.all(selectPageStatement(names, page), context);
      return rows.map((row) => decodeRow(row, table.columnsByName));
    });
  }

  maxCursor(source: SourceSpec, signal: AbortSignal): Promise<ScalarValue | null> {
    return settle(() => {
      const { names, table, context } = this.#source(source);
      signal.throwIfAborted();
      const [row] = this.#database.all(maxCursorStatement(names), context);
      return toCursorValue(decodeValue(table.columnsByName.get(cursorColumn(source))?.kind, row?.max));
    });
  }

  async readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    const changes = await this.#readByKeys(source, keys, signal);
    return attachLines(source, changes, (spec, parents, sig) => this.readByKeys(spec, parents, sig), signal);
  }

  #readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    return settle(() => {
      const { names, table, context } = this.#source(source);
      const isIntegerKey = table.columnsByName.get(source.key)?.kind === 'integer';
      const bound = keys.map((key) => (isIntegerKey && /^-?\d+$/.test(key) ? BigInt(key) : key));
      const changes: Change[] = [];
      for (const chunk of chunkForParameters(bound, 1, KEYS_PER_QUERY)) {
        signal.throwIfAborted();
        const rows = this.#database.all(selectByKeysStatement(names, chunk), context);
        changes.push(
          ...rowsToChanges(
            source,
            rows.map((row) => decodeRow(row, table.columnsByName)),
          ),
        );
      }
      return changes;
    });
  }

  countPending(
    source: SourceSpec,
    since: Checkpoint | undefined,
    limit: number,
    signal: AbortSignal,
  ): Promise<number> {
    return settle(() => {
      const { names, context } = this.#source(source);
      signal.throwIfAborted();
      const [row] = this.#database.all(countPageStatement(names, pendingPage(source, since, limit)), context);
      return Number(row?.pending ?? 0);
    });
  }

  writeBatch(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult> {
    return settle(() => {
      const tableName = parseTableName(target.table, target.flow);
      const columns = [target.key, ...target.columns];
      for (const column of columns) assertColumnName(column, target.flow);
      if (this.#isReadonly) {
        throw new ConnectorError(
          'CONNECTOR_QUERY_FAILED',
          `Flow "${target.flow}": connection "${this.#name}" opens ${this.#database.path} read-only (readonly: true), so it cannot be a target`,
          { flow: target.flow },
        );
      }
      if (records.length === 0) return { written: 0 };
      signal.throwIfAborted();
      const context: SqliteErrorContext = {
        path: this.#database.path,
        flow: target.flow,
        table: target.table,
      };
      const table = this.#database.requireTable(tableName, target.table, context);
      this.#database.requireColumns(table, columns, context);
      if (!hasSingleColumnUniqueKey(table, target.key)) {
        throw new ConnectorError(
          'CONNECTOR_NO_UNIQUE_KEY',
          `Flow "${target.flow}": column ${target.key} of ${target.table} in ${this.#database.path} has no unique index or primary key of its own, so writes cannot be idempotent upserts; add one: CREATE UNIQUE INDEX … ON ${quoteIdentifier(tableName.name)} (${quoteIdentifier(target.key)})`,
          { flow: target.flow },
        );
      }
      const steps = planWrites(target, records, table, tableName);
      return this.#database.inTransaction(() => runWriteSteps(this.#database, steps, context), context);
    });
  }

  /** Creates a `syncline_probe_…` table for `syncline probe` (see sqlite-scratch.ts). */
  createScratchTable(name: string, signal: AbortSignal): Promise<TargetSpec> {
    return settle(() => {
      signal.throwIfAborted();
      return createScratchTable(this.#database, name);
    });
  }

  /** Drops a `syncline_probe_…` table, if it exists. */
  dropScratchTable(name: string, signal: AbortSignal): Promise<void> {
    return settle(() => {
      signal.throwIfAborted();
      dropScratchTable(this.#database, name);
    });
  }

  close(): Promise<void> {
    return settle(() => {
      this.#database.close();
    });
  }

  /** Validates a source's identifiers (before any SQL runs) and checks them against the live table. */
  #source(source: SourceSpec): { names: SourceNames; table: SqliteTable; context: SqliteErrorContext } {
    const tableName = parseTableName(source.table, source.flow);
    const deleted = source.deleted === undefined ? [] : [source.deleted];
    const columns = [...new Set([...source.columns, source.key, cursorColumn(source), ...deleted])];
    for (const column of columns) assertColumnName(column, source.flow);
    const context: SqliteErrorContext = { path: this.#database.path, flow: source.flow, table: source.table };
    const table = this.#database.requireTable(tableName, source.table, context);
    this.#database.requireColumns(table, columns, context);
    return {
      names: { table: tableName, key: source.key, cursor: cursorColumn(source), columns },
      table,
      context,
    };
  }
}
