import type { ColumnInfo, TableSchema } from '../../core/connector.js';
import {
  type BucketDigest,
  type BucketLevel,
  type BucketSet,
  type CompareKind,
  type DigestSpec,
  type DigestSupport,
} from '../../core/digest.js';
import { assertBucketWidth, digestColumnNames, renderDigestExpr } from '../../core/digest-render.js';
import { ConnectorError } from '../../core/errors.js';
import type { Row } from '../../core/values.js';
import { PostgresDigestRenderer } from './postgres-digest-sql.js';
import type { PostgresPool } from './postgres-pool.js';
import { parseTableName, quoteIdentifier, type Statement, type TableName } from './postgres-sql.js';

/** Describes a table, as PostgresConnector.describeTable does. */
export type DescribeTable = (table: string, signal: AbortSignal) => Promise<TableSchema | undefined>;

/** One statement over a spec's table: its name, a renderer, and the filters so far. */
interface DigestQuery {
  readonly table: TableName;
  readonly renderer: PostgresDigestRenderer;
  /** The quoted name of a column the spec names. */
  readonly quoted: (name: string) => string;
  /** Conditions joined with AND: the soft-delete filter, then the caller's. */
  readonly where: string[];
  /** `keyHash` of the key's text. */
  readonly keyHash: string;
}

interface BucketRow {
  readonly bucket: number | string;
  readonly rows: number | string;
  readonly sum: string;
}

/**
 * Reconcile checksums computed by PostgreSQL: per row the MD5-based key and row hashes of
 * core/digest.ts, summed per bucket as numeric (exact). Rows are read through the connector's
 * pool, so they come back in the connector's canonical form (postgres-values.ts).
 */
export class PostgresDigests implements DigestSupport {
  readonly #pool: PostgresPool;
  readonly #schema: string;
  readonly #describe: DescribeTable;

  constructor(pool: PostgresPool, defaultSchema: string, describe: DescribeTable) {
    this.#pool = pool;
    this.#schema = defaultSchema;
    this.#describe = describe;
  }

  canRender(column: ColumnInfo, as: CompareKind): boolean {
    return new PostgresDigestRenderer(() => ({ sql: '"c"', info: column })).column('c', as) !== undefined;
  }

  async digestBuckets(spec: DigestSpec, level: BucketLevel, signal: AbortSignal): Promise<BucketDigest[]> {
    assertBucketWidth(spec, level.width);
    if (level.within !== undefined) assertBucketWidth(spec, level.within.width);
    if (level.within?.buckets.length === 0) return [];
    const query = await this.#query(spec, signal);
    const { renderer } = query;
    const refuse = (column: string, as: CompareKind): never => unrenderable(spec, query.table, column, as);
    const rowHash = renderer.rowHash(spec.columns.map((expr) => renderDigestExpr(expr, renderer, refuse)));
    const bucket = `${query.keyHash} / ${renderer.params.add(level.width)}::bigint`;
    if (level.within !== undefined) query.where.push(this.#within(query, level.within));
    const statement: Statement = {
      text: `SELECT ${bucket} AS bucket, count(*) AS rows, sum(${rowHash})::text AS sum FROM ${query.table.sql}${whereClause(query.where)} GROUP BY 1 ORDER BY 1`,
      values: renderer.params.values,
    };
    const rows = await this.#pool.query<BucketRow>(statement, signal, {
      operation: `computing reconcile checksums of ${query.table.display}`,
      flow: spec.flow,
    });
    return rows.map((row) => ({ bucket: Number(row.bucket), rows: Number(row.rows), sum: row.sum }));
  }

  async readBuckets(spec: DigestSpec, buckets: BucketSet, signal: AbortSignal): Promise<Row[]> {
    assertBucketWidth(spec, buckets.width);
    if (buckets.buckets.length === 0) return [];
    const query = await this.#query(spec, signal);
    query.where.push(this.#within(query, buckets));
    const statement: Statement = {
      text: `SELECT ${spec.read.map(query.quoted).join(', ')} FROM ${query.table.sql}${whereClause(query.where)} ORDER BY ${query.quoted(spec.key)}`,
      values: query.renderer.params.values,
    };
    return this.#pool.query<Row>(statement, signal, {
      operation: `reading buckets of ${query.table.display}`,
      flow: spec.flow,
    });
  }

  /** Pages in key order (keyset on the key column), the key's own type and collation deciding. */
  async *scan(spec: DigestSpec, pageSize: number, signal: AbortSignal): AsyncIterable<Row[]> {
    const query = await this.#query(spec, signal);
    const key = query.quoted(spec.key);
    const columns = spec.read.includes(spec.key) ? spec.read : [...spec.read, spec.key];
    let after: unknown;
    for (;;) {
      signal.throwIfAborted();
      const values = [...query.renderer.params.values];
      const where = [...query.where];
      if (after !== undefined) where.push(`${key} > $${values.push(after)}`);
      const statement: Statement = {
        text: `SELECT ${columns.map(query.quoted).join(', ')} FROM ${query.table.sql}${whereClause(where)} ORDER BY ${key} LIMIT $${values.push(pageSize)}`,
        values,
      };
      const rows = await this.#pool.query<Row>(statement, signal, {
        operation: `reading ${query.table.display} for a full compare`,
        flow: spec.flow,
      });
      if (rows.length === 0) return;
      after = rows.at(-1)?.[spec.key];
      yield columns === spec.read ? rows : rows.map((row) => withoutColumn(row, spec.key));
      if (rows.length < pageSize) return;
    }
  }

  /** Validates every identifier (before any SQL runs), describes the table, starts a statement. */
  async #query(spec: DigestSpec, signal: AbortSignal): Promise<DigestQuery> {
    const table = parseTableName(spec.table, this.#schema, { flow: spec.flow, role: 'reconcile table' });
    const role = { flow: spec.flow, role: `column of ${table.display}` };
    const quotedNames = new Map(digestColumnNames(spec).map((name) => [name, quoteIdentifier(name, role)]));
    const schema = await this.#describe(spec.table, signal);
    if (schema === undefined) {
      throw new ConnectorError(
        'CONNECTOR_TABLE_NOT_FOUND',
        `Flow "${spec.flow}": the table ${table.display} does not exist`,
        { flow: spec.flow },
      );
    }
    const columns = new Map(schema.columns.map((info) => [info.name, info]));
    const resolve = (name: string): { sql: string; info: ColumnInfo } => {
      const info = columns.get(name);
      const sql = quotedNames.get(name);
      if (info !== undefined && sql !== undefined) return { sql, info };
      throw new ConnectorError(
        'CONNECTOR_COLUMN_NOT_FOUND',
        `Flow "${spec.flow}": the table ${table.display} has no column "${name}"`,
        { flow: spec.flow },
      );
    };
    for (const name of quotedNames.keys()) resolve(name);
    const renderer = new PostgresDigestRenderer(resolve);
    const refuse = (column: string, as: CompareKind): never => unrenderable(spec, table, column, as);
    // A row without a key has no bucket (its hash would be NULL) and no counterpart: left out.
    const where: string[] = [`${resolve(spec.key).sql} IS NOT NULL`];
    if (spec.excludeFlagged !== undefined) {
      where.push(
        `(${renderer.truth(spec.excludeFlagged) ?? refuse(spec.excludeFlagged, 'boolean')}) IS NOT TRUE`,
      );
    }
    const keyText = renderer.column(spec.key, 'text') ?? refuse(spec.key, 'text');
    return {
      table,
      renderer,
      quoted: (name) => resolve(name).sql,
      where,
      keyHash: renderer.keyHash(keyText),
    };
  }

  #within(query: DigestQuery, set: BucketSet): string {
    const { params } = query.renderer;
    return `${query.keyHash} / ${params.add(set.width)}::bigint = ANY(${params.add(set.buckets)}::bigint[])`;
  }
}

function whereClause(where: readonly string[]): string {
  return where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
}

function withoutColumn(row: Row, name: string): Row {
  return Object.fromEntries(Object.entries(row).filter(([column]) => column !== name));
}

function unrenderable(spec: DigestSpec, table: TableName, column: string, as: CompareKind): never {
  throw new ConnectorError(
    'SCHEMA_MISMATCH',
    `Flow "${spec.flow}": column "${column}" of ${table.display} cannot be compared as ${as} in PostgreSQL; compare it row by row`,
    { flow: spec.flow },
  );
}
