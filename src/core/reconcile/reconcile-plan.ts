import type { Connector, TableSchema } from '../connector.js';
import { canonicalText, MALFORMED, type CompareKind, type DigestExpr, type DigestSpec } from '../digest.js';
import type { Flow } from '../flow.js';
import type { FieldMapping } from '../mapping.js';
import { RecordComparison, columnComparison } from '../two-way/record-comparison.js';
import { valueText, type Value } from '../values.js';

/** A target column the databases cannot compare, and why; it is compared only in rows read. */
export interface UncheckedColumn {
  readonly column: string;
  readonly reason: string;
}

/** How a flow's two tables are compared: the digest of each side and the record comparison. */
export interface ReconcilePlan {
  /** Digest of the source rows, mapped to target columns in SQL. */
  readonly source: DigestSpec;
  /** Digest of the target rows. */
  readonly target: DigestSpec;
  /** Compares mapped source records with target rows, every column, in Syncline. */
  readonly comparison: RecordComparison;
  /** Columns left out of the checksums. */
  readonly unchecked: readonly UncheckedColumn[];
}

/** A value never produced by a well-formed row, for a dictionary miss without a default. */
const UNMAPPED = `${MALFORMED}unmapped`;

function literalText(value: Value, kind: CompareKind): string | null {
  return canonicalText(value, kind);
}

/** The source-side digest expression of one target column, or why there is none. */
function sourceExpr(
  field: FieldMapping,
  kind: CompareKind,
  source: Connector,
  schema: TableSchema | undefined,
): DigestExpr | string {
  if (field.ref !== undefined) return `its value is translated through the key map of flow "${field.ref}"`;
  if (field.expression !== undefined)
    return 'a computed field (expr) is computed by Syncline, not by the database';
  if (field.from === undefined) return { type: 'literal', text: literalText(field.constant, kind) };
  const info = schema?.columns.find((column) => column.name === field.from);
  if (info === undefined)
    return `source column "${field.from}" is not described by ${source.constructor.name}`;
  const fallback = field.fallback === undefined ? undefined : literalText(field.fallback, kind);
  if (field.dictionary !== undefined) {
    if (field.trim) return 'a trimmed value is looked up in a dictionary';
    if (source.digests?.canRender(info, 'text') !== true)
      return `source column "${field.from}" cannot be read as text`;
    const entries = [...field.dictionary].map(([from, to]) => [from, literalText(to, kind)] as const);
    return {
      type: 'map',
      column: field.from,
      entries,
      otherwise: fallback ?? UNMAPPED,
      ifNull: fallback ?? null,
    };
  }
  let expr: DigestExpr;
  if (field.trim) {
    if (kind !== 'text') return 'a trimmed value compared as a number, date or time';
    if (source.digests?.canRender(info, 'text') !== true)
      return `source column "${field.from}" cannot be read as text`;
    expr = { type: 'trim', column: field.from };
  } else {
    if (source.digests?.canRender(info, kind) !== true)
      return `source column "${field.from}" (${info.nativeType}) cannot be read as ${kind} in its database`;
    expr = { type: 'column', column: field.from, as: kind };
  }
  return fallback === undefined || fallback === null ? expr : { type: 'coalesce', of: expr, fallback };
}

/** The compare kind of a target column for checksums; JSON and binary have none. */
function digestKind(
  flow: Flow,
  column: string,
  schema: TableSchema | undefined,
  target: Connector,
): CompareKind | undefined {
  const info = schema?.columns.find((candidate) => candidate.name === column);
  if (info === undefined || info.kind === 'json' || info.kind === 'binary' || info.kind === 'float')
    return undefined;
  const comparison = columnComparison(info, flow.target.types[column], target.wallClockZone);
  if (comparison.kind === 'json') return undefined;
  return target.digests?.canRender(info, comparison.kind) === true ? comparison.kind : undefined;
}

/**
 * Plans the reconcile of a flow: for every target column, the expression each database hashes —
 * the target column itself, and on the source the mapping (rename, constant, trim, dictionary,
 * default) in SQL — in canonical text, so equal records hash equal on both sides. A column that
 * cannot be rendered exactly on both sides is left out of the checksums (and listed); rows read
 * from differing buckets are still compared on every column.
 */
export function planReconcile(
  flow: Flow,
  connectors: { readonly source: Connector; readonly target: Connector },
  schemas: { readonly source: TableSchema | undefined; readonly target: TableSchema | undefined },
): ReconcilePlan {
  const { source, target } = connectors;
  const compared = flow.target.columns.filter((column) => column !== flow.target.key);
  const comparison = RecordComparison.forTarget(
    compared,
    schemas.target,
    flow.target.types,
    target.wallClockZone,
  );
  const sourceColumns: DigestExpr[] = [{ type: 'column', column: flow.source.key, as: 'text' }];
  const targetColumns: DigestExpr[] = [{ type: 'column', column: flow.target.key, as: 'text' }];
  const unchecked: UncheckedColumn[] = [];
  const softDelete = flow.target.onDelete.mode === 'soft' ? flow.target.onDelete.column : undefined;
  for (const column of compared) {
    const kind = digestKind(flow, column, schemas.target, target);
    if (kind === undefined) {
      unchecked.push({
        column,
        reason: `target column "${column}" cannot be hashed in its database exactly`,
      });
      continue;
    }
    let expr: DigestExpr | string;
    if (column === softDelete) {
      expr =
        flow.source.deleted === undefined
          ? { type: 'literal', text: '0' }
          : { type: 'flag', column: flow.source.deleted };
    } else {
      const field = flow.mapping.fields.find((candidate) => candidate.target === column);
      expr =
        field === undefined ? `no field maps "${column}"` : sourceExpr(field, kind, source, schemas.source);
    }
    if (typeof expr === 'string') {
      unchecked.push({ column, reason: expr });
      continue;
    }
    sourceColumns.push(expr);
    targetColumns.push({ type: 'column', column, as: kind });
  }
  const excluded =
    flow.source.deleted !== undefined && flow.target.onDelete.mode !== 'soft'
      ? flow.source.deleted
      : undefined;
  return {
    source: {
      flow: flow.name,
      table: flow.source.table,
      key: flow.source.key,
      columns: sourceColumns,
      read: flow.source.columns,
      ...(excluded === undefined ? {} : { excludeFlagged: excluded }),
    },
    target: {
      flow: flow.name,
      table: flow.target.table,
      key: flow.target.key,
      columns: targetColumns,
      read: [...new Set([...flow.target.columns, ...(flow.targetId === undefined ? [] : [flow.targetId])])],
    },
    comparison,
    unchecked,
  };
}

/** The key of a row as text (the key map's form), or undefined for a NULL key. */
export function keyText(value: Value | undefined): string | undefined {
  return value === null || value === undefined ? undefined : valueText(value);
}
