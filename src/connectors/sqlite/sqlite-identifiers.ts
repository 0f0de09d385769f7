import { isPlainIdentifier } from '../../config/identifiers.js';
import { ConnectorError } from '../../core/errors.js';

/** A plain name: a letter or `_`, then letters, digits, `_` or `$` (Unicode letters allowed). */

/** A table name split into its optional schema (an attached database, e.g. `main`) and its name. */
export interface TableName {
  readonly schema: string;
  readonly name: string;
}

function invalid(what: string, identifier: string, flow: string | undefined): ConnectorError {
  const where = flow === undefined ? '' : `Flow "${flow}": `;
  return new ConnectorError(
    'CONFIG_INVALID',
    `${where}${JSON.stringify(identifier)} is not a plain ${what} name (a letter or _, then letters, digits, _ and $${
      what === 'table' ? ', optionally qualified as schema.table' : ''
    }); nothing was sent to the database`,
    flow === undefined ? {} : { flow },
  );
}

/** The same rule as the config's, so a name `syncline validate` accepts is never refused here. */
function isPlainName(identifier: string): boolean {
  return isPlainIdentifier(identifier);
}

/** Throws a non-retryable ConnectorError naming `identifier` unless it is a plain column name. */
export function assertColumnName(identifier: string, flow?: string): void {
  if (!isPlainName(identifier)) throw invalid('column', identifier, flow);
}

/** Validates a table name, plain or `schema.table`, and splits it; throws before any SQL runs. */
export function parseTableName(identifier: string, flow?: string): TableName {
  const parts = identifier.split('.');
  if (parts.length > 2 || !parts.every(isPlainName)) throw invalid('table', identifier, flow);
  const [first, second] = parts as [string, string | undefined];
  return second === undefined ? { schema: 'main', name: first } : { schema: first, name: second };
}

/** Quotes a validated identifier in double quotes (a quote inside is doubled). */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** Quotes a validated table name, schema included. */
export function quoteTable(table: TableName): string {
  return `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
}
