import type Database from 'better-sqlite3';
import type { ColumnInfo } from '../../core/connector.js';
import {
  canonicalText,
  CompareKinds,
  isFlagSet,
  keyHash,
  rowHash,
  type BucketDigest,
  type BucketLevel,
  type BucketSet,
  type CompareKind,
  type DigestSpec,
  type DigestSupport,
} from '../../core/digest.js';
import {
  assertBucketWidth,
  digestColumnNames,
  renderDigestExpr,
  type DigestDialect,
  type MapExpr,
} from '../../core/digest-render.js';
import { ColumnKinds, type ColumnKind, type Row } from '../../core/values.js';
import { settle, type SqliteDatabase } from './sqlite-database.js';
import type { SqliteErrorContext } from './sqlite-errors.js';
import { assertColumnName, parseTableName, quoteIdentifier, quoteTable } from './sqlite-identifiers.js';
import type { SqliteTable } from './sqlite-schema.js';
import type { Statement } from './sqlite-statements.js';
import { decodeRow, decodeValue } from './sqlite-values.js';

/** Row hashes are summed as two halves of 30 bits, so a bucket's SUM never overflows 64 bits. */
const HALF_BITS = 30;
const HALF_MASK = 2 ** HALF_BITS - 1;

function kindOf(kind: unknown): ColumnKind | undefined {
  return ColumnKinds.find((each) => each === kind);
}

function compareKindOf(kind: unknown): CompareKind {
  return CompareKinds.find((each) => each === kind) ?? 'text';
}

/**
 * SQLite has no MD5 and no way to read a value as the connector does, so the connector's own JS
 * runs inside SQLite as deterministic application functions: decodeValue (sqlite-values.ts), then
 * canonicalText, keyHash and rowHash of core/digest.ts. Exact by construction, for every kind.
 */
function registerFunctions(db: Database.Database): void {
  const options = { deterministic: true, safeIntegers: true } as const;
  db.function('syncline_canonical', options, (value: unknown, kind: unknown, as: unknown) =>
    canonicalText(decodeValue(kindOf(kind), value), compareKindOf(as)),
  );
  db.function('syncline_is_flag_set', options, (value: unknown, kind: unknown) =>
    isFlagSet(decodeValue(kindOf(kind), value)) ? 1n : 0n,
  );
  db.function('syncline_trim', options, (text: unknown) => (typeof text === 'string' ? text.trim() : null));
  db.function('syncline_key_hash', options, (text: unknown) =>
    typeof text === 'string' ? BigInt(keyHash(text)) : null,
  );
  // The SQL side has already joined the texts (U+001E for NULL, U+001F between), so hash it as one text.
  db.function('syncline_row_hash', options, (text: unknown) =>
    typeof text === 'string' ? rowHash([text]) : null,
  );
}

/** Digest expressions in SQLite SQL over the functions above; `?` bound in order. */
class SqliteDigestDialect implements DigestDialect {
  readonly params: unknown[] = [];
  readonly #kindOf: (name: string) => ColumnKind;

  constructor(kindOf: (name: string) => ColumnKind) {
    this.#kindOf = kindOf;
  }

  param(value: unknown): string {
    this.params.push(value);
    return '?';
  }

  column(name: string, as: CompareKind): string {
    return `syncline_canonical(${quoteIdentifier(name)}, ${this.param(this.#kindOf(name))}, ${this.param(as)})`;
  }

  trim(name: string): string {
    return `syncline_trim(${this.column(name, 'text')})`;
  }

  map(name: string, expr: MapExpr): string {
    const text = this.column(name, 'text');
    let rendered = `CASE WHEN ${text} IS NULL THEN ${this.literal(expr.ifNull)}`;
    for (const [from, to] of expr.entries) {
      // The same function call again (not a `?` twice): each placeholder is bound once, in order.
      rendered += ` WHEN ${this.column(name, 'text')} = ${this.param(from)} THEN ${this.literal(to)}`;
    }
    return `${rendered} ELSE ${this.literal(expr.otherwise)} END`;
  }

  truth(name: string): string {
    return `(syncline_is_flag_set(${quoteIdentifier(name)}, ${this.param(this.#kindOf(name))}) = 1)`;
  }

  literal(text: string | null): string {
    return text === null ? 'NULL' : this.param(text);
  }

  coalesce(sql: string, fallback: string): string {
    return `COALESCE(${sql}, ${this.param(fallback)})`;
  }

  flag(truth: string): string {
    return `CASE WHEN ${truth} THEN '1' ELSE '0' END`;
  }
}

/**
 * Reconcile checksums computed inside SQLite (see registerFunctions), summed per bucket exactly.
 * Rows are decoded as the connector decodes them.
 */
export class SqliteDigests implements DigestSupport {
  readonly #database: SqliteDatabase;
  readonly #registered = new WeakSet<Database.Database>();

  constructor(database: SqliteDatabase) {
    this.#database = database;
  }

  /** Every column under every compare kind: the connector's own conversion runs in SQLite. */
  canRender(_column: ColumnInfo, _as: CompareKind): boolean {
    return true;
  }

  digestBuckets(spec: DigestSpec, level: BucketLevel, signal: AbortSignal): Promise<BucketDigest[]> {
    return settle(() => {
      assertBucketWidth(spec, level.width);
      if (level.within !== undefined) assertBucketWidth(spec, level.within.width);
      if (level.within?.buckets.length === 0) return [];
      const { table, context, dialect } = this.#prepare(spec);
      const keyHash = `syncline_key_hash(${dialect.column(spec.key, 'text')})`;
      const bucket = `${keyHash} / ${dialect.param(level.width)}`;
      const refuse = (): never => {
        throw new Error('unreachable: SQLite renders every column');
      };
      const parts = spec.columns.map(
        (expr) => `COALESCE(${renderDigestExpr(expr, dialect, refuse)}, char(30))`,
      );
      const text = parts.length === 0 ? "''" : parts.join(' || char(31) || ');
      const hash = `syncline_row_hash(${text})`;
      const where = this.#where(spec, dialect, level.within);
      const statement: Statement = {
        sql: `SELECT bucket, COUNT(*) AS "rows", SUM(hash >> ${HALF_BITS}) AS high, SUM(hash & ${HALF_MASK}) AS low FROM (SELECT ${bucket} AS bucket, ${hash} AS hash FROM ${quoteTable(table)}${where}) GROUP BY bucket ORDER BY bucket`,
        params: dialect.params,
      };
      signal.throwIfAborted();
      return this.#database.all(statement, context).map((row) => ({
        bucket: Number(row.bucket),
        rows: Number(row.rows),
        sum: (((row.high as bigint) << BigInt(HALF_BITS)) + (row.low as bigint)).toString(),
      }));
    });
  }

  readBuckets(spec: DigestSpec, buckets: BucketSet, signal: AbortSignal): Promise<Row[]> {
    return settle(() => {
      assertBucketWidth(spec, buckets.width);
      if (buckets.buckets.length === 0) return [];
      const { table, schema, context, dialect } = this.#prepare(spec);
      const where = this.#where(spec, dialect, buckets);
      const statement: Statement = {
        sql: `SELECT ${spec.read.map(quoteIdentifier).join(', ')} FROM ${quoteTable(table)}${where} ORDER BY ${quoteIdentifier(spec.key)}`,
        params: dialect.params,
      };
      signal.throwIfAborted();
      return this.#database.all(statement, context).map((row) => decodeRow(row, schema.columnsByName));
    });
  }

  /** Pages in key order (keyset on the key column). */
  async *scan(spec: DigestSpec, pageSize: number, signal: AbortSignal): AsyncIterable<Row[]> {
    const columns = spec.read.includes(spec.key) ? spec.read : [...spec.read, spec.key];
    const key = quoteIdentifier(spec.key);
    let after: Row[string] | undefined;
    for (;;) {
      const rows = await settle(() => {
        const { table, schema, context, dialect } = this.#prepare(spec);
        let where = this.#where(spec, dialect);
        if (after !== undefined) {
          // An integer beyond 2^53 is read as text; bound as text it would sort after every integer.
          const isIntegerKey = schema.columnsByName.get(spec.key)?.kind === 'integer';
          const bound =
            isIntegerKey && typeof after === 'string' && /^-?\d+$/.test(after) ? BigInt(after) : after;
          where += `${where === '' ? ' WHERE' : ' AND'} ${key} > ${dialect.param(bound)}`;
        }
        const statement: Statement = {
          sql: `SELECT ${columns.map(quoteIdentifier).join(', ')} FROM ${quoteTable(table)}${where} ORDER BY ${key} LIMIT ${dialect.param(pageSize)}`,
          params: dialect.params,
        };
        signal.throwIfAborted();
        return this.#database.all(statement, context).map((row) => decodeRow(row, schema.columnsByName));
      });
      if (rows.length === 0) return;
      after = rows.at(-1)?.[spec.key];
      yield columns === spec.read ? rows : rows.map((row) => withoutColumn(row, spec.key));
      if (rows.length < pageSize) return;
    }
  }

  /** Validates identifiers (before any SQL runs), checks the live table, registers the functions. */
  #prepare(spec: DigestSpec): {
    table: ReturnType<typeof parseTableName>;
    schema: SqliteTable;
    context: SqliteErrorContext;
    dialect: SqliteDigestDialect;
  } {
    const table = parseTableName(spec.table, spec.flow);
    const names = digestColumnNames(spec);
    for (const name of names) assertColumnName(name, spec.flow);
    const context: SqliteErrorContext = { path: this.#database.path, flow: spec.flow, table: spec.table };
    const schema = this.#database.requireTable(table, spec.table, context);
    this.#database.requireColumns(schema, names, context);
    const db = this.#database.handle();
    if (!this.#registered.has(db)) {
      registerFunctions(db);
      this.#registered.add(db);
    }
    const dialect = new SqliteDigestDialect((name) => schema.columnsByName.get(name)?.kind ?? 'other');
    return { table, schema, context, dialect };
  }

  /** ` WHERE …`: the soft-delete filter, then the buckets, or the empty string. */
  #where(spec: DigestSpec, dialect: SqliteDigestDialect, within?: BucketSet): string {
    // A row without a key has no bucket and no counterpart: left out.
    const where: string[] = [`${quoteIdentifier(spec.key)} IS NOT NULL`];
    if (spec.excludeFlagged !== undefined) where.push(`NOT ${dialect.truth(spec.excludeFlagged)}`);
    if (within !== undefined) {
      const bucket = `syncline_key_hash(${dialect.column(spec.key, 'text')}) / ${dialect.param(within.width)}`;
      where.push(
        `${bucket} IN (SELECT value FROM json_each(${dialect.param(JSON.stringify(within.buckets))}))`,
      );
    }
    return where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  }
}

function withoutColumn(row: Row, name: string): Row {
  return Object.fromEntries(Object.entries(row).filter(([column]) => column !== name));
}
