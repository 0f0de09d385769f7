import type pg from 'pg';
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
import { Secret, redactText } from '../../core/secret.js';
import type { Row, ScalarValue } from '../../core/values.js';
import { writeSegments, type WriteSession } from './postgres-batch-writer.js';
import type { PostgresConfig } from './postgres-config.js';
import { copyRows } from './postgres-copy.js';
import { describeColumnsStatement, describeUniqueKeysStatement, toTableSchema, type ColumnRow } from './postgres-describe.js';
import { toConnectorError } from './postgres-errors.js';
import { cancelBackend, createPostgresPool, serverAddress } from './postgres-pool.js';
import {
  countPageStatement,
  maxCursorStatement,
  parseTableName,
  quoteIdentifier,
  readByKeysStatement,
  readShape,
  selectPageStatement,
  type Statement,
  type TableName,
} from './postgres-sql.js';
import { planWrite, writeShape, type WriteShape } from './postgres-write-plan.js';

/** Tuning of a PostgresConnector beyond its config. */
export interface PostgresConnectorOptions {
  /** Upserts of one column set at least this many records long go through COPY. Default 500. */
  readonly copyThreshold?: number;
}

/** Below this many records a multi-row INSERT is as fast as COPY plus the staging round trips. */
const DEFAULT_COPY_THRESHOLD = 500;

/** Reads and writes PostgreSQL tables: keyset reads with lookback, idempotent upserts. */
export class PostgresConnector implements Connector, KeysetPager {
  readonly capabilities: ConnectorCapabilities = { source: true, target: true, transactions: true, describe: true };
  readonly #config: PostgresConfig;
  readonly #url: Secret;
  readonly #pool: pg.Pool;
  readonly #logger: Logger;
  readonly #copyThreshold: number;
  /** Target schemas checked for a unique key, by `schema.table`; dropped when a write fails on the schema. */
  readonly #targetSchemas = new Map<string, TableSchema>();

  constructor(config: PostgresConfig, context: ConnectorContext, options: PostgresConnectorOptions = {}) {
    quoteIdentifier(config.schema, { role: `schema of connection "${context.name}"` });
    this.#config = config;
    this.#url = new Secret(config.url);
    this.#logger = context.logger.child({ connection: context.name });
    this.#pool = createPostgresPool(this.#url, config, this.#logger);
    this.#copyThreshold = options.copyThreshold ?? DEFAULT_COPY_THRESHOLD;
  }

  /** Runs `select version()`; an unreachable server is an answer (`ok: false`), never a throw. */
  async probe(signal: AbortSignal): Promise<ProbeResult> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.#connect(signal);
      const started = performance.now();
      const result = await this.#run<{ version: string }>(client, { text: 'SELECT version() AS version', values: [] }, signal);
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      const version = result.rows[0]?.version ?? 'PostgreSQL';
      return { ok: true, server: /^PostgreSQL [^\s,]+/.exec(version)?.[0] ?? version, latencyMs };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `Cannot reach PostgreSQL at ${serverAddress(this.#url.reveal())}: ${reason}`;
      return { ok: false, message: redactText(message, this.#secrets()) };
    } finally {
      client?.release();
    }
  }

  async describeTable(table: string, signal: AbortSignal): Promise<TableSchema | undefined> {
    const name = parseTableName(table, this.#config.schema, { role: 'table' });
    return this.#withClient(signal, `describing ${name.display}`, undefined, (client) => this.#describe(client, name, signal));
  }

  readChanges(source: SourceSpec, since: Checkpoint | undefined, signal: AbortSignal): AsyncIterable<ChangeBatch> {
    return readKeysetChanges(this, source, since, signal);
  }

  async selectPage(source: SourceSpec, page: PageRequest, signal: AbortSignal): Promise<Row[]> {
    const shape = readShape(source, this.#config.schema);
    return this.#query<Row>(selectPageStatement(shape, page), signal, `reading ${shape.table.display}`, source.flow);
  }

  async maxCursor(source: SourceSpec, signal: AbortSignal): Promise<ScalarValue | null> {
    const shape = readShape(source, this.#config.schema);
    const rows = await this.#query<{ max_cursor: unknown }>(maxCursorStatement(shape), signal, `reading ${shape.table.display}`, source.flow);
    const max = rows[0]?.max_cursor ?? null;
    if (max === null || typeof max === 'string' || typeof max === 'number') return max;
    throw new ConnectorError(
      'SCHEMA_MISMATCH',
      `Flow "${source.flow}": the cursor column "${source.cursor}" of ${shape.table.display} must hold numbers or times, found ${typeof max}`,
      { flow: source.flow },
    );
  }

  async readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    const shape = readShape(source, this.#config.schema);
    if (keys.length === 0) return [];
    const rows = await this.#query<Row>(readByKeysStatement(shape, keys), signal, `reading ${shape.table.display} by key`, source.flow);
    return rowsToChanges(source, rows);
  }

  async countPending(source: SourceSpec, since: Checkpoint | undefined, limit: number, signal: AbortSignal): Promise<number> {
    const shape = readShape(source, this.#config.schema);
    const statement = countPageStatement(shape, pendingPage(source, since, limit));
    const rows = await this.#query<{ n: number }>(statement, signal, `counting pending rows of ${shape.table.display}`, source.flow);
    return rows[0]?.n ?? 0;
  }

  /** Upserts and deletes in one transaction: multi-row INSERT … ON CONFLICT, or COPY for large groups. */
  async writeBatch(target: TargetSpec, records: readonly TargetRecord[], signal: AbortSignal): Promise<WriteResult> {
    const shape = writeShape(target, this.#config.schema);
    const segments = planWrite(target, records);
    if (segments.length === 0) return { written: 0 };
    const columns = [...new Set(segments.flat().flatMap((group) => (group.op === 'upsert' ? group.columns : [])))];
    const schema = await this.#targetSchema(shape, columns, signal);
    const operation = `writing ${shape.table.display}`;
    return this.#withClient(signal, operation, target.flow, async (client) => {
      const session: WriteSession = {
        run: (statement) => this.#run(client, statement, signal),
        copy: (copyText, rows, toLine) => copyRows(client, copyText, rows, toLine),
      };
      await this.#run(client, { text: 'BEGIN', values: [] }, signal);
      try {
        const options = { copyThreshold: this.#copyThreshold, secrets: this.#secrets(), signal };
        const written = await writeSegments(session, shape, schema, segments, options);
        await this.#run(client, { text: 'COMMIT', values: [] }, signal);
        return { written };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (error instanceof ConnectorError && ['CONNECTOR_COLUMN_NOT_FOUND', 'CONNECTOR_TABLE_NOT_FOUND'].includes(error.code)) {
          this.#targetSchemas.delete(shape.table.display);
        }
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  /** The target's live schema, cached once it has the key as a unique key and every written column. */
  async #targetSchema(shape: WriteShape, columns: readonly string[], signal: AbortSignal): Promise<TableSchema> {
    const cached = this.#targetSchemas.get(shape.table.display);
    const hasColumns = (schema: TableSchema): boolean => columns.every((column) => schema.columns.some((c) => c.name === column));
    if (cached !== undefined && hasColumns(cached)) return cached;
    const schema = await this.#withClient(signal, `describing ${shape.table.display}`, shape.flow, (client) =>
      this.#describe(client, shape.table, signal),
    );
    const flow = { flow: shape.flow };
    if (schema === undefined) {
      throw new ConnectorError('CONNECTOR_TABLE_NOT_FOUND', `Flow "${shape.flow}": the target table ${shape.table.display} does not exist`, flow);
    }
    const missing = columns.find((column) => !schema.columns.some((c) => c.name === column));
    if (missing !== undefined) {
      throw new ConnectorError('CONNECTOR_COLUMN_NOT_FOUND', `Flow "${shape.flow}": the target table ${shape.table.display} has no column "${missing}"`, flow);
    }
    if (!schema.uniqueKeys.some((key) => key.length === 1 && key[0] === shape.key)) {
      throw new ConnectorError(
        'CONNECTOR_NO_UNIQUE_KEY',
        `Flow "${shape.flow}": the target key column "${shape.key}" of ${shape.table.display} has no primary key or unique index of its own, so upserts cannot be idempotent; add one (CREATE UNIQUE INDEX ON ${shape.table.display} (${shape.key}))`,
        flow,
      );
    }
    this.#targetSchemas.set(shape.table.display, schema);
    return schema;
  }

  async #describe(client: pg.PoolClient, table: TableName, signal: AbortSignal): Promise<TableSchema | undefined> {
    const columns = await this.#run<ColumnRow>(client, describeColumnsStatement(table), signal);
    if (columns.rows.length === 0) return undefined;
    const keys = await this.#run<{ columns: string[] }>(client, describeUniqueKeysStatement(table), signal);
    return toTableSchema(table, columns.rows, keys.rows);
  }

  async #query<R extends object>(statement: Statement, signal: AbortSignal, operation: string, flow: string): Promise<R[]> {
    return this.#withClient(signal, operation, flow, async (client) => (await this.#run<R>(client, statement, signal)).rows);
  }

  /** Runs `use` on a pooled session; driver errors become ConnectorErrors, an abort its reason. */
  async #withClient<T>(signal: AbortSignal, operation: string, flow: string | undefined, use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.#connect(signal);
      const result = await use(client);
      client.release();
      return result;
    } catch (error) {
      // A session cancelled mid-statement is not reused; the pool drops broken ones by itself.
      client?.release(signal.aborted);
      if (signal.aborted) throw signal.reason;
      throw toConnectorError(error, { operation, ...(flow === undefined ? {} : { flow }), secrets: this.#secrets() });
    }
  }

  async #connect(signal: AbortSignal): Promise<pg.PoolClient> {
    signal.throwIfAborted();
    const client = await this.#pool.connect();
    if (signal.aborted) {
      client.release();
      signal.throwIfAborted();
    }
    return client;
  }

  /** One statement; an abort cancels it on the server (the driver takes no AbortSignal). */
  async #run<R extends object>(client: pg.PoolClient, statement: Statement, signal: AbortSignal): Promise<pg.QueryResult<R>> {
    signal.throwIfAborted();
    const processId = (client as unknown as { processID?: number }).processID;
    const onAbort = (): void => {
      if (processId !== undefined) void cancelBackend(this.#url, this.#config, processId, this.#logger);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await client.query<R>(statement.text, statement.values);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  #secrets(): string[] {
    const url = this.#url.reveal();
    try {
      const password = decodeURIComponent(new URL(url).password);
      return password === '' ? [url] : [url, password];
    } catch {
      return [url];
    }
  }
}
