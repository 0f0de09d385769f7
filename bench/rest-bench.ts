/**
 * REST source read rate (`npx tsx bench/rest-bench.ts`; not part of `npm run bench` yet): the test
 * API of test/support (HubSpot-style deals paged by body token, GitHub-style issues paged by the
 * Link header, products paged by offset) with BENCH_REST_ROWS records each (default 20,000),
 * read through the REST connector 100 records a page, then one engine cycle of the deals into a
 * SQLite file. Prints records per second for each; the API runs in the same process, so the
 * numbers are the connector's and the engine's cost plus loopback HTTP, not a vendor's latency (the
 * test API's own sorting weighs on the issues, which it sorts by time for every page).
 */
import type { SourceSpec } from '../src/core/connector.js';
import { RestApiServer } from '../test/support/rest-api-server.js';
import {
  TEST_API_OBJECTS,
  restConnector,
  seedDeals,
  seedIssues,
  seedProducts,
  sourceSpec,
} from '../test/support/rest-api-fixture.js';
import { RestFlowWorkspace } from '../test/support/rest-flow-workspace.js';

const rows = Number((process.env.BENCH_REST_ROWS ?? '20000').replace(/[_,]/g, ''));
if (!Number.isSafeInteger(rows) || rows < 1)
  throw new Error('BENCH_REST_ROWS must be a positive whole number');

const objects = {
  ...TEST_API_OBJECTS,
  deals: {
    ...TEST_API_OBJECTS.deals,
    list: { ...TEST_API_OBJECTS.deals.list, pageSize: { param: 'limit', value: 100 } },
  },
  issues: {
    ...TEST_API_OBJECTS.issues,
    list: { ...TEST_API_OBJECTS.issues.list, pageSize: { param: 'per_page', value: 100 } },
  },
  products: {
    ...TEST_API_OBJECTS.products,
    list: { ...TEST_API_OBJECTS.products.list, pageSize: { param: 'limit', value: 100 } },
  },
};

async function measure(api: RestApiServer, name: string, source: SourceSpec): Promise<void> {
  const connector = restConnector({ url: api.url, auth: { type: 'bearer', token: 'test-token' }, objects });
  const started = performance.now();
  let read = 0;
  for await (const batch of connector.readChanges(source, undefined, new AbortController().signal))
    read += batch.changes.length;
  const seconds = (performance.now() - started) / 1_000;
  await connector.close();
  if (read !== rows) throw new Error(`${name}: read ${read} records, expected ${rows}`);
  process.stdout.write(
    `${name.padEnd(32)} ${String(read).padStart(8)} records  ${(read / seconds).toFixed(0).padStart(8)} records/s\n`,
  );
}

const api = new RestApiServer();
await api.listen();
seedDeals(api.state, rows);
seedIssues(api.state, rows);
seedProducts(api.state, rows);
process.stdout.write(`REST source bench, ${rows} records per object, 100 per page\n`);
await measure(
  api,
  'deals (body token)',
  sourceSpec('deals', 'id', 'updatedAt', ['dealname', 'amount', 'crm_id'], 1_000),
);
await measure(
  api,
  'issues (Link header)',
  sourceSpec('issues', 'number', 'updated_at', ['title', 'state'], 1_000),
);
await measure(api, 'products (offset)', sourceSpec('products', 'sku', 'updated', ['name', 'price'], 1_000));

const workspace = new RestFlowWorkspace(
  'CREATE TABLE deals (hs_id TEXT PRIMARY KEY, crm_id TEXT, name TEXT, amount TEXT);',
);
workspace.writeConfig(
  api,
  `  deals:\n    source: { connection: api, table: deals, key: id, cursor: updatedAt }\n    target: { connection: db, table: deals, key: hs_id }\n    batch: 1000\n    fields: { crm_id: crm_id, name: dealname, amount: amount }\n`,
  { auth: { type: 'bearer', token: 'test-token' }, objects },
);
const started = performance.now();
const result = await workspace.cycle('deals');
const seconds = (performance.now() - started) / 1_000;
if (result.counts.written !== rows)
  throw new Error(`engine cycle wrote ${result.counts.written} records, expected ${rows}`);
process.stdout.write(
  `${'deals → SQLite (one cycle)'.padEnd(32)} ${String(rows).padStart(8)} records  ${(rows / seconds).toFixed(0).padStart(8)} records/s\n`,
);
await workspace.close();
await api.close();
