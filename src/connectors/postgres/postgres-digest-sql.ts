import type { ColumnInfo } from '../../core/connector.js';
import type { CompareKind } from '../../core/digest.js';
import type { DigestDialect, MapExpr } from '../../core/digest-render.js';

/** The quoted name and live column of a configured column name; throws when there is none. */
export type ResolveColumn = (name: string) => { readonly sql: string; readonly info: ColumnInfo };

/** Collects bound parameters while SQL is rendered; `add` returns the placeholder of a value. */
export class Parameters {
  readonly values: unknown[] = [];

  /** `$n` of a new parameter holding `value`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** `$n::text` of a new text parameter. */
  text(value: string | null): string {
    return `${this.add(value)}::text`;
  }
}

/** The characters String.prototype.trim removes (computed, so they match this runtime's JS). */
let jsWhitespace: string | undefined;
function trimmedCharacters(): string {
  jsWhitespace ??= Array.from({ length: 0x10000 }, (_, code) => String.fromCharCode(code))
    .filter((char) => char.trim() === '')
    .join('');
  return jsWhitespace;
}

const TRUE_WORDS = ['1', 't', 'true', 'y', 'yes', 'on'];
const FALSE_WORDS = ['0', 'f', 'false', 'n', 'no', 'off'];
const TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS.US';
const DATE_FORMAT = 'YYYY-MM-DD';
/**
 * canonicalTimestamp (postgres-values.ts) in SQL: the space before the time becomes `T`; an
 * offset gets its minutes. Texts of another shape (BC, infinity) stay as they are.
 */
const NAIVE_TEXT = ['^(\\d{4,}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?)$', '\\1T\\2'] as const;
const ZONED_HOURS_TEXT = [
  '^(\\d{4,}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?)([+-]\\d\\d)$',
  '\\1T\\2\\4:00',
] as const;
const ZONED_MINUTES_TEXT = [
  '^(\\d{4,}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?)([+-]\\d\\d:\\d\\d(:\\d\\d)?)$',
  '\\1T\\2\\4',
] as const;
/** String types whose cast to text is their output as read (char(n) loses its padding in a cast). */
const PLAIN_TEXT_TYPE = /^(text|character varying(\(\d+\))?|citext|uuid|name|"char")$/;

/**
 * The connector's session shows timestamptz in UTC and dates in ISO form (postgres-pool.ts), so
 * `x::text` is exactly the text the driver parses; the renderings below mirror canonicalText on
 * what postgres-values.ts makes of it. Years outside 1 to 9999, BC and infinity are malformed in
 * canonicalText; here they become U+0001 and the canonical text, as there.
 */
export class PostgresDigestRenderer implements DigestDialect {
  readonly params = new Parameters();
  readonly #resolve: ResolveColumn;

  /** `resolve` gives the quoted name and live column of a configured column name. */
  constructor(resolve: ResolveColumn) {
    this.#resolve = resolve;
  }

  column(name: string, as: CompareKind): string | undefined {
    const { sql, info } = this.#resolve(name);
    switch (as) {
      case 'text':
        return this.#text(sql, info);
      case 'number':
        return this.#number(sql, info);
      case 'boolean':
        return this.#boolean(sql, info);
      case 'date':
        return this.#temporal(sql, info, DATE_FORMAT, ['date', 'timestamp', 'timestamptz'], false);
      case 'wall':
        return this.#temporal(sql, info, TIMESTAMP_FORMAT, ['timestamp', 'timestamptz'], false);
      case 'instant':
        // Naive timestamps are in UTC: the connector has no wall-clock zone.
        return this.#temporal(sql, info, TIMESTAMP_FORMAT, ['timestamp', 'timestamptz'], true);
    }
  }

  truth(name: string): string | undefined {
    const { sql, info } = this.#resolve(name);
    switch (info.kind) {
      case 'boolean':
        return sql;
      case 'integer':
      case 'float':
        return `(${sql} = 1)`;
      case 'decimal':
      case 'string':
        return this.#isWord(this.#textOf(sql, info), TRUE_WORDS);
      default:
        return undefined;
    }
  }

  /** The text without what String.prototype.trim removes (exactly the JS `trim`). */
  trim(name: string): string | undefined {
    const text = this.column(name, 'text');
    return text === undefined ? undefined : `btrim(${text}, ${this.params.text(trimmedCharacters())})`;
  }

  /** A CASE on the column's text, compared byte for byte (COLLATE "C"). */
  map(name: string, expr: MapExpr): string | undefined {
    const text = this.column(name, 'text');
    if (text === undefined) return undefined;
    const whens = expr.entries.map(
      ([from, to]) => ` WHEN ${text} COLLATE "C" = ${this.params.text(from)} THEN ${this.params.text(to)}`,
    );
    return `CASE WHEN ${text} IS NULL THEN ${this.params.text(expr.ifNull)}${whens.join('')} ELSE ${this.params.text(expr.otherwise)} END`;
  }

  literal(text: string | null): string {
    return this.params.text(text);
  }

  coalesce(sql: string, fallback: string): string {
    return `COALESCE(${sql}, ${this.params.text(fallback)})`;
  }

  flag(truth: string): string {
    return `CASE WHEN ${truth} THEN '1' ELSE '0' END`;
  }

  /** A key's hash: the first 8 hex digits of the MD5 of its UTF-8 text, as an unsigned integer. */
  keyHash(text: string): string {
    return `('x' || substr(md5(convert_to(${text}, 'UTF8')), 1, 8))::bit(32)::bigint`;
  }

  /** A row's hash: the first 15 hex digits of the MD5 of its digest text, as a bigint. */
  rowHash(parts: readonly string[]): string {
    const text =
      parts.length === 0
        ? this.params.text('')
        : parts.map((part) => `COALESCE(${part}, chr(30))`).join(' || chr(31) || ');
    return `('x' || substr(md5(convert_to(${text}, 'UTF8')), 1, 15))::bit(60)::bigint`;
  }

  /** The `text` compare kind: valueText of the canonical value. */
  #text(sql: string, info: ColumnInfo): string | undefined {
    switch (info.kind) {
      case 'string':
        return PLAIN_TEXT_TYPE.test(info.nativeType)
          ? `${sql}::text`
          : `CASE WHEN ${sql} IS NULL THEN NULL ELSE format('%s', ${sql}) END`;
      case 'integer':
      case 'decimal':
      case 'boolean':
      case 'date':
        return `${sql}::text`;
      case 'timestamp':
        return this.#regexp(`${sql}::text`, NAIVE_TEXT);
      case 'timestamptz':
        return this.#regexp(this.#regexp(`${sql}::text`, ZONED_HOURS_TEXT), ZONED_MINUTES_TEXT);
      default:
        return undefined;
    }
  }

  /** The text of a column known to have one. */
  #textOf(sql: string, info: ColumnInfo): string {
    return this.#text(sql, info) ?? `${sql}::text`;
  }

  /** The `number` compare kind: exact decimals without trailing fraction zeros. */
  #number(sql: string, info: ColumnInfo): string | undefined {
    if (info.kind === 'integer') return `${sql}::text`;
    if (info.kind !== 'decimal') return undefined;
    // NaN and the infinities are no decimal numbers for canonicalText.
    return `CASE WHEN abs(${sql}) < ${this.params.add('Infinity')}::numeric THEN trim_scale(${sql})::text ELSE chr(1) || ${sql}::text END`;
  }

  /** The `boolean` compare kind: `1`, `0`, or malformed. */
  #boolean(sql: string, info: ColumnInfo): string | undefined {
    switch (info.kind) {
      case 'boolean':
        return `CASE WHEN ${sql} THEN '1' WHEN NOT ${sql} THEN '0' END`;
      case 'integer':
        return `CASE WHEN ${sql} = 1 THEN '1' WHEN ${sql} = 0 THEN '0' ELSE chr(1) || ${sql}::text END`;
      case 'decimal':
      case 'string': {
        const text = this.#textOf(sql, info);
        return `CASE WHEN ${this.#isWord(text, TRUE_WORDS)} THEN '1' WHEN ${this.#isWord(text, FALSE_WORDS)} THEN '0' ELSE chr(1) || ${text} END`;
      }
      default:
        return undefined;
    }
  }

  /** `date`, `wall` and `instant`: to_char within years 1 to 9999, else malformed. */
  #temporal(
    sql: string,
    info: ColumnInfo,
    format: string,
    kinds: readonly ColumnInfo['kind'][],
    isUtc: boolean,
  ): string | undefined {
    if (!kinds.includes(info.kind)) return undefined;
    const text = this.#textOf(sql, info);
    const value =
      isUtc && info.kind === 'timestamptz' ? `(${sql} AT TIME ZONE ${this.params.text('UTC')})` : sql;
    const formatted = `to_char(${value}, ${this.params.text(format)})`;
    return `CASE WHEN extract(year FROM ${sql}) BETWEEN 1 AND 9999 THEN ${formatted} ELSE chr(1) || ${text} END`;
  }

  #isWord(text: string, words: readonly string[]): string {
    const trimmed = `btrim(${text}, ${this.params.text(trimmedCharacters())})`;
    return `(lower(${trimmed} COLLATE "C") = ANY(${this.params.add(words)}::text[]))`;
  }

  #regexp(text: string, [pattern, replacement]: readonly [string, string]): string {
    return `regexp_replace(${text}, ${this.params.text(pattern)}, ${this.params.text(replacement)})`;
  }
}
