import type { ColumnInfo } from '../../core/connector.js';
import type { CompareKind } from '../../core/digest.js';
import type { DigestDialect, MapExpr } from '../../core/digest-render.js';

/** The quoted name and live column of a configured column name; throws when there is none. */
export type ResolveColumn = (name: string) => { readonly sql: string; readonly info: ColumnInfo };

const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const TRUE_WORDS = ['1', 't', 'true', 'y', 'yes', 'on'];
const TIMESTAMP_FORMAT = '%Y-%m-%d %H:%i:%s.%f';

/** Minutes a fixed offset (`+08:00`) is ahead of UTC, or undefined for a named zone. */
export function fixedOffsetMinutes(zone: string): number | undefined {
  const match = FIXED_OFFSET.exec(zone);
  if (match === null) return undefined;
  const [, sign, hours, minutes] = match;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

/**
 * Renders digest expressions in MySQL/MariaDB SQL, `?` placeholders bound in order. Every text is
 * a binary string holding UTF-8 bytes (CAST … AS BINARY), so MD5 hashes what core/digest.ts
 * hashes whatever the column's character set, and no comparison or CONCAT depends on a collation
 * (a case-insensitive, PAD SPACE collation would otherwise call `A` and `a ` equal).
 *
 * The renderings mirror canonicalText on what mysql-values.ts reads: the driver's text of
 * DECIMAL, DATE and DATETIME is the server's, which CAST(… AS CHAR) reproduces; TIMESTAMP is read
 * in the session's UTC. A DATETIME read as an instant is in the connection's `timezone`, which is
 * rendered only when it is a fixed offset (minutes subtracted with INTERVAL, exact over the whole
 * DATETIME range, which CONVERT_TZ is not: it leaves values outside TIMESTAMP's range unconverted).
 *
 * `trim`, and the boolean words of text columns (`flag`, `excludeFlagged`), trim spaces only, not
 * the other whitespace String.prototype.trim removes; so a text column is not claimed as boolean.
 */
export class MysqlDigestRenderer implements DigestDialect {
  /** The bound parameters, in the order their `?` were rendered. */
  readonly params: unknown[] = [];
  readonly #resolve: ResolveColumn;
  readonly #zoneMinutes: number | undefined;

  /**
   * `resolve` gives the quoted name and live column of a configured column name; `timezone` is the
   * zone DATETIME columns hold (the connection's `timezone`).
   */
  constructor(resolve: ResolveColumn, timezone: string) {
    this.#resolve = resolve;
    this.#zoneMinutes = fixedOffsetMinutes(timezone);
  }

  /** `?` of a new parameter holding `value`. */
  param(value: unknown): string {
    this.params.push(value);
    return '?';
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
        return isDateTime(info) || info.kind === 'date' ? `LEFT(${this.#chars(sql)}, 10)` : undefined;
      case 'wall':
        return isDateTime(info) ? this.#timestamp(sql, info, 0) : undefined;
      case 'instant':
        if (info.kind === 'timestamptz') return this.#timestamp(sql, info, 0);
        if (info.kind !== 'timestamp' || this.#zoneMinutes === undefined) return undefined;
        return this.#timestamp(sql, info, this.#zoneMinutes);
    }
  }

  /** The `text` compare kind: valueText of the canonical value. */
  #text(sql: string, info: ColumnInfo): string | undefined {
    switch (info.kind) {
      case 'string':
        return `CAST(CONVERT(${sql} USING utf8mb4) AS BINARY)`;
      case 'integer':
        // YEAR reads as a number (0, not 0000).
        return isYear(info) ? undefined : this.#chars(sql);
      case 'decimal':
      case 'date':
        return this.#chars(sql);
      case 'boolean':
        return `CASE WHEN ${sql} <> 0 THEN 'true' WHEN ${sql} = 0 THEN 'false' END`;
      case 'timestamp':
        return `REPLACE(${this.#chars(sql)}, ' ', 'T')`;
      case 'timestamptz':
        return `CONCAT(REPLACE(${this.#chars(sql)}, ' ', 'T'), '+00:00')`;
      default:
        return undefined;
    }
  }

  /** Whether the column holds a true flag (parseBoolean's words; text trimmed of spaces only). */
  truth(name: string): string | undefined {
    const { sql, info } = this.#resolve(name);
    switch (info.kind) {
      case 'boolean':
        return `(${sql} <> 0)`;
      case 'integer':
      case 'float':
        return `(${sql} = 1)`;
      case 'decimal':
        return `(${this.#chars(sql)} = '1')`;
      case 'string':
        return `(CAST(LOWER(TRIM(CONVERT(${sql} USING utf8mb4))) AS BINARY) IN (${this.param(TRUE_WORDS)}))`;
      default:
        return undefined;
    }
  }

  /** The `trim` expression: the text without leading and trailing spaces. */
  trim(name: string): string | undefined {
    const text = this.column(name, 'text');
    return text === undefined ? undefined : `TRIM(${text})`;
  }

  /** The `map` expression: a CASE on the column's text, compared byte for byte. */
  map(name: string, expr: MapExpr): string | undefined {
    const text = this.column(name, 'text');
    if (text === undefined) return undefined;
    let rendered = `CASE WHEN ${text} IS NULL THEN ${this.literal(expr.ifNull)}`;
    for (const [from, to] of expr.entries) {
      rendered += ` WHEN ${text} = ${this.literal(from)} THEN ${this.literal(to)}`;
    }
    return `${rendered} ELSE ${this.literal(expr.otherwise)} END`;
  }

  /** A bound text as a binary string, or NULL. */
  literal(text: string | null): string {
    return text === null ? 'NULL' : `CAST(${this.param(text)} AS BINARY)`;
  }

  coalesce(sql: string, fallback: string): string {
    return `COALESCE(${sql}, ${this.literal(fallback)})`;
  }

  flag(truth: string): string {
    return `CASE WHEN ${truth} THEN '1' ELSE '0' END`;
  }

  /** A key's hash: the first 8 hex digits of the MD5 of its text, as an unsigned integer. */
  keyHash(text: string): string {
    return `CAST(CONV(LEFT(MD5(${text}), 8), 16, 10) AS UNSIGNED)`;
  }

  /** A row's hash: the first 15 hex digits of the MD5 of its digest text, as an unsigned integer. */
  rowHash(parts: readonly string[]): string {
    const text =
      parts.length === 0
        ? "''"
        : `CONCAT_WS(CHAR(31), ${parts.map((part) => `COALESCE(${part}, CHAR(30))`).join(', ')})`;
    return `CAST(CONV(LEFT(MD5(${text}), 15), 16, 10) AS UNSIGNED)`;
  }

  /** The server's text of a number or date, as a binary string. */
  #chars(sql: string): string {
    return `CAST(${sql} AS BINARY)`;
  }

  #number(sql: string, info: ColumnInfo): string | undefined {
    if (info.kind === 'integer') return this.#text(sql, info);
    if (info.kind !== 'decimal') return undefined;
    const text = this.#chars(sql);
    // Trailing fraction zeros go, then a bare point; any zero (also `-0.00`) is `0`.
    const trimmed = `TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${text}))`;
    return `CASE WHEN ${sql} = 0 THEN '0' WHEN LOCATE('.', ${text}) = 0 THEN ${text} ELSE ${trimmed} END`;
  }

  #boolean(sql: string, info: ColumnInfo): string | undefined {
    switch (info.kind) {
      case 'boolean':
        return `CASE WHEN ${sql} <> 0 THEN '1' WHEN ${sql} = 0 THEN '0' END`;
      case 'integer':
        if (isYear(info)) return undefined;
        return `CASE WHEN ${sql} = 1 THEN '1' WHEN ${sql} = 0 THEN '0' ELSE CONCAT(CHAR(1), ${this.#chars(sql)}) END`;
      case 'decimal': {
        // A decimal's text holds no whitespace: it is a word only as `1` or `0` (DECIMAL(p,0)).
        const text = this.#chars(sql);
        return `CASE WHEN ${text} = '1' THEN '1' WHEN ${text} = '0' THEN '0' ELSE CONCAT(CHAR(1), ${text}) END`;
      }
      default:
        return undefined;
    }
  }

  /**
   * `wall` or `instant` of a DATETIME or TIMESTAMP, `minutes` ahead of UTC: zero dates, zero
   * months or days, and days past the month's end (ALLOW_INVALID_DATES) are malformed.
   */
  #timestamp(sql: string, info: ColumnInfo, minutes: number): string {
    const value = minutes === 0 ? sql : `(${sql} - INTERVAL ${this.param(minutes)} MINUTE)`;
    const isReal = `DAYOFMONTH(${sql}) BETWEEN 1 AND DAYOFMONTH(LAST_DAY(${sql}))`;
    const formatted = `DATE_FORMAT(${value}, ${this.param(TIMESTAMP_FORMAT)})`;
    return `CASE WHEN ${isReal} THEN ${formatted} ELSE CONCAT(CHAR(1), ${this.#text(sql, info) ?? "''"}) END`;
  }
}

function isDateTime(info: ColumnInfo): boolean {
  return info.kind === 'timestamp' || info.kind === 'timestamptz';
}

function isYear(info: ColumnInfo): boolean {
  return info.nativeType.startsWith('year');
}
