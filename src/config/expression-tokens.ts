/** Splits an expression into tokens; the parser (expression-parser.ts) gives them meaning. */

/** One token; `at` is its 1-based character position in the expression. */
export interface Token {
  /** `word`: a name or keyword; `quoted-name`: a "quoted" column; `text`, `number`: literals. */
  readonly type: 'word' | 'quoted-name' | 'text' | 'number' | 'symbol' | 'end';
  /** The word, name, symbol, number as written, or the text literal without its quotes. */
  readonly text: string;
  readonly at: number;
}

/** A syntax error at a 1-based character position. */
export class ExpressionSyntaxError extends Error {
  constructor(
    /** 1-based character position of the problem in the expression. */
    readonly position: number,
    message: string,
  ) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

const WORD = /[\p{L}_][\p{L}\p{N}_$]*/uy;
const NUMBER = /-?\d+(?:\.\d+)?/y;
const SYMBOLS = ['||', '<=', '>=', '!=', '<>', '=', '<', '>', '(', ')', ','] as const;

/** The tokens of `source`, ending with an `end` token; throws ExpressionSyntaxError. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source.charAt(index);
    if (/\s/u.test(char)) {
      index += 1;
      continue;
    }
    const at = index + 1;
    if (char === "'") {
      const { value, next } = readQuoted(source, index, "'", 'text');
      tokens.push({ type: 'text', text: value, at });
      index = next;
      continue;
    }
    if (char === '"') {
      const { value, next } = readQuoted(source, index, '"', 'column name');
      if (!/^[\p{L}_][\p{L}\p{N}_$]*$/u.test(value))
        throw new ExpressionSyntaxError(at, `"${value}" is not a plain column name`);
      tokens.push({ type: 'quoted-name', text: value, at });
      index = next;
      continue;
    }
    const matched = matchAt(NUMBER, source, index) ?? matchAt(WORD, source, index);
    if (matched !== undefined) {
      tokens.push({ type: /^-?\d/.test(matched) ? 'number' : 'word', text: matched, at });
      index += matched.length;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => source.startsWith(candidate, index));
    if (symbol === undefined)
      throw new ExpressionSyntaxError(at, `unexpected character ${JSON.stringify(char)}`);
    tokens.push({ type: 'symbol', text: symbol === '<>' ? '!=' : symbol, at });
    index += symbol.length;
  }
  tokens.push({ type: 'end', text: '', at: source.length + 1 });
  return tokens;
}

function matchAt(pattern: RegExp, source: string, index: number): string | undefined {
  pattern.lastIndex = index;
  return pattern.exec(source)?.[0];
}

/** A quoted literal from `start` (the opening quote); a doubled quote stands for one. */
function readQuoted(
  source: string,
  start: number,
  quote: string,
  what: string,
): { value: string; next: number } {
  let value = '';
  let index = start + 1;
  for (;;) {
    const end = source.indexOf(quote, index);
    if (end === -1) throw new ExpressionSyntaxError(start + 1, `${what} is not closed with ${quote}`);
    value += source.slice(index, end);
    if (source.charAt(end + 1) !== quote) return { value, next: end + 1 };
    value += quote;
    index = end + 2;
  }
}
