import { attachLines } from '../../core/line-reader.js';
import { sqlColumnNameProblem, sqlTableNameProblem } from '../../config/identifiers.js';
import { cursorColumn } from '../../core/source-cursor.js';
import type { Pool } from 'mysql2/promise';
import type {
  BackfillPlan,
  Change,
  Checkpoint,
  ChangeBatch,
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
import {
  pendingPage,
  readKeysetChanges,
  rowsToChanges,
  type KeysetPager,
  type PageRequest,
} from '../../core/keyset-reader.js';
import { planKeysetBackfill } from '../../core/keyset-lanes.js';
import { readKeysetRange } from '../../core/range-reader.js';
import type { Logger } from '../../core/logger.js';
import type { Row, ScalarValue } from '../../core/values.js';
import { MysqlCatalog } from './mysql-catalog.js';
import { loadInTransaction } from './mysql-bulk-load.js';
import { ConnectorError } from '../../core/errors.js';
import type { MysqlConfig } from './mysql-config.js';
import { checkTarget, collidingUniqueKeys, cursorIndexOf, findColumn } from './mysql-describe.js';
import { MysqlDigests } from './mysql-digest.js';
import { toConnectorError } from './mysql-errors.js';
import {
  buildCountQuery,
  buildPageQuery,
  buildSelectByKeys,
  parseTableName,
  quoteColumn,
  type PageQuery,
  type Statement,
  type TableName,
} from './mysql-sql.js';
import { createScratchTable, dropScratchStatement } from './mysql-scratch.js';
import { createMysqlPool, describeUrl, secretsOf, serverName } from './mysql-session.js';
import type { WritePlan } from './mysql-upserts.js';
import { fromMysqlValue, toMysqlValue } from './mysql-values.js';
import { writeInTransaction } from './mysql-writer.js';

/** Keys per `readByKeys` query. */
const KEYS_PER_QUERY = 1000;
/** Upper bound of one write statement, whatever max_allowed_packet allows. */
const MAX_STATEMENT_BYTES = 8 * 1024 * 1024;

/** A MySQL 8 or MariaDB 10.5+ database as a source (keyset reads) and a target (upserts). */
export class MysqlConnector implements Connector, KeysetPager {
  readonly capabilities: ConnectorCapabilities = {
    source: true,
    target: true,
    transactions: true,
    describe: true,
    updates: true,
    listTables: true,
    lines: true,
    writesLines: false,
    independentInstances: true,
  };

  /** SQL identifier rules (config/identifiers.ts), schema qualification allowed. */
  checkObjectName(name: string): string | undefined {
    return sqlTableNameProblem(name, 'MySQL');
  }

  checkFieldName(name: string): string | undefined {
    return sqlColumnNameProblem(name, 'MySQL');
  }
  readonly #config: MysqlConfig;
  readonly #logger: Logger;
  readonly #pool: Pool;
  readonly #secrets: string[];
  /** `connection "erp" at db:3306`: what connection failures name (never the password). */
  readonly #address: string;
  readonly #catalog: MysqlCatalog;
  readonly #checkedTargets = new Set<string>();
  readonly #warnedTables = new Set<string>();
  /** The zone DATETIME columns hold: the config's `timezone`. */
  readonly wallClockZone: string;
  /** Reconcile checksums computed by the server (mysql-digest.ts). */
  readonly digests: MysqlDigests;

  constructor(config: MysqlConfig, context: ConnectorContext) {
    this.#config = config;
    this.#logger = context.logger.child({ connection: context.name });
    this.#secrets = secretsOf(config.url.reveal());
    this.#pool = createMysqlPool(config, this.#logger);
    this.#address = `connection "${context.name}" at ${describeUrl(config.url.reveal())}`;
    this.#catalog = new MysqlCatalog(this.#pool, this.#secrets, this.#address);
    this.wallClockZone = config.timezone;
    this.digests = new MysqlDigests(this.#catalog, config.timezone);
  }

  async probe(signal: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    try {
      signal.throwIfAborted();
      const rows = await this.#catalog.query({ sql: 'SELECT VERSION() AS version', params: [] });
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      return { ok: true, server: serverName(String(rows[0]?.version)), latencyMs };
    } catch (error) {
      const failure = toConnectorError(error, { secrets: this.#secrets, server: this.#address });
      return { ok: false, message: failure.message };
    }
  }

  async describeTable(table: string, signal: AbortSignal): Promise<TableSchema | undefined> {
    const name = parseTableName(table);
    signal.throwIfAborted();
    this.#catalog.forget(name.display);
    const schema = await this.#catalog.schema(name);
    return schema === undefined
      ? undefined
      : { table: schema.table, columns: schema.columns, uniqueKeys: schema.uniqueKeys };
  }

  /** Base tables of the URL's database. */
  listTables(signal: AbortSignal): Promise<TableSchema[]> {
    signal.throwIfAborted();
    return this.#catalog.listTables();
  }

  readChanges(
    source: SourceSpec,
    since: Checkpoint | undefined,
    signal: AbortSignal,
  ): AsyncIterable<ChangeBatch> {
    // Every page query validates the identifiers first, so a bad name fails before any SQL runs.
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

  async selectPage(source: SourceSpec, page: PageRequest, signal: AbortSignal): Promise<Row[]> {
    const query = await this.#pageQuery(source);
    signal.throwIfAborted();
    return this.#selectRows(source, buildPageQuery(query, page));
  }

  async maxCursor(source: SourceSpec, signal: AbortSignal): Promise<ScalarValue | null> {
    const query = await this.#pageQuery(source);
    signal.throwIfAborted();
    const cursor = quoteColumn(cursorColumn(source));
    const rows = await this.#catalog.query(
      { sql: `SELECT MAX(${cursor}) AS cursor_max FROM ${query.table.quoted}`, params: [] },
      source,
    );
    const schema = await this.#catalog.requireSchema(query.table, source.flow);
    const value = fromMysqlValue(findColumn(schema, cursorColumn(source)), rows[0]?.cursor_max);
    if (typeof value === 'string' || typeof value === 'number') return value;
    return typeof value === 'boolean' ? Number(value) : null;
  }

  async readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    const query = await this.#pageQuery(source);
    const changes: Change[] = [];
    for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
      signal.throwIfAborted();
      const bound = keys.slice(start, start + KEYS_PER_QUERY).map((key) => query.bind(source.key, key));
      const rows = await this.#selectRows(
        source,
        buildSelectByKeys(query.table, query.columns, source.key, bound),
      );
      changes.push(...rowsToChanges(source, rows));
    }
    return attachLines(source, changes, (spec, parents, sig) => this.readByKeys(spec, parents, sig), signal);
  }

  async countPending(
    source: SourceSpec,
    since: Checkpoint | undefined,
    limit: number,
    signal: AbortSignal,
  ): Promise<number> {
    const query = await this.#pageQuery(source);
    signal.throwIfAborted();
    const rows = await this.#catalog.query(buildCountQuery(query, pendingPage(source, since, limit)), source);
    return Number(rows[0]?.pending ?? 0);
  }

  async writeBatch(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult> {
    const table = checkTargetNames(target);
    if (records.length === 0) return { written: 0 };
    const plan = await this.#writePlan(target, table);
    signal.throwIfAborted();
    return writeInTransaction(this.#pool, plan, records, signal);
  }

  /**
   * The bulk path of an initial load (mysql-bulk-load.ts): `LOAD DATA LOCAL INFILE` from a stream
   * when the server allows LOCAL INFILE and no value is binary; otherwise it refuses, and the
   * engine writes the batch through `writeBatch`.
   */
  async bulkInsert(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult> {
    const table = checkTargetNames(target);
    const server = await this.#catalog.serverInfo();
    if (!server.hasLocalInfile || records.some((record) => record.op !== 'upsert')) {
      throw new ConnectorError(
        'CONNECTOR_QUERY_FAILED',
        `Flow "${target.flow}": the bulk path needs local_infile on the server and upserts only`,
        { flow: target.flow },
      );
    }
    const plan = await this.#writePlan(target, table);
    if (plan.isChecked) {
      throw new ConnectorError(
        'CONNECTOR_QUERY_FAILED',
        `Flow "${target.flow}": ${target.table} has other unique keys; the bulk path is not used`,
        { flow: target.flow },
      );
    }
    signal.throwIfAborted();
    return loadInTransaction(this.#pool, plan, records, signal);
  }

  /** Creates a `syncline_probe_…` table for `syncline probe` (see mysql-scratch.ts). */
  createScratchTable(name: string, signal: AbortSignal): Promise<TargetSpec> {
    signal.throwIfAborted();
    return createScratchTable(name, (statement) => this.#catalog.query(statement, { table: name }));
  }

  /** Drops a `syncline_probe_…` table, if it exists. */
  async dropScratchTable(name: string, signal: AbortSignal): Promise<void> {
    const statement = dropScratchStatement(name);
    signal.throwIfAborted();
    await this.#catalog.query(statement, { table: name });
    this.#catalog.forget(name);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  #validateSource(source: SourceSpec): TableName {
    const table = parseTableName(source.table, source.flow);
    for (const column of this.#sourceColumns(source)) quoteColumn(column, source.flow);
    return table;
  }

  #sourceColumns(source: SourceSpec): string[] {
    const deleted = source.deleted === undefined ? [] : [source.deleted];
    return [...new Set([source.key, cursorColumn(source), ...deleted, ...source.columns])];
  }

  async #pageQuery(source: SourceSpec): Promise<PageQuery> {
    const table = this.#validateSource(source);
    const schema = await this.#catalog.requireSchema(table, source.flow);
    const cursorIndex = cursorIndexOf(schema, cursorColumn(source), source.key);
    if (cursorIndex === undefined && !this.#warnedTables.has(table.display)) {
      this.#warnedTables.add(table.display);
      this.#logger.warn(
        `MySQL table ${table.display} has no index on (${cursorColumn(source)}, ${source.key}): every incremental read scans and sorts the table; ` +
          `add one with CREATE INDEX ${table.table}_sync_cursor ON ${table.display} (${cursorColumn(source)}, ${source.key})`,
        { flow: source.flow },
      );
    }
    return {
      table,
      columns: this.#sourceColumns(source),
      key: source.key,
      cursor: cursorColumn(source),
      cursorIndex,
      bind: (column, value) => toMysqlValue(findColumn(schema, column), value, this.#config.timezone),
    };
  }

  async #selectRows(source: SourceSpec, statement: Statement): Promise<Row[]> {
    const table = parseTableName(source.table, source.flow);
    const schema = await this.#catalog.requireSchema(table, source.flow);
    const rows = await this.#catalog.query(statement, source);
    const columns = this.#sourceColumns(source).map((name) => [name, findColumn(schema, name)] as const);
    return rows.map((raw) => {
      const row: Row = {};
      for (const [name, column] of columns) row[name] = fromMysqlValue(column, raw[name]);
      return row;
    });
  }

  async #writePlan(target: TargetSpec, table: TableName): Promise<WritePlan> {
    const schema = await this.#catalog.requireSchema(table, target.flow);
    const checkKey = JSON.stringify([table.display, target.key, target.columns, target.onDelete]);
    if (!this.#checkedTargets.has(checkKey)) {
      checkTarget(target, schema);
      this.#checkedTargets.add(checkKey);
    }
    const server = await this.#catalog.serverInfo();
    return {
      target,
      table,
      schema,
      timezone: this.#config.timezone,
      upsertSyntax: server.upsertSyntax,
      isChecked: collidingUniqueKeys(schema, target.key).length > 0,
      maxStatementBytes: Math.max(
        64 * 1024,
        Math.min(Math.floor(server.maxPacketBytes / 2), MAX_STATEMENT_BYTES),
      ),
      secrets: this.#secrets,
      server: this.#address,
    };
  }
}

/**
 * The target's table, with every name a write uses (columns, key, soft-delete column) checked
 * before any SQL is built.
 */
function checkTargetNames(target: TargetSpec): ReturnType<typeof parseTableName> {
  const table = parseTableName(target.table, target.flow);
  for (const column of target.columns) quoteColumn(column, target.flow);
  quoteColumn(target.key, target.flow);
  if (target.onDelete.mode === 'soft') quoteColumn(target.onDelete.column, target.flow);
  return table;
}
