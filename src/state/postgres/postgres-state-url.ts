import { StateStoreError } from '../../core/errors.js';
import { redactUrl } from '../../config/secret.js';

/** The default schema of the PostgreSQL state store. */
export const DEFAULT_STATE_SCHEMA = 'public';

/** A `state:` URL of the PostgreSQL store, taken apart. */
export interface PostgresStateUrl {
  /** What pg connects with: the URL without `schema` (and without `options`, sent apart). */
  readonly connectionString: string;
  /** The schema holding the store's tables (`?schema=`, default `public`). */
  readonly schema: string;
  /** Session options for pg: the URL's own `options`, then the store's search_path and UTC settings. */
  readonly options: string;
  /** The URL with its password masked, for messages. */
  readonly display: string;
  /** The URL's passwords (decoded), for masking should the driver echo them. */
  readonly secrets: readonly string[];
}

/** The URL for messages: its password masked, whether after the user or as a `password` parameter. */
function displayUrl(url: URL): string {
  const shown = new URL(url.toString());
  if (shown.searchParams.has('password')) shown.searchParams.set('password', '***');
  return redactUrl(shown.toString()).replace('password=%2A%2A%2A', 'password=***');
}

/** PostgreSQL's identifier limit (NAMEDATALEN − 1), in bytes. */
const MAX_IDENTIFIER_BYTES = 63;

/** An identifier as PostgreSQL reads it quoted: `"a""b"`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Takes a `postgres://` or `postgresql://` URL apart: strips its `schema` query parameter (pg
 * does not know it) and builds the session options every pooled connection starts with: the
 * schema first on the search_path, timestamps printed in UTC ISO form.
 */
export function parsePostgresStateUrl(url: string): PostgresStateUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StateStoreError(`State store ${redactUrl(url)}: not a valid postgres:// URL`, {
      retryable: false,
    });
  }
  const display = displayUrl(parsed);
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StateStoreError(`State store ${display}: expected a postgres:// or postgresql:// URL`, {
      retryable: false,
    });
  }
  const schema = parsed.searchParams.get('schema') ?? DEFAULT_STATE_SCHEMA;
  if (schema === '' || Buffer.byteLength(schema) > MAX_IDENTIFIER_BYTES || schema.includes('\0')) {
    throw new StateStoreError(
      `State store ${display}: schema "${schema}" is not a PostgreSQL identifier (1 to ${MAX_IDENTIFIER_BYTES} bytes)`,
      { retryable: false },
    );
  }
  const urlOptions = parsed.searchParams.get('options');
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('options');
  // libpq's options are split on spaces, a backslash escaping the next character.
  const searchPath = quoteIdentifier(schema).replace(/[\\ ]/g, '\\$&');
  const options = [
    ...(urlOptions === null ? [] : [urlOptions]),
    `-c search_path=${searchPath}`,
    '-c TimeZone=UTC',
    '-c DateStyle=ISO,YMD',
  ].join(' ');
  const secrets = [
    ...(parsed.password === '' ? [] : [decodeURIComponent(parsed.password)]),
    ...parsed.searchParams.getAll('password'),
  ];
  return { connectionString: parsed.toString(), schema, options, display, secrets };
}
