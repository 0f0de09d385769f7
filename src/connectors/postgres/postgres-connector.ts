import { attachLines } from '../../core/line-reader.js';
import { sqlColumnNameProblem, sqlTableNameProblem } from '../../config/identifiers.js';
import pg from 'pg';
import type {
  BackfillPlan,
  Change,
  ChangeBatch,
  ChangeEventsSetup,
  ChangeWatch,
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
import { ConnectorError } from '../../core/errors.js';
import {
  pendingPage,
  readKeysetChanges,
  rowsToChanges,
  type KeysetPager,
  type PageRequest,
} from '../../core/keyset-reader.js';
import { planKeysetBackfill } from '../../core/keyset-lanes.js';
import { readKeysetRange } from '../../core/range-reader.js';
import { redactText } from '../../config/secret.js';
import type { Row, ScalarValue } from '../../core/values.js';
import { writeSegments, type WriteSession } from './postgres-batch-writer.js';
import { installChangeEvents, removeChangeEvents } from './postgres-change-events.js';
import { PostgresChangeListener, type ChangeListenerOptions } from './postgres-change-listener.js';
import { watchTableChanges } from './postgres-change-watch.js';
import type { PostgresConfig } from './postgres-config.js';
import { copyRows } from './postgres-copy.js';
import { PostgresDigests } from './postgres-digest.js';
import { describeOnClient, listSchemaTables } from './postgres-catalog.js';
import { checkTargetSchema } from './postgres-describe.js';
import { errorReason } from './postgres-errors.js';
import { PostgresPool, clientConfig } from './postgres-pool.js';
import { createScratchTable, dropScratchTable } from './postgres-scratch.js';
import {
  countPageStatement,
  maxCursorStatement,
  parseTableName,
  quoteIdentifier,
  readByKeysStatement,
  readShape,
  selectPageStatement,
} from './postgres-sql.js';
import { planWrite, writeShape, type WriteShape } from './postgres-write-plan.js';

/** Tuning of a PostgresConnector beyond its config. */
export interface PostgresConnectorOptions {
  /** Upserts of one column set at least this many records long go through COPY. Default 500. */
  readonly copyThreshold?: number;
  /** Reconnect and heartbeat timing of the change-event listener. */
  readonly changeListener?: ChangeListenerOptions;
}

/** `application_name` of the listening session, so operators (and tests) can tell it apart. */
export const LISTENER_APPLICATION_NAME = 'syncline-listener';

/** Below this many records a multi-row INSERT is as fast as COPY plus the staging round trips. */
const DEFAULT_COPY_THRESHOLD = 500;

/** Reads and writes PostgreSQL tables: keyset reads with lookback, idempotent upserts. */
export class PostgresConnector implements Connector, KeysetPager {
  readonly capabilities: ConnectorCapabilities = {
    source: true,
    target: true,
    transactions: true,
    describe: true,
    changeEvents: true,
    updates: true,
    listTables: true,
    nonFiniteFloats: true,
    lines: true,
    writesLines: false,
    independentInstances: true,
  };

  /** SQL identifier rules (config/identifiers.ts), schema qualification allowed. */
  checkObjectName(name: string): string | undefined {
    return sqlTableNameProblem(name, 'PostgreSQL');
  }

  checkFieldName(name: string): string | undefined {
    return sqlColumnNameProblem(name, 'PostgreSQL');
  }
  readonly #schema: string;
  readonly #pool: PostgresPool;
  readonly #listener: PostgresChangeListener;
  readonly #copyThreshold: number;
  /** Target schemas that passed `checkTargetSchema`, by `schema.table`; dropped when a write fails on them. */
  readonly #targetSchemas = new Map<string, TableSchema>();
  /** Reconcile checksums computed by the server (postgres-digest.ts). */
  readonly digests: PostgresDigests;

  constructor(config: PostgresConfig, context: ConnectorContext, options: PostgresConnectorOptions = {}) {
    quoteIdentifier(config.schema, { role: `schema of connection "${context.name}"` });
    this.#schema = config.schema;
    this.#pool = new PostgresPool(config, context.logger.child({ connection: context.name }), context.name);
    this.#copyThreshold = options.copyThreshold ?? DEFAULT_COPY_THRESHOLD;
    this.digests = new PostgresDigests(this.#pool, this.#schema, (table, signal) =>
      this.describeTable(table, signal),
    );
    this.#listener = new PostgresChangeListener(
      () =>
        new pg.Client({ ...clientConfig(config.url, config), application_name: LISTENER_APPLICATION_NAME }),
      context.logger.child({ connection: context.name }),
      () => this.#pool.secrets(),
      options.changeListener,
    );
  }

  /** Runs `select version()`; an unreachable server is an answer (`ok: false`), never a throw. */
  async probe(signal: AbortSignal): Promise<ProbeResult> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.#pool.connect(signal);
      const started = performance.now();
      const statement = { text: 'SELECT version() AS version', values: [] };
      const result = await this.#pool.run<{ version: string }>(client, statement, signal);
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      const version = result.rows[0]?.version ?? 'PostgreSQL';
      return { ok: true, server: /^PostgreSQL [^\s,]+/.exec(version)?.[0] ?? version, latencyMs };
    } catch (error) {
      const message = `PostgreSQL at ${this.#pool.address} did not answer the probe: ${errorReason(error)}`;
      return { ok: false, message: redactText(message, this.#pool.secrets()) };
    } finally {
      client?.release();
    }
  }

  async describeTable(table: string, signal: AbortSignal): Promise<TableSchema | undefined> {
    const name = parseTableName(table, this.#schema, { role: 'table' });
    return this.#pool.withClient(signal, { operation: `describing ${name.display}` }, (client) =>
      describeOnClient(this.#pool, client, name, signal),
    );
  }

  /** Base and partitioned tables of the connection's schema, named without it. */
  listTables(signal: AbortSignal): Promise<TableSchema[]> {
    return listSchemaTables(this.#pool, this.#schema, signal);
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

  async selectPage(source: SourceSpec, page: PageRequest, signal: AbortSignal): Promise<Row[]> {
    const shape = readShape(source, this.#schema);
    return this.#pool.query<Row>(selectPageStatement(shape, page), signal, {
      operation: `reading ${shape.table.display}`,
      flow: source.flow,
    });
  }

  async maxCursor(source: SourceSpec, signal: AbortSignal): Promise<ScalarValue | null> {
    const shape = readShape(source, this.#schema);
    const rows = await this.#pool.query<{ max_cursor: unknown }>(maxCursorStatement(shape), signal, {
      operation: `reading ${shape.table.display}`,
      flow: source.flow,
    });
    const max = rows[0]?.max_cursor ?? null;
    if (max === null || typeof max === 'string' || typeof max === 'number') return max;
    throw new ConnectorError(
      'SCHEMA_MISMATCH',
      `Flow "${source.flow}": the cursor column "${source.cursor}" of ${shape.table.display} must hold numbers or times, found ${typeof max}`,
      { flow: source.flow },
    );
  }

  async readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    const shape = readShape(source, this.#schema);
    if (keys.length === 0) return [];
    const rows = await this.#pool.query<Row>(readByKeysStatement(shape, keys), signal, {
      operation: `reading ${shape.table.display} by key`,
      flow: source.flow,
    });
    return attachLines(
      source,
      rowsToChanges(source, rows),
      (spec, parents, sig) => this.readByKeys(spec, parents, sig),
      signal,
    );
  }

  async countPending(
    source: SourceSpec,
    since: Checkpoint | undefined,
    limit: number,
    signal: AbortSignal,
  ): Promise<number> {
    const shape = readShape(source, this.#schema);
    const statement = countPageStatement(shape, pendingPage(source, since, limit));
    const rows = await this.#pool.query<{ n: number }>(statement, signal, {
      operation: `counting pending rows of ${shape.table.display}`,
      flow: source.flow,
    });
    return rows[0]?.n ?? 0;
  }

  /** Creates a `syncline_probe_…` table for `syncline probe` (see postgres-scratch.ts). */
  createScratchTable(name: string, signal: AbortSignal): Promise<TargetSpec> {
    return createScratchTable(this.#pool, name, this.#schema, signal);
  }

  /** Drops a `syncline_probe_…` table, if it exists. */
  dropScratchTable(name: string, signal: AbortSignal): Promise<void> {
    return dropScratchTable(this.#pool, name, this.#schema, signal);
  }

  /** Upserts, updates and deletes in one transaction (multi-row statements, or COPY for large groups). */
  writeBatch(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult> {
    return this.#write(target, records, signal, false);
  }

  /**
   * The bulk path of an initial load: one `COPY table FROM STDIN` per column set, in one
   * transaction; a key that exists or a refused value fails (and rolls back) all of it.
   */
  async bulkInsert(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult> {
    if (records.some((record) => record.op !== 'upsert')) {
      throw new ConnectorError(
        'CONFIG_INVALID',
        `Flow "${target.flow}": the bulk path inserts upserts only`,
        {
          flow: target.flow,
        },
      );
    }
    return await this.#write(target, records, signal, true);
  }

  async #write(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
    insertOnly: boolean,
  ): Promise<WriteResult> {
    const shape = writeShape(target, this.#schema);
    const segments = planWrite(target, records);
    if (segments.length === 0) return { written: 0 };
    const columns = new Set(segments.flat().flatMap((group) => (group.op === 'delete' ? [] : group.columns)));
    const schema = await this.#targetSchema(shape, [...columns], signal);
    const operation = { operation: `writing ${shape.table.display}`, flow: target.flow };
    return this.#pool.withClient(signal, operation, async (client) => {
      const session: WriteSession = {
        run: (statement) => this.#pool.run(client, statement, signal),
        copy: (copyText, chunks) => copyRows(client, copyText, chunks),
      };
      await session.run({ text: 'BEGIN', values: [] });
      try {
        const options = {
          copyThreshold: this.#copyThreshold,
          secrets: this.#pool.secrets(),
          signal,
          insertOnly,
        };
        const result = await writeSegments(session, shape, schema, segments, options);
        await session.run({ text: 'COMMIT', values: [] });
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = error instanceof ConnectorError ? error.code : undefined;
        if (code === 'CONNECTOR_COLUMN_NOT_FOUND' || code === 'CONNECTOR_TABLE_NOT_FOUND') {
          this.#targetSchemas.delete(shape.table.display);
        }
        throw error;
      }
    });
  }

  /** LISTENs for the NOTIFY of the table's trigger on the connector's one dedicated session. */
  async watchChanges(source: SourceSpec, onChange: () => void, signal: AbortSignal): Promise<ChangeWatch> {
    const table = readShape(source, this.#schema).table;
    return await watchTableChanges(this.#listener, this.#pool, table, source.flow, onChange, signal);
  }

  /** Creates the table's statement-level NOTIFY trigger and its schema's function (idempotent). */
  installChangeEvents(source: SourceSpec, signal: AbortSignal): Promise<ChangeEventsSetup> {
    const table = readShape(source, this.#schema).table;
    return installChangeEvents(this.#pool, table, source.flow, signal);
  }

  /** Drops the table's trigger, and the function when no trigger calls it (idempotent). */
  removeChangeEvents(source: SourceSpec, signal: AbortSignal): Promise<ChangeEventsSetup> {
    const table = readShape(source, this.#schema).table;
    return removeChangeEvents(this.#pool, table, source.flow, signal);
  }

  async close(): Promise<void> {
    await this.#listener.close();
    await this.#pool.end();
  }

  /** The target's checked schema: cached, described again when a written column is not in it. */
  async #targetSchema(
    shape: WriteShape,
    columns: readonly string[],
    signal: AbortSignal,
  ): Promise<TableSchema> {
    const cached = this.#targetSchemas.get(shape.table.display);
    if (cached !== undefined && columns.every((column) => cached.columns.some((c) => c.name === column))) {
      return cached;
    }
    const operation = { operation: `describing ${shape.table.display}`, flow: shape.flow };
    const live = await this.#pool.withClient(signal, operation, (client) =>
      describeOnClient(this.#pool, client, shape.table, signal),
    );
    const schema = checkTargetSchema(live, shape, columns);
    this.#targetSchemas.set(shape.table.display, schema);
    return schema;
  }
}
