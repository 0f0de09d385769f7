import type { ExpressionFunction } from '../config/expression-ast.js';
import {
  ExpressionNumber,
  failure,
  show,
  textOf,
  valueOf,
  type Evaluated,
  type ExpressionValue,
} from './expression-values.js';

/** A whole number argument (`substr` positions), or undefined. */
function wholeNumber(value: ExpressionValue): number | undefined {
  const text = value === null || typeof value === 'boolean' ? undefined : textOf(value).trim();
  if (text === undefined || !/^-?\d{1,9}$/.test(text)) return undefined;
  return Number(text);
}

function substr(args: readonly ExpressionValue[]): Evaluated {
  const [value = null, startValue = null, lengthValue] = args;
  if (value === null || startValue === null || lengthValue === null) return valueOf(null);
  const start = wholeNumber(startValue);
  if (start === undefined || start < 1)
    return failure(`substr() needs a start position of 1 or more, not ${show(startValue)}`);
  const length = lengthValue === undefined ? undefined : wholeNumber(lengthValue);
  if (lengthValue !== undefined && (length === undefined || length < 0))
    return failure(`substr() needs a length of 0 or more, not ${show(lengthValue)}`);
  const characters = Array.from(textOf(value));
  const end = length === undefined ? undefined : start - 1 + length;
  return valueOf(characters.slice(start - 1, end).join(''));
}

/**
 * Calls one of the expression functions on evaluated arguments. NULL in gives NULL out, except
 * for `concat` (skips NULLs) and `coalesce` (the first non-NULL argument).
 */
export function callFunction(name: ExpressionFunction, args: readonly ExpressionValue[]): Evaluated {
  switch (name) {
    case 'concat':
      return valueOf(
        args
          .filter((arg) => arg !== null)
          .map(textOf)
          .join(''),
      );
    case 'coalesce':
      return valueOf(args.find((arg) => arg !== null) ?? null);
    case 'substr':
      return substr(args);
    default:
      break;
  }
  if (args.some((arg) => arg === null)) return valueOf(null);
  const texts = args.map((arg) => (arg === null ? '' : textOf(arg)));
  const [first = '', second = '', third = ''] = texts;
  switch (name) {
    case 'upper':
      return valueOf(first.toUpperCase());
    case 'lower':
      return valueOf(first.toLowerCase());
    case 'trim':
      return valueOf(first.trim());
    case 'length':
      return valueOf(new ExpressionNumber(String(Array.from(first).length)));
    case 'replace':
      return valueOf(second === '' ? first : first.replaceAll(second, third));
  }
}
