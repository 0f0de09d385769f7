import type { Pool, PoolConnection } from 'mysql2/promise';
import type {
  Change,
  Checkpoint,
  ChangeBatch,
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
import type { MysqlConfig } from './mysql-config.js';
import { checkTarget, collidingUniqueKeys, describeMysqlTable, findColumn, type MysqlTableSchema } from './mysql-describe.js';
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
import { createMysqlPool, describeUrl, readServerInfo, secretsOf, serverName, type ServerInfo } from './mysql-session.js';
import { fromMysqlValue, toMysqlValue } from './mysql-values.js';
import type { StatementResult, WritePlan } from './mysql-upserts.js';
import { writeRecords } from './mysql-writer.js';

/** Keys per `readByKeys` query. */
const KEYS_PER_QUERY = 1000;
/** Upper bound of one write statement, whatever max_allowed_packet allows. */
const MAX_STATEMENT_BYTES = 8 * 1024 * 1024;

/** Rolls a failed batch back; a connection that cannot even roll back is closed, not reused. */
async function rollbackOrDestroy(connection: PoolConnection): Promise<void> {
  try {
    await connection.rollback();
    connection.release();
  } catch {
    connection.destroy();
  }
}

/** A MySQL 8 or MariaDB 10.5+ database as a source (keyset reads) and a target (upserts). */
export class MysqlConnector implements Connector, KeysetPager {
  readonly capabilities: ConnectorCapabilities = { source: true, target: true, transactions: true, describe: true };
  readonly #config: MysqlConfig;
  readonly #logger: Logger;
  readonly #pool: Pool;
  readonly #secrets: string[];
  #server: Promise<ServerInfo> | undefined;
  readonly #schemas = new Map<string, Promise<MysqlTableSchema | undefined>>();
  readonly #checkedTargets = new Set<string>();

  constructor(config: MysqlConfig, context: ConnectorContext) {
    this.#config = config;
    this.#logger = context.logger.child({ connection: context.name });
    this.#secrets = secretsOf(config.url.reveal());
    this.#pool = createMysqlPool(config, this.#logger);
  }

  async probe(signal: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    try {
      signal.throwIfAborted();
      const rows = await this.#query({ sql: 'SELECT VERSION() AS version', params: [] });
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      return { ok: true, server: serverName(String(rows[0]?.version)), latencyMs };
    } catch (error) {
      const failure = toConnectorError(error, { secrets: this.#secrets });
      return { ok: false, message: `${describeUrl(this.#config.url.reveal())}: ${failure.message}` };
    }
  }

  async describeTable(table: string, signal: AbortSignal): Promise<TableSchema | undefined> {
    const name = parseTableName(table);
    signal.throwIfAborted();
    this.#schemas.delete(name.display);
    return this.#schema(name);
  }

  readChanges(source: SourceSpec, since: Checkpoint | undefined, signal: AbortSignal): AsyncIterable<ChangeBatch> {
    this.#validateSource(source);
    return readKeysetChanges(this, source, since, signal);
  }

  async selectPage(source: SourceSpec, page: PageRequest, signal: AbortSignal): Promise<Row[]> {
    const query = await this.#pageQuery(source);
    signal.throwIfAborted();
    return this.#selectRows(source, buildPageQuery(query, page));
  }

  async maxCursor(source: SourceSpec, signal: AbortSignal): Promise<ScalarValue | null> {
    const query = await this.#pageQuery(source);
    signal.throwIfAborted();
    const cursor = quoteColumn(source.cursor);
    const rows = await this.#query({ sql: `SELECT MAX(${cursor}) AS cursor_max FROM ${query.table.quoted}`, params: [] }, source);
    const schema = await this.#requireSchema(query.table, source.flow);
    const value = fromMysqlValue(findColumn(schema, source.cursor), rows[0]?.cursor_max);
    if (typeof value === 'string' || typeof value === 'number') return value;
    return typeof value === 'boolean' ? Number(value) : null;
  }

  async readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    const query = await this.#pageQuery(source);
    const changes: Change[] = [];
    for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
      signal.throwIfAborted();
      const bound = keys.slice(start, start + KEYS_PER_QUERY).map((key) => query.bind(source.key, key));
      const rows = await this.#selectRows(source, buildSelectByKeys(query.table, query.columns, source.key, bound));
      changes.push(...rowsToChanges(source, rows));
    }
    return changes;
  }

  async countPending(source: SourceSpec, since: Checkpoint | undefined, limit: number, signal: AbortSignal): Promise<number> {
    const query = await this.#pageQuery(source);
    signal.throwIfAborted();
    const rows = await this.#query(buildCountQuery(query, pendingPage(source, since, limit)), source);
    return Number(rows[0]?.pending ?? 0);
  }

  async writeBatch(target: TargetSpec, records: readonly TargetRecord[], signal: AbortSignal): Promise<WriteResult> {
    const table = parseTableName(target.table, target.flow);
    for (const column of target.columns) quoteColumn(column, target.flow);
    quoteColumn(target.key, target.flow);
    if (target.onDelete.mode === 'soft') quoteColumn(target.onDelete.column, target.flow);
    if (records.length === 0) return { written: 0 };
    const plan = await this.#writePlan(target, table);
    signal.throwIfAborted();
    const connection = await this.#connect(target);
    try {
      await connection.beginTransaction();
      const execute = async (statement: Statement): Promise<StatementResult> => {
        const [result] = await connection.query(statement.sql, statement.params);
        return Array.isArray(result)
          ? { affectedRows: 0, rows: result as Record<string, unknown>[] }
          : { affectedRows: result.affectedRows, rows: [] };
      };
      const written = await writeRecords(execute, plan, records, signal);
      signal.throwIfAborted();
      await connection.commit();
      connection.release();
      return { written };
    } catch (error) {
      await rollbackOrDestroy(connection);
      if (signal.aborted) throw error;
      throw toConnectorError(error, { flow: target.flow, table: target.table, secrets: this.#secrets });
    }
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
    return [...new Set([source.key, source.cursor, ...deleted, ...source.columns])];
  }

  async #pageQuery(source: SourceSpec): Promise<PageQuery> {
    const table = this.#validateSource(source);
    const schema = await this.#requireSchema(table, source.flow);
    return {
      table,
      columns: this.#sourceColumns(source),
      key: source.key,
      cursor: source.cursor,
      bind: (column, value) => toMysqlValue(findColumn(schema, column), value, this.#config.timezone),
    };
  }

  async #selectRows(source: SourceSpec, statement: Statement): Promise<Row[]> {
    const table = parseTableName(source.table, source.flow);
    const schema = await this.#requireSchema(table, source.flow);
    const rows = await this.#query(statement, source);
    const columns = this.#sourceColumns(source).map((name) => [name, findColumn(schema, name)] as const);
    return rows.map((raw) => {
      const row: Row = {};
      for (const [name, column] of columns) row[name] = fromMysqlValue(column, raw[name]);
      return row;
    });
  }

  async #query(statement: Statement, context?: { flow?: string; table: string }): Promise<Record<string, unknown>[]> {
    try {
      const [rows] = await this.#pool.query(statement.sql, statement.params);
      return rows as Record<string, unknown>[];
    } catch (error) {
      if (context !== undefined && typeof error === 'object' && error !== null && 'errno' in error) {
        // The table changed under us: describe it again next time.
        if (error.errno === 1054 || error.errno === 1146) this.#schemas.delete(context.table);
      }
      throw toConnectorError(error, {
        ...(context?.flow === undefined ? {} : { flow: context.flow }),
        ...(context === undefined ? {} : { table: context.table }),
        secrets: this.#secrets,
      });
    }
  }

  async #connect(target: TargetSpec): Promise<PoolConnection> {
    try {
      return await this.#pool.getConnection();
    } catch (error) {
      throw toConnectorError(error, { flow: target.flow, table: target.table, secrets: this.#secrets });
    }
  }

  #serverInfo(): Promise<ServerInfo> {
    this.#server ??= readServerInfo(this.#pool).catch((error: unknown) => {
      this.#server = undefined;
      throw toConnectorError(error, { secrets: this.#secrets });
    });
    return this.#server;
  }

  #schema(table: TableName): Promise<MysqlTableSchema | undefined> {
    let schema = this.#schemas.get(table.display);
    if (schema === undefined) {
      schema = this.#serverInfo().then((server) =>
        describeMysqlTable((sql, params) => this.#query({ sql, params }, { table: table.display }), table, server.isMariaDb),
      );
      schema.catch(() => this.#schemas.delete(table.display));
      this.#schemas.set(table.display, schema);
    }
    return schema;
  }

  async #requireSchema(table: TableName, flow: string): Promise<MysqlTableSchema> {
    const schema = await this.#schema(table);
    if (schema !== undefined) return schema;
    this.#schemas.delete(table.display);
    throw new ConnectorError(
      'CONNECTOR_TABLE_NOT_FOUND',
      `Flow "${flow}": MySQL table ${table.display} does not exist in ${table.database ?? 'the database of the connection URL'}`,
      { flow },
    );
  }

  async #writePlan(target: TargetSpec, table: TableName): Promise<WritePlan> {
    const schema = await this.#requireSchema(table, target.flow);
    const checkKey = JSON.stringify([table.display, target.key, target.columns, target.onDelete]);
    if (!this.#checkedTargets.has(checkKey)) {
      checkTarget(target, schema);
      this.#checkedTargets.add(checkKey);
    }
    const server = await this.#serverInfo();
    return {
      target,
      table,
      schema,
      timezone: this.#config.timezone,
      upsertSyntax: server.upsertSyntax,
      isChecked: collidingUniqueKeys(schema, target.key).length > 0,
      maxStatementBytes: Math.max(64 * 1024, Math.min(Math.floor(server.maxPacketBytes / 2), MAX_STATEMENT_BYTES)),
      secrets: this.#secrets,
    };
  }
}
