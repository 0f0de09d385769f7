import type { ColumnInfo } from '../../core/connector.js';
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
import type { MysqlCatalog } from './mysql-catalog.js';
import { findColumn, type MysqlTableSchema } from './mysql-describe.js';
import { MysqlDigestRenderer } from './mysql-digest-sql.js';
import { parseTableName, quoteColumn, selectList, type Statement, type TableName } from './mysql-sql.js';
import { fromMysqlValue, toMysqlValue } from './mysql-values.js';

/** A spec's table, described, with a renderer for each part of a statement. */
interface DigestQuery {
  readonly spec: DigestSpec;
  readonly table: TableName;
  readonly schema: MysqlTableSchema;
  /** A renderer whose parameters belong to one part of a statement (`?` are bound in order). */
  readonly renderer: () => MysqlDigestRenderer;
}

/**
 * Reconcile checksums computed by MySQL or MariaDB: per row the MD5-based key and row hashes of
 * core/digest.ts, summed per bucket as DECIMAL (exact). Rows are converted as the connector reads
 * them (mysql-values.ts).
 */
export class MysqlDigests implements DigestSupport {
  readonly #catalog: MysqlCatalog;
  readonly #timezone: string;

  /** `timezone`: the connection's zone of DATETIME columns. */
  constructor(catalog: MysqlCatalog, timezone: string) {
    this.#catalog = catalog;
    this.#timezone = timezone;
  }

  canRender(column: ColumnInfo, as: CompareKind): boolean {
    const renderer = new MysqlDigestRenderer(() => ({ sql: '`c`', info: column }), this.#timezone);
    return renderer.column('c', as) !== undefined;
  }

  async digestBuckets(spec: DigestSpec, level: BucketLevel, signal: AbortSignal): Promise<BucketDigest[]> {
    assertBucketWidth(spec, level.width);
    if (level.within !== undefined) assertBucketWidth(spec, level.within.width);
    if (level.within?.buckets.length === 0) return [];
    const query = await this.#query(spec);
    const select = query.renderer();
    const bucket = `${this.#keyHash(query, select)} DIV ${select.param(level.width)}`;
    const refuse = (column: string, as: CompareKind): never => unrenderable(spec, query.table, column, as);
    const rowHash = select.rowHash(spec.columns.map((expr) => renderDigestExpr(expr, select, refuse)));
    const filter = query.renderer();
    const where = this.#where(query, filter, level.within);
    const statement: Statement = {
      sql: `SELECT ${bucket} AS bucket, COUNT(*) AS bucket_rows, CAST(SUM(${rowHash}) AS CHAR) AS bucket_sum FROM ${query.table.quoted}${where} GROUP BY bucket ORDER BY bucket`,
      params: [...select.params, ...filter.params],
    };
    signal.throwIfAborted();
    const rows = await this.#catalog.query(statement, spec);
    return rows.map((row) => ({
      bucket: Number(row.bucket),
      rows: Number(row.bucket_rows),
      sum: String(row.bucket_sum),
    }));
  }

  async readBuckets(spec: DigestSpec, buckets: BucketSet, signal: AbortSignal): Promise<Row[]> {
    assertBucketWidth(spec, buckets.width);
    if (buckets.buckets.length === 0) return [];
    const query = await this.#query(spec);
    const filter = query.renderer();
    const where = this.#where(query, filter, buckets);
    const statement: Statement = {
      sql: `SELECT ${selectList(spec.read)} FROM ${query.table.quoted}${where} ORDER BY ${quoteColumn(spec.key)}`,
      params: filter.params,
    };
    signal.throwIfAborted();
    return this.#rows(query, spec.read, await this.#catalog.query(statement, spec));
  }

  /** Pages in key order (keyset on the key column), the key's own type and collation deciding. */
  async *scan(spec: DigestSpec, pageSize: number, signal: AbortSignal): AsyncIterable<Row[]> {
    const query = await this.#query(spec);
    const key = quoteColumn(spec.key);
    const columns = spec.read.includes(spec.key) ? spec.read : [...spec.read, spec.key];
    const keyColumn = findColumn(query.schema, spec.key);
    let after: Row[string] | undefined;
    for (;;) {
      const filter = query.renderer();
      let where = this.#where(query, filter);
      if (after !== undefined) {
        where += `${where === '' ? ' WHERE' : ' AND'} ${key} > ${filter.param(toMysqlValue(keyColumn, after, this.#timezone))}`;
      }
      const statement: Statement = {
        sql: `SELECT ${selectList(columns)} FROM ${query.table.quoted}${where} ORDER BY ${key} LIMIT ${filter.param(pageSize)}`,
        params: filter.params,
      };
      signal.throwIfAborted();
      const rows = this.#rows(query, columns, await this.#catalog.query(statement, spec));
      if (rows.length === 0) return;
      after = rows.at(-1)?.[spec.key];
      yield columns === spec.read ? rows : rows.map((row) => withoutColumn(row, spec.key));
      if (rows.length < pageSize) return;
    }
  }

  /** Validates every identifier (before any SQL runs) and describes the table. */
  async #query(spec: DigestSpec): Promise<DigestQuery> {
    const table = parseTableName(spec.table, spec.flow);
    const names = digestColumnNames(spec);
    for (const name of names) quoteColumn(name, spec.flow);
    const schema = await this.#catalog.requireSchema(table, spec.flow);
    const resolve = (name: string): { sql: string; info: ColumnInfo } => {
      const info = findColumn(schema, name);
      if (info !== undefined) return { sql: quoteColumn(name, spec.flow), info };
      this.#catalog.forget(table.display);
      throw new ConnectorError(
        'CONNECTOR_COLUMN_NOT_FOUND',
        `Flow "${spec.flow}": MySQL table ${table.display} has no column "${name}"`,
        { flow: spec.flow },
      );
    };
    for (const name of names) resolve(name);
    return { spec, table, schema, renderer: () => new MysqlDigestRenderer(resolve, this.#timezone) };
  }

  #keyHash(query: DigestQuery, renderer: MysqlDigestRenderer): string {
    const { spec } = query;
    return renderer.keyHash(
      renderer.column(spec.key, 'text') ?? unrenderable(spec, query.table, spec.key, 'text'),
    );
  }

  /** ` WHERE …`: the soft-delete filter, then the buckets, or the empty string. */
  #where(query: DigestQuery, renderer: MysqlDigestRenderer, within?: BucketSet): string {
    const { spec } = query;
    // A row without a key has no bucket (its hash would be NULL) and no counterpart: left out.
    const where: string[] = [`${quoteColumn(spec.key, spec.flow)} IS NOT NULL`];
    if (spec.excludeFlagged !== undefined) {
      const truth =
        renderer.truth(spec.excludeFlagged) ??
        unrenderable(spec, query.table, spec.excludeFlagged, 'boolean');
      where.push(`(${truth}) IS NOT TRUE`);
    }
    if (within !== undefined) {
      const keyHash = this.#keyHash(query, renderer);
      where.push(`${keyHash} DIV ${renderer.param(within.width)} IN (${renderer.param(within.buckets)})`);
    }
    return ` WHERE ${where.join(' AND ')}`;
  }

  #rows(query: DigestQuery, columns: readonly string[], raw: Record<string, unknown>[]): Row[] {
    const infos = columns.map((name) => [name, findColumn(query.schema, name)] as const);
    return raw.map((values) => {
      const row: Row = {};
      for (const [name, info] of infos) row[name] = fromMysqlValue(info, values[name]);
      return row;
    });
  }
}

function withoutColumn(row: Row, name: string): Row {
  return Object.fromEntries(Object.entries(row).filter(([column]) => column !== name));
}

function unrenderable(spec: DigestSpec, table: TableName, column: string, as: CompareKind): never {
  throw new ConnectorError(
    'SCHEMA_MISMATCH',
    `Flow "${spec.flow}": column "${column}" of MySQL table ${table.display} cannot be compared as ${as} in the database; compare it row by row`,
    { flow: spec.flow },
  );
}
