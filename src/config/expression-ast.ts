/**
 * The syntax tree of a `expr:` or `filter:` expression in syncline.yaml, produced by
 * `parseExpression` and evaluated by `core/expression-eval.ts`. Plain data: no functions, no
 * prototypes worth reaching, so a compiled config can be inspected and copied safely.
 */

/** Comparison operators; `<>` is read as `!=`. */
export const ComparisonOperators = ['=', '!=', '<', '<=', '>', '>='] as const;
/** One of ComparisonOperators. */
export type ComparisonOperator = (typeof ComparisonOperators)[number];

/** The pure functions an expression may call, with the number of arguments each takes. */
export const EXPRESSION_FUNCTIONS = {
  concat: { min: 1, max: 64 },
  coalesce: { min: 1, max: 64 },
  upper: { min: 1, max: 1 },
  lower: { min: 1, max: 1 },
  trim: { min: 1, max: 1 },
  length: { min: 1, max: 1 },
  substr: { min: 2, max: 3 },
  replace: { min: 3, max: 3 },
} as const satisfies Record<string, { readonly min: number; readonly max: number }>;
/** The name of one of EXPRESSION_FUNCTIONS. */
export type ExpressionFunction = keyof typeof EXPRESSION_FUNCTIONS;

/** Whether `name` (lower case) is a function an expression may call; never true for `constructor` and kin. */
export function isExpressionFunction(name: string): name is ExpressionFunction {
  return Object.hasOwn(EXPRESSION_FUNCTIONS, name);
}

/** One node of an expression. */
export type ExpressionNode =
  | { readonly kind: 'text'; readonly value: string }
  /** A number literal, kept as its decimal text so it stays exact. */
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  /** A source column of the flow, read from the change's row. */
  | { readonly kind: 'column'; readonly name: string }
  | { readonly kind: 'call'; readonly name: ExpressionFunction; readonly args: readonly ExpressionNode[] }
  /** `a || b`: text concatenation, NULL when either side is NULL. */
  | { readonly kind: 'concat'; readonly left: ExpressionNode; readonly right: ExpressionNode }
  | {
      readonly kind: 'compare';
      readonly op: ComparisonOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
    }
  | {
      readonly kind: 'logic';
      readonly op: 'and' | 'or';
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
    }
  | { readonly kind: 'not'; readonly operand: ExpressionNode }
  | {
      readonly kind: 'in';
      readonly operand: ExpressionNode;
      readonly list: readonly ExpressionNode[];
      readonly negated: boolean;
    }
  | { readonly kind: 'is-null'; readonly operand: ExpressionNode; readonly negated: boolean }
  | {
      readonly kind: 'case';
      readonly branches: readonly { readonly when: ExpressionNode; readonly then: ExpressionNode }[];
      /** The `else` value; NULL when left out. */
      readonly otherwise: ExpressionNode | undefined;
    };

/** A parsed expression, as the config hands it to the engine. */
export interface Expression {
  /** The expression as written in syncline.yaml, for messages. */
  readonly text: string;
  /** The syntax tree evaluated on each row. */
  readonly root: ExpressionNode;
  /** Source columns it reads, in order of first use, each once. */
  readonly columns: readonly string[];
}
