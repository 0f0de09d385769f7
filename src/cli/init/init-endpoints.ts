import type { ConnectionEntryProposal } from '../../core/connector.js';
import type { ConnectionLine, EnvVariable } from './init-yaml.js';
import { yamlText } from './init-yaml.js';

/** One side of `syncline init --from … --to …`: how to connect now, and what to write. */
export interface InitEndpoint {
  /** The connection's name in the written file. */
  readonly name: string;
  /** The `connections:` entry to create the connector with now (the real URL, kept in memory only). */
  readonly entry: Readonly<Record<string, unknown>>;
  /** The entry as written: the URL as an `${ENV}` reference, never the password. */
  readonly line: ConnectionLine;
  /** The environment variable the written entry reads, if any. */
  readonly env?: EnvVariable;
}

/** A `--from`/`--to` value that is not a database URL or SQLite file, with what was expected. */
export class EndpointError extends Error {}

/** Whether a `--from`/`--to` value is a connection name (`crm`) rather than a URL or a file. */
export function isConnectionName(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_-]*$/.test(value);
}

/** `CRM_DATABASE_URL` for connection `crm`, `ERP_PROD_DATABASE_URL` for `erp-prod`. */
export function envVariableName(connection: string): string {
  return `${connection.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_DATABASE_URL`;
}

/** A URL fit to print: password and secret-looking query parameters replaced by `***`. */
export function maskedUrl(url: URL): string {
  const masked = new URL(url.href);
  if (masked.password !== '') masked.password = '***';
  for (const key of [...masked.searchParams.keys()]) {
    if (/pass|secret|token|key/i.test(key)) masked.searchParams.set(key, '***');
  }
  return masked.href.replace('%2A%2A%2A', '***');
}

/** What a connector proposes for a URL or file: `proposeConnectionEntry` of the connector registry. */
export type EntryProposer = (location: string) => ConnectionEntryProposal | undefined;

/** A location fit for an error message: a URL's password masked, anything else as given. */
function shown(location: string): string {
  try {
    return maskedUrl(new URL(location));
  } catch {
    return location.replace(/:[^:@/]*@/, ':***@');
  }
}

/**
 * Reads a `--from`/`--to` value through the connectors' `entryFor` (`propose`): a database URL,
 * whose secret key is written as `${<NAME>_DATABASE_URL}`, or a file (SQLite), written as given.
 */
export function parseEndpoint(location: string, name: string, propose: EntryProposer): InitEndpoint {
  if (!isConnectionName(name)) {
    throw new EndpointError(
      `connection name ${JSON.stringify(name)}: a name starts with a letter and holds letters, digits, _ and -`,
    );
  }
  const proposal = propose(location);
  if (proposal === undefined) {
    throw new EndpointError(
      `no connector takes ${JSON.stringify(shown(location))}: give a database URL ` +
        '(postgres://user:password@host:5432/database, mysql://user:password@host:3306/database), ' +
        'a SQLite file (sqlite:path), or the name of a connection in the config file',
    );
  }
  const variable = proposal.secretKey === undefined ? undefined : envVariableName(name);
  const written = Object.entries(proposal.entry).map(
    ([key, value]) => `${key}: ${key === proposal.secretKey ? `\${${variable}}` : yamlText(value)}`,
  );
  const secret = proposal.secretKey === undefined ? undefined : proposal.entry[proposal.secretKey];
  return {
    name,
    entry: proposal.entry,
    line: { name, entry: `{ ${written.join(', ')} }` },
    ...(variable === undefined || secret === undefined
      ? {}
      : { env: { name: variable, example: shown(secret) } }),
  };
}
