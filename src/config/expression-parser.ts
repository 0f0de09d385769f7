import {
  ComparisonOperators,
  EXPRESSION_FUNCTIONS,
  isExpressionFunction,
  type ComparisonOperator,
  type Expression,
  type ExpressionNode,
} from './expression-ast.js';
import { ExpressionSyntaxError, tokenize, type Token } from './expression-tokens.js';

/** The longest expression accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 2000;
/** The deepest nesting accepted (parentheses, calls, `not`, `case`). */
export const MAX_EXPRESSION_DEPTH = 32;

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'is',
  'null',
  'true',
  'false',
  'case',
  'when',
  'then',
  'else',
  'end',
]);

/** The result of parsing: the expression, or the 1-based position and reason of the first error. */
export type ParseResult =
  | { readonly ok: true; readonly expression: Expression }
  | { readonly ok: false; readonly position: number; readonly message: string };

/**
 * Parses an expression of syncline.yaml (`fields.<name>.expr`, `filter`). The language is data
 * only: column names, literals, `||`, comparisons, `and`/`or`/`not`, `in (…)`, `is [not] null`,
 * `case when … then … else … end` and the functions of EXPRESSION_FUNCTIONS. Nothing in it can
 * reach JavaScript: there is no member access, and names resolve only to row columns and that
 * fixed function table.
 */
export function parseExpression(text: string): ParseResult {
  if (text.length > MAX_EXPRESSION_LENGTH)
    return {
      ok: false,
      position: MAX_EXPRESSION_LENGTH + 1,
      message: `longer than ${MAX_EXPRESSION_LENGTH} characters`,
    };
  try {
    const parser = new Parser(tokenize(text));
    const root = parser.parseAll();
    return { ok: true, expression: { text, root, columns: [...parser.columns] } };
  } catch (error) {
    if (error instanceof ExpressionSyntaxError)
      return { ok: false, position: error.position, message: error.message };
    throw error;
  }
}

class Parser {
  readonly columns = new Set<string>();
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseAll(): ExpressionNode {
    if (this.peek().type === 'end') throw new ExpressionSyntaxError(1, 'the expression is empty');
    const node = this.orExpression();
    const rest = this.peek();
    if (rest.type !== 'end') throw new ExpressionSyntaxError(rest.at, `unexpected ${describe(rest)}`);
    return node;
  }

  private peek(offset = 0): Token {
    return (
      this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] ?? { type: 'end', text: '', at: 1 }
    );
  }

  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index += 1;
    return token;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'word' && token.text.toLowerCase() === word;
  }

  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.type === 'symbol' && token.text === symbol;
  }

  private expect(what: string, matches: boolean): Token {
    const token = this.peek();
    if (!matches) throw new ExpressionSyntaxError(token.at, `expected ${what}, found ${describe(token)}`);
    return this.next();
  }

  private nested<T>(at: number, parse: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_EXPRESSION_DEPTH)
      throw new ExpressionSyntaxError(at, `nested more than ${MAX_EXPRESSION_DEPTH} levels deep`);
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private orExpression(): ExpressionNode {
    return this.nested(this.peek().at, () => {
      let left = this.andExpression();
      while (this.isKeyword('or')) {
        this.next();
        left = { kind: 'logic', op: 'or', left, right: this.andExpression() };
      }
      return left;
    });
  }

  private andExpression(): ExpressionNode {
    let left = this.notExpression();
    while (this.isKeyword('and')) {
      this.next();
      left = { kind: 'logic', op: 'and', left, right: this.notExpression() };
    }
    return left;
  }

  private notExpression(): ExpressionNode {
    if (!this.isKeyword('not')) return this.predicate();
    const at = this.next().at;
    return this.nested(at, () => ({ kind: 'not', operand: this.notExpression() }));
  }

  private predicate(): ExpressionNode {
    const left = this.concatenation();
    const token = this.peek();
    if (token.type === 'symbol' && (ComparisonOperators as readonly string[]).includes(token.text)) {
      this.next();
      return { kind: 'compare', op: token.text as ComparisonOperator, left, right: this.concatenation() };
    }
    if (this.isKeyword('is')) {
      this.next();
      const negated = this.isKeyword('not');
      if (negated) this.next();
      this.expect('NULL after "is"', this.isKeyword('null'));
      return { kind: 'is-null', operand: left, negated };
    }
    const negated = this.isKeyword('not') && this.isKeyword('in', 1);
    if (negated) this.next();
    if (this.isKeyword('in')) {
      const at = this.next().at;
      const list = this.argumentList('"(" after "in"');
      if (list.length === 0) throw new ExpressionSyntaxError(at, '"in" needs at least one value');
      return { kind: 'in', operand: left, list, negated };
    }
    return left;
  }

  private concatenation(): ExpressionNode {
    let left = this.primary();
    while (this.isSymbol('||')) {
      this.next();
      left = { kind: 'concat', left, right: this.primary() };
    }
    return left;
  }

  private argumentList(what: string): ExpressionNode[] {
    this.expect(what, this.isSymbol('('));
    const args: ExpressionNode[] = [];
    if (!this.isSymbol(')')) {
      args.push(this.orExpression());
      while (this.isSymbol(',')) {
        this.next();
        args.push(this.orExpression());
      }
    }
    this.expect('"," or ")"', this.isSymbol(')'));
    return args;
  }

  private primary(): ExpressionNode {
    const token = this.peek();
    switch (token.type) {
      case 'text':
        this.next();
        return { kind: 'text', value: token.text };
      case 'number':
        this.next();
        return { kind: 'number', text: token.text };
      case 'quoted-name':
        this.next();
        return this.column(token.text);
      case 'symbol':
        return this.symbolPrimary(token);
      case 'word':
        return this.wordPrimary(token);
      case 'end':
        throw new ExpressionSyntaxError(token.at, 'the expression ends too early');
    }
  }

  private symbolPrimary(token: Token): ExpressionNode {
    if (token.text === '(') {
      this.next();
      const inner = this.orExpression();
      this.expect('")"', this.isSymbol(')'));
      return inner;
    }
    throw new ExpressionSyntaxError(token.at, `unexpected ${describe(token)}`);
  }

  private wordPrimary(token: Token): ExpressionNode {
    const word = token.text.toLowerCase();
    if (word === 'case') return this.caseExpression();
    if (word === 'null' || word === 'true' || word === 'false') {
      this.next();
      return word === 'null' ? { kind: 'null' } : { kind: 'boolean', value: word === 'true' };
    }
    if (KEYWORDS.has(word)) throw new ExpressionSyntaxError(token.at, `unexpected ${describe(token)}`);
    this.next();
    if (!this.isSymbol('(')) return this.column(token.text);
    if (!isExpressionFunction(word))
      throw new ExpressionSyntaxError(
        token.at,
        `unknown function "${token.text}" (known: ${Object.keys(EXPRESSION_FUNCTIONS).join(', ')})`,
      );
    const args = this.nested(token.at, () => this.argumentList('"("'));
    const { min, max } = EXPRESSION_FUNCTIONS[word];
    if (args.length < min || args.length > max)
      throw new ExpressionSyntaxError(
        token.at,
        `${word}() takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, not ${args.length}`,
      );
    return { kind: 'call', name: word, args };
  }

  private caseExpression(): ExpressionNode {
    const at = this.next().at;
    return this.nested(at, () => {
      const branches: { when: ExpressionNode; then: ExpressionNode }[] = [];
      if (!this.isKeyword('when')) this.expect('WHEN after CASE', false);
      while (this.isKeyword('when')) {
        this.next();
        const when = this.orExpression();
        this.expect('THEN', this.isKeyword('then'));
        branches.push({ when, then: this.orExpression() });
      }
      let otherwise: ExpressionNode | undefined;
      if (this.isKeyword('else')) {
        this.next();
        otherwise = this.orExpression();
      }
      this.expect('END to close CASE', this.isKeyword('end'));
      return { kind: 'case', branches, otherwise };
    });
  }

  private column(name: string): ExpressionNode {
    this.columns.add(name);
    return { kind: 'column', name };
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the expression';
    case 'text':
      return `text '${token.text}'`;
    case 'quoted-name':
      return `"${token.text}"`;
    default:
      return `"${token.text}"`;
  }
}
