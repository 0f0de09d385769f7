import { describe, expect, it } from 'vitest';
import { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, parseExpression } from './expression-parser.js';

function errorOf(text: string): string {
  const result = parseExpression(text);
  return result.ok ? 'parsed' : `${result.position}: ${result.message}`;
}

describe('parseExpression', () => {
  it('parses concatenation, functions and comparisons, and lists the columns read', () => {
    const result = parseExpression(
      "concat(first_name, ' ', last_name) || '!' = 'Ada Lovelace!' and amount >= 10.50",
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.expression.columns).toEqual(['first_name', 'last_name', 'amount']);
    expect(result.expression.root).toMatchObject({
      kind: 'logic',
      op: 'and',
      right: { kind: 'compare', op: '>=' },
    });
  });

  it('parses case, in, is null and keywords in any case', () => {
    const result = parseExpression(
      "CASE WHEN status IN ('won', 'closed') THEN 'W' WHEN region IS NOT NULL THEN region ELSE 'X' END",
    );
    expect(result.ok && result.expression.columns).toEqual(['status', 'region']);
    expect(parseExpression('status not in (1, -2.5)').ok).toBe(true);
    expect(parseExpression("\"end\" <> 'it''s'").ok).toBe(true);
  });

  it('reports a syntax error with its position', () => {
    expect(errorOf("concat(first_name, ' ' last_name)")).toBe('24: expected "," or ")", found "last_name"');
    expect(errorOf("status = 'won")).toBe("10: text is not closed with '");
    expect(errorOf('amount > ')).toBe('10: the expression ends too early');
    expect(errorOf('a = b c')).toBe('7: unexpected "c"');
    expect(errorOf('a + b')).toBe('3: unexpected character "+"');
    expect(errorOf('')).toBe('1: the expression is empty');
    expect(errorOf('status in ()')).toBe('8: "in" needs at least one value');
    expect(errorOf('case when a then b')).toBe(
      '19: expected END to close CASE, found the end of the expression',
    );
  });

  it('checks function names and argument counts at parse time', () => {
    expect(errorOf('upper(a, b)')).toBe('1: upper() takes 1 argument, not 2');
    expect(errorOf('substr(a)')).toBe('1: substr() takes 2 to 3 arguments, not 1');
    expect(errorOf('eval(a)')).toMatch(/^1: unknown function "eval" \(known: concat, /);
  });

  it('refuses names that reach JavaScript: constructor, __proto__, toString are no functions', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])
      expect(errorOf(`${name}(a)`)).toMatch(new RegExp(`^1: unknown function "${name}"`));
    expect(errorOf('a.constructor')).toBe('2: unexpected character "."');
    expect(errorOf('a["x"]')).toBe('2: unexpected character "["');
    expect(errorOf('`x`')).toBe('1: unexpected character "`"');
  });

  it('bounds the length and the nesting depth', () => {
    expect(errorOf(`'${'x'.repeat(MAX_EXPRESSION_LENGTH)}'`)).toBe(
      `${MAX_EXPRESSION_LENGTH + 1}: longer than ${MAX_EXPRESSION_LENGTH} characters`,
    );
    const deep = `${'('.repeat(MAX_EXPRESSION_DEPTH + 1)}a${')'.repeat(MAX_EXPRESSION_DEPTH + 1)}`;
    expect(errorOf(deep)).toMatch(new RegExp(`nested more than ${MAX_EXPRESSION_DEPTH} levels deep$`));
    expect(errorOf(`${'not '.repeat(200)}a`)).toMatch(/nested more than/);
    expect(errorOf(`${'upper('.repeat(100)}a${')'.repeat(100)}`)).toMatch(/nested more than/);
    expect(parseExpression(Array.from({ length: 300 }, () => 'c').join(' || ')).ok).toBe(true);
  });
});
