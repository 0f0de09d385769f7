import { canonicalText, isFlagSet, type CompareKind, type DigestExpr, type DigestSpec } from './digest.js';
import { ConnectorError } from './errors.js';
import type { Row } from './values.js';

/** The `map` digest expression. */
export type MapExpr = Extract<DigestExpr, { readonly type: 'map' }>;

/**
 * How one connector writes the parts of a digest expression in its SQL. A method that returns
 * undefined cannot render that column exactly (see DigestSupport.canRender).
 */
export interface DigestDialect {
  /** The canonical text of a column under a compare kind. */
  column(name: string, as: CompareKind): string | undefined;
  /** The `text` of a column, trimmed. */
  trim(name: string): string | undefined;
  /** The `map` expression of a column's `text`. */
  map(name: string, expr: MapExpr): string | undefined;
  /** A condition: the column holds a true flag (parseBoolean's words); not true for NULL. */
  truth(name: string): string | undefined;
  /** A bound canonical text, or NULL. */
  literal(text: string | null): string;
  /** `sql`, or the bound `fallback` when it is NULL. */
  coalesce(sql: string, fallback: string): string;
  /** `1` when `truth` holds, else `0`. */
  flag(truth: string): string;
}

/** Called for a column a dialect cannot render; throws the connector's error. */
export type Unrenderable = (column: string, as: CompareKind) => never;

/** Renders one digest expression with a connector's dialect. */
export function renderDigestExpr(expr: DigestExpr, dialect: DigestDialect, refuse: Unrenderable): string {
  switch (expr.type) {
    case 'column':
      return dialect.column(expr.column, expr.as) ?? refuse(expr.column, expr.as);
    case 'literal':
      return dialect.literal(expr.text);
    case 'trim':
      return dialect.trim(expr.column) ?? refuse(expr.column, 'text');
    case 'map':
      return dialect.map(expr.column, expr) ?? refuse(expr.column, 'text');
    case 'coalesce':
      return dialect.coalesce(renderDigestExpr(expr.of, dialect, refuse), expr.fallback);
    case 'flag':
      return dialect.flag(dialect.truth(expr.column) ?? refuse(expr.column, 'boolean'));
  }
}

/** Every column a spec names: key, read columns, the columns of its expressions, the flag. */
export function digestColumnNames(spec: DigestSpec): string[] {
  const ofExpr = (expr: DigestExpr): string[] =>
    expr.type === 'literal' ? [] : expr.type === 'coalesce' ? ofExpr(expr.of) : [expr.column];
  const flag = spec.excludeFlagged === undefined ? [] : [spec.excludeFlagged];
  return [...new Set([spec.key, ...spec.read, ...spec.columns.flatMap(ofExpr), ...flag])];
}

/**
 * The canonical texts of a row under digest expressions, in JS: what a connector's SQL computes
 * per row (`rowHash` of these is the row's hash). `zone` is the connector's `wallClockZone`.
 */
export function digestTexts(row: Row, exprs: readonly DigestExpr[], zone?: string): (string | null)[] {
  const evaluate = (expr: DigestExpr): string | null => {
    switch (expr.type) {
      case 'column':
        return canonicalText(row[expr.column], expr.as, zone);
      case 'literal':
        return expr.text;
      case 'trim':
        return canonicalText(row[expr.column], 'text')?.trim() ?? null;
      case 'map': {
        const text = canonicalText(row[expr.column], 'text');
        if (text === null) return expr.ifNull;
        const entry = expr.entries.find(([from]) => from === text);
        return entry === undefined ? expr.otherwise : entry[1];
      }
      case 'coalesce':
        return evaluate(expr.of) ?? expr.fallback;
      case 'flag':
        return isFlagSet(row[expr.column]) ? '1' : '0';
    }
  };
  return exprs.map(evaluate);
}

/** Throws unless `width` is a bucket width: a power of two from 1 to 2^32 (see BucketLevel). */
export function assertBucketWidth(spec: DigestSpec, width: number): void {
  if (width >= 1 && width <= 2 ** 32 && Number.isInteger(Math.log2(width))) return;
  throw new ConnectorError(
    'INTERNAL',
    `Flow "${spec.flow}": ${width} is no bucket width (a power of two from 1 to 2^32)`,
    { flow: spec.flow },
  );
}
