import { ConnectorError } from '../../core/errors.js';
import type { RestClient } from './rest-client.js';
import { getJsonPath } from './rest-json-path.js';
import type { RestListConfig } from './rest-object-config.js';
import type { RestResponse } from './rest-transport.js';

/** One page of a list: its records and the whole body. */
export interface RestPage {
  readonly records: readonly unknown[];
  readonly body: unknown;
}

/** The URL of the `rel="next"` link of a `Link` header (RFC 8288), if any. */
export function nextLink(header: string | undefined, base: URL): URL | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match === null) continue;
    const params = match[2] ?? '';
    if (/;\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?/i.test(params))
      return new URL(match[1] ?? '', base);
  }
  return undefined;
}

/** The records of a list answer, at the configured JSON path; an answer without them is the API's fault. */
export function recordsOf(
  response: RestResponse,
  list: RestListConfig,
  connection: string,
): readonly unknown[] {
  const body = response.json();
  const records = getJsonPath(body, list.records);
  if (Array.isArray(records)) return records;
  throw new ConnectorError(
    'CONNECTOR_QUERY_FAILED',
    `${response.label} at connection "${connection}" answered without an array of records at ${list.records === '' ? 'the top of the body' : `"${list.records}"`} (list.records)`,
    { retryable: false },
  );
}

/**
 * Every page of a list, following the configured pagination: page numbers and offsets until a
 * short page, a body token sent back as a query parameter until it is absent, or the `Link`
 * header's next URL. Pages are requested one at a time, as the reader asks for them, `maxPages` at most.
 */
export async function* listPages(
  client: RestClient,
  list: RestListConfig,
  path: string,
  query: Readonly<Record<string, string>>,
  signal: AbortSignal,
  maxPages = Number.POSITIVE_INFINITY,
): AsyncGenerator<RestPage> {
  const pageSize = list.pageSize;
  const baseQuery = {
    ...list.query,
    ...query,
    ...(pageSize === undefined ? {} : { [pageSize.param]: String(pageSize.value) }),
  };
  const pagination = list.pagination;
  let next: { query: Record<string, string> } | { url: URL } | undefined = {
    query: {
      ...baseQuery,
      ...(pagination.style === 'page' ? { [pagination.param]: String(pagination.first) } : {}),
      ...(pagination.style === 'offset' ? { [pagination.param]: '0' } : {}),
    },
  };
  let read = 0;
  let pageNumber = pagination.style === 'page' ? pagination.first : 0;
  const seenTokens = new Set<string>();
  for (let pages = 0; next !== undefined && pages < maxPages; pages += 1) {
    signal.throwIfAborted();
    const response = await client.sendOk(
      'url' in next ? { method: 'GET', path: next.url } : { method: 'GET', path, query: next.query },
      signal,
    );
    const records = recordsOf(response, list, client.transport.connection);
    yield { records, body: response.json() };
    read += records.length;
    const isShort = records.length === 0 || (pageSize !== undefined && records.length < pageSize.value);
    next = undefined;
    if (pagination.style === 'page' && !isShort) {
      pageNumber += 1;
      next = { query: { ...baseQuery, [pagination.param]: String(pageNumber) } };
    } else if (pagination.style === 'offset' && !isShort) {
      next = { query: { ...baseQuery, [pagination.param]: String(read) } };
    } else if (pagination.style === 'cursor') {
      const token = getJsonPath(response.json(), pagination.next);
      if ((typeof token === 'string' && token !== '') || typeof token === 'number') {
        // A token seen before would loop for ever: the API's bug, stop with a clear error.
        if (seenTokens.has(String(token)))
          throw new ConnectorError(
            'CONNECTOR_QUERY_FAILED',
            `${response.label} at connection "${client.transport.connection}" returned the page token ${JSON.stringify(token)} twice; stopped instead of looping`,
            { retryable: false },
          );
        seenTokens.add(String(token));
        next = { query: { ...baseQuery, [pagination.param]: String(token) } };
      }
    } else if (pagination.style === 'link') {
      const url = nextLink(response.header('link'), client.url(path));
      if (url !== undefined) next = { url };
    }
  }
}
