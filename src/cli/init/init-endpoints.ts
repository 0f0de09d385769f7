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

const TYPE_BY_SCHEME: Readonly<Record<string, string>> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

const SQLITE_FILE = /\.(db|sqlite|sqlite3)$/i;

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

/**
 * Reads a `--from`/`--to` value: a `postgres://`, `postgresql://`, `mysql://` or `mariadb://` URL
 * (written as `${<NAME>_DATABASE_URL}`), or a SQLite file (`sqlite:path`, or a path ending in
 * `.db`, `.sqlite`, `.sqlite3`), written as given.
 */
export function parseEndpoint(value: string, name: string): InitEndpoint {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    throw new EndpointError(
      `connection name ${JSON.stringify(name)}: a name starts with a letter and holds letters, digits, _ and -`,
    );
  }
  const sqlitePath = value.startsWith('sqlite:') ? value.slice('sqlite:'.length) : undefined;
  if (sqlitePath !== undefined || SQLITE_FILE.test(value)) {
    // Relative paths resolve against the working directory (docs/config.md), as given here.
    const path = sqlitePath ?? value;
    return {
      name,
      entry: { type: 'sqlite', path },
      line: { name, entry: `{ type: sqlite, path: ${yamlText(path)} }` },
    };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EndpointError(
      `${JSON.stringify(value.replace(/:[^:@/]*@/, ':***@'))} is not a database URL: ` +
        'give postgres://user:password@host:5432/database, mysql://user:password@host:3306/database or a SQLite file (sqlite:path)',
    );
  }
  const type = TYPE_BY_SCHEME[url.protocol];
  if (type === undefined) {
    throw new EndpointError(
      `${url.protocol}// URLs are not supported by init: give a postgres://, mysql:// or mariadb:// URL, or a SQLite file (sqlite:path)`,
    );
  }
  const variable = envVariableName(name);
  return {
    name,
    entry: { type, url: value },
    line: { name, entry: `{ type: ${type}, url: \${${variable}} }` },
    env: { name: variable, example: maskedUrl(url) },
  };
}
