import type { Expression, ExpressionNode } from '../config/expression-ast.js';
import { callFunction } from './expression-functions.js';
import {
  compareValues,
  ExpressionNumber,
  failure,
  fromRowValue,
  show,
  textOf,
  toRowValue,
  valueOf,
  type Evaluated,
  type ExpressionValue,
} from './expression-values.js';
import type { Row, Value } from './values.js';

/** The outcome of evaluating an expression on a row: a row value, or why not (a record failure). */
export type ExpressionResult =
  { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly reason: string };

/**
 * Evaluates a computed field's expression on a source row. Numbers come out as exact decimal
 * text; a failure (comparing text with a number, `and` on text, …) is a value with its reason.
 */
export function evaluateExpression(expression: Expression, row: Row): ExpressionResult {
  const result = evaluate(expression.root, row);
  return result.ok ? { ok: true, value: toRowValue(result.value) } : result;
}

/**
 * Evaluates a row filter: true when the row belongs to the flow. NULL counts as false (as in a
 * SQL WHERE clause); any other non-boolean value is a failure.
 */
export function evaluateCondition(
  expression: Expression,
  row: Row,
): { readonly ok: true; readonly value: boolean } | { readonly ok: false; readonly reason: string } {
  const result = evaluate(expression.root, row);
  if (!result.ok) return result;
  if (result.value === null) return { ok: true, value: false };
  if (typeof result.value !== 'boolean')
    return { ok: false, reason: `gives ${show(result.value)}, not true or false` };
  return { ok: true, value: result.value };
}

function truth(value: ExpressionValue, what: string): boolean | null | string {
  if (value === null || typeof value === 'boolean') return value;
  return `${what} needs true or false, not ${show(value)}`;
}

function evaluateLogic(node: Extract<ExpressionNode, { kind: 'logic' }>, row: Row): Evaluated {
  const left = evaluate(node.left, row);
  if (!left.ok) return left;
  const leftTruth = truth(left.value, `"${node.op}"`);
  if (typeof leftTruth === 'string') return failure(leftTruth);
  // Short-circuit as SQL does: the right side is not evaluated when the left decides.
  if (node.op === 'and' && leftTruth === false) return valueOf(false);
  if (node.op === 'or' && leftTruth === true) return valueOf(true);
  const right = evaluate(node.right, row);
  if (!right.ok) return right;
  const rightTruth = truth(right.value, `"${node.op}"`);
  if (typeof rightTruth === 'string') return failure(rightTruth);
  if (node.op === 'and')
    return valueOf(rightTruth === false ? false : leftTruth === null || rightTruth === null ? null : true);
  return valueOf(rightTruth === true ? true : leftTruth === null || rightTruth === null ? null : false);
}

function compare(op: string, left: ExpressionValue, right: ExpressionValue): Evaluated {
  if (left === null || right === null) return valueOf(null);
  const order = compareValues(left, right);
  if (order === undefined) return failure(`cannot compare ${show(left)} with ${show(right)}`);
  switch (op) {
    case '=':
      return valueOf(order === 0);
    case '!=':
      return valueOf(order !== 0);
    case '<':
      return valueOf(order < 0);
    case '<=':
      return valueOf(order <= 0);
    case '>':
      return valueOf(order > 0);
    default:
      return valueOf(order >= 0);
  }
}

function evaluateAll(
  nodes: readonly ExpressionNode[],
  row: Row,
): { ok: true; values: ExpressionValue[] } | { ok: false; reason: string } {
  const values: ExpressionValue[] = [];
  for (const node of nodes) {
    const result = evaluate(node, row);
    if (!result.ok) return result;
    values.push(result.value);
  }
  return { ok: true, values };
}

function evaluateIn(node: Extract<ExpressionNode, { kind: 'in' }>, row: Row): Evaluated {
  const operand = evaluate(node.operand, row);
  if (!operand.ok) return operand;
  if (operand.value === null) return valueOf(null);
  const list = evaluateAll(node.list, row);
  if (!list.ok) return list;
  for (const item of list.values) {
    const equal = compare('=', operand.value, item);
    if (!equal.ok) return equal;
    if (equal.value === true) return valueOf(!node.negated);
  }
  return valueOf(node.negated);
}

function evaluateCase(node: Extract<ExpressionNode, { kind: 'case' }>, row: Row): Evaluated {
  for (const branch of node.branches) {
    const when = evaluate(branch.when, row);
    if (!when.ok) return when;
    const decided = truth(when.value, '"when"');
    if (typeof decided === 'string') return failure(decided);
    if (decided === true) return evaluate(branch.then, row);
  }
  return node.otherwise === undefined ? valueOf(null) : evaluate(node.otherwise, row);
}

function evaluate(node: ExpressionNode, row: Row): Evaluated {
  switch (node.kind) {
    case 'text':
    case 'boolean':
      return valueOf(node.value);
    case 'number':
      return valueOf(new ExpressionNumber(node.text));
    case 'null':
      return valueOf(null);
    case 'column':
      // Own properties only: a column named like an Object.prototype member reads as NULL.
      return valueOf(fromRowValue(Object.hasOwn(row, node.name) ? row[node.name] : undefined));
    case 'call': {
      const args = evaluateAll(node.args, row);
      return args.ok ? callFunction(node.name, args.values) : args;
    }
    case 'concat': {
      const parts = evaluateAll([node.left, node.right], row);
      if (!parts.ok) return parts;
      const [left = null, right = null] = parts.values;
      return valueOf(left === null || right === null ? null : textOf(left) + textOf(right));
    }
    case 'compare': {
      const parts = evaluateAll([node.left, node.right], row);
      return parts.ok ? compare(node.op, parts.values[0] ?? null, parts.values[1] ?? null) : parts;
    }
    case 'logic':
      return evaluateLogic(node, row);
    case 'not': {
      const operand = evaluate(node.operand, row);
      if (!operand.ok) return operand;
      const value = truth(operand.value, '"not"');
      return typeof value === 'string' ? failure(value) : valueOf(value === null ? null : !value);
    }
    case 'in':
      return evaluateIn(node, row);
    case 'is-null': {
      const operand = evaluate(node.operand, row);
      return operand.ok ? valueOf((operand.value === null) !== node.negated) : operand;
    }
    case 'case':
      return evaluateCase(node, row);
  }
}
