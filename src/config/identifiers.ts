/**
 * One part of an identifier from config: a letter (any script) or `_`, then letters, digits, `_`
 * or `$`. Anything else — quotes, spaces, semicolons, comments — is refused before any SQL runs
 * (DESIGN invariant 6); identifiers are then quoted by each connector's dialect as well.
 */
const IDENTIFIER_PART = /^[\p{L}_][\p{L}\p{N}_$]*$/u;

/** The longest identifier part any supported database accepts (PostgreSQL: 63 bytes). */
export const MAX_IDENTIFIER_LENGTH = 63;

/** Whether `name` is a plain identifier, optionally qualified by one schema (`sales.accounts`). */
export function isPlainIdentifier(name: string, options: { qualified?: boolean } = {}): boolean {
  const parts = name.split('.');
  if (parts.length > (options.qualified === true ? 2 : 1)) return false;
  return parts.every(
    (part) => IDENTIFIER_PART.test(part) && Buffer.byteLength(part) <= MAX_IDENTIFIER_LENGTH,
  );
}

/** Why `name` is not a plain identifier, for error messages. */
export function describeIdentifierRule(options: { qualified?: boolean } = {}): string {
  return `must be a plain name: a letter or "_", then letters, digits, "_" or "$", at most ${MAX_IDENTIFIER_LENGTH} bytes${
    options.qualified === true ? ', optionally qualified as schema.table' : ''
  }`;
}

/**
 * Why a SQL database (`system`: PostgreSQL, MySQL, SQLite) cannot take `name` as a table name from
 * config, or undefined when it can: the plain-identifier rule, schema qualification allowed. The
 * SQL connectors' `checkObjectName`.
 */
export function sqlTableNameProblem(name: string, system: string): string | undefined {
  if (isPlainIdentifier(name, { qualified: true })) return undefined;
  return `${JSON.stringify(name)} is not a ${system} table name Syncline accepts: it ${describeIdentifierRule({ qualified: true })}`;
}

/** Like sqlTableNameProblem, for a column name (`checkFieldName`): plain, no dotted path. */
export function sqlColumnNameProblem(name: string, system: string): string | undefined {
  if (isPlainIdentifier(name)) return undefined;
  return `${JSON.stringify(name)} is not a ${system} column name Syncline accepts: it ${describeIdentifierRule()}`;
}
