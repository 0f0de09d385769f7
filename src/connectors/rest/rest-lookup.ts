import type { Change, SourceSpec } from '../../core/connector.js';
import { rowsToChanges } from '../../core/keyset-reader.js';
import { valueText, type Row } from '../../core/values.js';
import type { RestClient } from './rest-client.js';
import { fillTemplate, getJsonPath } from './rest-json-path.js';
import type { RestObject } from './rest-objects.js';
import { listPages } from './rest-pagination.js';
import { recordToRow } from './rest-reader.js';

/** Keys per list request when reading by a key filter (`get.param`). */
const KEYS_PER_REQUEST = 50;

/**
 * Source records by key (manual resync, dead-letter replay): one GET per key on `get.path`
 * (404 = absent), or the list filtered by `get.param` with several keys at a time, or, without
 * `get`, the whole list scanned for the keys. Missing keys are simply absent.
 */
export async function readRestByKeys(
  client: RestClient,
  object: RestObject,
  source: SourceSpec,
  keys: readonly string[],
  signal: AbortSignal,
): Promise<Change[]> {
  const wanted = new Set(keys);
  const rows: Row[] = [];
  const get = object.get;
  if (get !== undefined && 'path' in get) {
    for (const key of wanted) {
      const response = await client.send(
        {
          method: 'GET',
          path: fillTemplate(get.path, { key }, encodeURIComponent),
          ...(get.query === undefined ? {} : { query: get.query }),
        },
        signal,
      );
      if (response.status === 404) continue;
      if (response.status < 200 || response.status >= 300) throw client.transport.statusError(response);
      rows.push(recordToRow(getJsonPath(response.json(), get.record), source, object));
    }
    return rowsToChanges(source, rows);
  }
  const path = object.list.path ?? object.path;
  const batches: (Record<string, string> | undefined)[] = [];
  if (get === undefined) batches.push(undefined);
  else {
    const all = [...wanted];
    for (let at = 0; at < all.length; at += KEYS_PER_REQUEST)
      batches.push({ [get.param]: all.slice(at, at + KEYS_PER_REQUEST).join(get.separator) });
  }
  for (const query of batches) {
    for await (const page of listPages(client, object.list, path, query ?? {}, signal)) {
      for (const record of page.records) {
        const row = recordToRow(record, source, object);
        if (wanted.has(valueText(row[source.key]))) rows.push(row);
      }
    }
  }
  return rowsToChanges(source, rows);
}
