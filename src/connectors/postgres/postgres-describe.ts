import type { ColumnInfo, TableSchema } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import type { ColumnKind } from '../../core/values.js';
import type { Statement, TableName } from './postgres-sql.js';
import type { WriteShape } from './postgres-write-plan.js';

/**
 * Columns of a table, view or materialized view from pg_catalog (information_schema hides
 * materialized views and columns without privileges). Domains are described by their base type.
 */
export function describeColumnsStatement(table: TableName): Statement {
  return {
    text: `
      SELECT a.attname AS name,
             format_type(a.atttypid, a.atttypmod) AS native_type,
             format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL) AS base_type,
             CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS type_modifier,
             bt.typtype AS base_typtype,
             NOT (a.attnotnull OR (t.typtype = 'd' AND t.typnotnull)) AS nullable,
             (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS has_default
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END
       WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
         AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum`,
    values: [table.schema, table.name],
  };
}

/**
 * Column sets that make a row unique: the primary key first, then unique indexes. Partial,
 * expression, deferrable and invalid indexes are left out: `ON CONFLICT (column)` cannot use them.
 */
export function describeUniqueKeysStatement(table: TableName): Statement {
  return {
    text: `
      SELECT array(
               SELECT a.attname::text
                 FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                ORDER BY k.ord) AS columns
        FROM pg_catalog.pg_index i
        JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = $2
         AND i.indisunique AND i.indimmediate AND i.indisvalid
         AND i.indpred IS NULL AND i.indexprs IS NULL
       ORDER BY i.indisprimary DESC, i.indexrelid`,
    values: [table.schema, table.name],
  };
}

/** One row of `describeColumnsStatement`. */
export interface ColumnRow {
  readonly name: string;
  /** `format_type` of the column: `numeric(18,4)`, `character varying(255)`, a domain's name. */
  readonly native_type: string;
  /** `format_type` of the base type without modifier (the domain's base for a domain). */
  readonly base_type: string;
  /** `atttypmod` (or the domain's `typtypmod`); -1 when the type has none. */
  readonly type_modifier: number;
  /** `pg_type.typtype` of the base type: `b` base, `e` enum, `c` composite, `r` range. */
  readonly base_typtype: string;
  readonly nullable: boolean;
  /** A default, an identity or a generated column. */
  readonly has_default: boolean;
}

const KIND_BY_BASE_TYPE: Readonly<Record<string, ColumnKind>> = {
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  numeric: 'decimal',
  real: 'float',
  'double precision': 'float',
  boolean: 'boolean',
  text: 'string',
  'character varying': 'string',
  character: 'string',
  '"char"': 'string',
  name: 'string',
  citext: 'string',
  uuid: 'string',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  date: 'date',
  'time without time zone': 'time',
  'time with time zone': 'time',
  json: 'json',
  jsonb: 'json',
  bytea: 'binary',
};

/** The engine's kind of a PostgreSQL base type; enums are text, arrays and the rest `other`. */
export function columnKind(baseType: string, typtype: string): ColumnKind {
  if (typtype === 'e') return 'string';
  return KIND_BY_BASE_TYPE[baseType] ?? 'other';
}

/** A column as the engine sees it: length for bounded text, precision and scale for numerics. */
export function toColumnInfo(row: ColumnRow): ColumnInfo {
  const kind = columnKind(row.base_type, row.base_typtype);
  const modifier = row.type_modifier;
  const isBoundedText = row.base_type === 'character varying' || row.base_type === 'character';
  return {
    name: row.name,
    nativeType: row.native_type,
    kind,
    nullable: row.nullable,
    // varchar(n) and char(n) store n + 4 (the varlena header) in their type modifier.
    ...(isBoundedText && modifier >= 4 ? { maxLength: modifier - 4 } : {}),
    // numeric(p,s) stores ((p << 16) | s) + 4; s is an 11-bit signed number since PostgreSQL 15.
    ...(row.base_type === 'numeric' && modifier >= 4
      ? { precision: ((modifier - 4) >> 16) & 0xffff, scale: (((modifier - 4) & 0x7ff) ^ 1024) - 1024 }
      : {}),
    hasDefault: row.has_default,
  };
}

/** Assembles a table's schema from its column and unique-key rows. */
export function toTableSchema(
  table: TableName,
  columns: readonly ColumnRow[],
  uniqueKeys: readonly { readonly columns: readonly string[] }[],
): TableSchema {
  return {
    table: table.display,
    columns: columns.map(toColumnInfo),
    uniqueKeys: uniqueKeys.map((key) => [...key.columns]),
  };
}

/**
 * The target's schema if it can take the batch: the table exists, has every written column, and
 * its key column alone has a primary key or unique index (else upserts could not be idempotent).
 */
export function checkTargetSchema(
  schema: TableSchema | undefined,
  shape: WriteShape,
  columns: readonly string[],
): TableSchema {
  const { flow, table, key } = shape;
  if (schema === undefined) {
    throw new ConnectorError(
      'CONNECTOR_TABLE_NOT_FOUND',
      `Flow "${flow}": the target table ${table.display} does not exist`,
      {
        flow,
      },
    );
  }
  const missing = columns.find((column) => !schema.columns.some((c) => c.name === column));
  if (missing !== undefined) {
    throw new ConnectorError(
      'CONNECTOR_COLUMN_NOT_FOUND',
      `Flow "${flow}": the target table ${table.display} has no column "${missing}"`,
      { flow },
    );
  }
  if (!schema.uniqueKeys.some((unique) => unique.length === 1 && unique[0] === key)) {
    throw new ConnectorError(
      'CONNECTOR_NO_UNIQUE_KEY',
      `Flow "${flow}": the target key column "${key}" of ${table.display} has no primary key or unique index of its own, ` +
        `so upserts cannot be idempotent; add one (CREATE UNIQUE INDEX ON ${table.display} (${key}))`,
      { flow },
    );
  }
  return schema;
}
