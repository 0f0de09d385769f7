import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RestApiServer } from '../support/rest-api-server.js';
import { crmObjects, tick } from '../support/rest-api-state.js';
import { seedDeals, seedIssues, seedProducts } from '../support/rest-api-fixture.js';
import { RestFlowWorkspace } from '../support/rest-flow-workspace.js';
import { runCli } from '../support/cli.js';

// REST sources end to end through the engine: the test API (HubSpot deals by body token, GitHub
// issues by Link header, products by offset and by page) into SQLite, with an OAuth2 token that
// expires between cycles and a burst of 5xx answers. Both sides are compared: count and content.

const SCHEMA = `
  CREATE TABLE deals (hs_id TEXT PRIMARY KEY, crm_id TEXT, name TEXT, amount TEXT);
  CREATE TABLE issues (number INTEGER PRIMARY KEY, title TEXT, state TEXT);
  CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT, price TEXT);
  CREATE TABLE stock (sku TEXT PRIMARY KEY, qty INTEGER);
`;

const FLOWS = `  deals:
    source: { connection: api, table: deals, key: id, cursor: updatedAt }
    target: { connection: db, table: deals, key: hs_id }
    fields: { crm_id: crm_id, name: dealname, amount: amount }
    retry: { attempts: 5, initialDelay: 50ms, maxDelay: 200ms }
  issues:
    source: { connection: api, table: issues, key: number, cursor: updated_at, lookback: 0 }
    target: { connection: db, table: issues, key: number }
    fields: { title: title, state: state }
    retry: { attempts: 5, initialDelay: 50ms, maxDelay: 200ms }
  products:
    source: { connection: api, table: products, key: sku, cursor: updated }
    target: { connection: db, table: products, key: sku }
    fields: { name: name, price: price }
  stock:
    source: { connection: api, table: stock, key: sku, cursor: updated }
    target: { connection: db, table: stock, key: sku }
    fields: { qty: stock }
`;

let api: RestApiServer;
let workspace: RestFlowWorkspace;

beforeEach(async () => {
  api = new RestApiServer({ mode: 'oauth' });
  await api.listen();
  workspace = new RestFlowWorkspace(SCHEMA);
  workspace.writeConfig(api, FLOWS);
});

afterEach(async () => {
  await workspace.close();
  await api.close();
});

describe('REST source → SQLite through the engine', () => {
  it('syncs HubSpot deals paged by body token, then only what changed, after a token expired (401 → refresh)', async () => {
    seedDeals(api.state, 23);
    expect((await workspace.cycle('deals')).status).toBe('succeeded');
    const deals = [...crmObjects(api.state, 'deals').values()];
    expect(workspace.rows('SELECT hs_id, crm_id, name, amount FROM deals ORDER BY crm_id')).toEqual(
      deals
        .map((deal) => ({
          hs_id: deal.id,
          crm_id: deal.properties.crm_id,
          name: deal.properties.dealname,
          amount: deal.properties.amount,
        }))
        .sort((a, b) => String(a.crm_id).localeCompare(String(b.crm_id))),
    );

    const edited = deals[4];
    if (edited !== undefined) {
      edited.properties.amount = '999.99';
      edited.updatedAt = tick(api.state);
    }
    api.expireTokens();
    const second = await workspace.cycle('deals');
    expect(second.status).toBe('succeeded');
    expect(second.counts.written).toBe(1);
    expect(api.requests.filter((request) => request.status === 401)).toHaveLength(1);
    expect(api.tokenRequests).toBe(2);
    expect(workspace.rows('SELECT count(*) AS n FROM deals')).toEqual([{ n: 23 }]);
    expect(workspace.rows(`SELECT amount FROM deals WHERE hs_id = '${edited?.id ?? ''}'`)).toEqual([
      { amount: '999.99' },
    ]);
  });

  it('syncs GitHub issues paged by the Link header through a burst of 503s, losing and doubling nothing', async () => {
    seedIssues(api.state, 20);
    api.faults.push({ status: 503, times: 3, method: 'GET', pathPrefix: '/repos/' });
    const first = await workspace.cycle('issues');
    expect(first.status).toBe('succeeded');
    expect(api.requests.filter((request) => request.status === 503)).toHaveLength(3);
    expect(workspace.rows('SELECT number, title, state FROM issues ORDER BY number')).toEqual(
      api.state.issues.map((issue) => ({ number: issue.number, title: issue.title, state: issue.state })),
    );
    // An issue edited in the same second as the checkpoint's (GitHub's timestamps have seconds only).
    const late = api.state.issues[0];
    if (late !== undefined) {
      late.title = 'Edited late';
      late.updated_at = api.state.issues[19]?.updated_at ?? '';
    }
    const second = await workspace.cycle('issues');
    expect(second.counts.written).toBe(1);
    expect(workspace.rows('SELECT count(*) AS n FROM issues')).toEqual([{ n: 20 }]);
    expect(workspace.rows('SELECT title FROM issues WHERE number = 1')).toEqual([{ title: 'Edited late' }]);
  });

  it('reads a source again no sooner than its 429 Retry-After asked', async () => {
    seedIssues(api.state, 5);
    api.faults.push({ status: 429, retryAfter: '1', times: 1, method: 'GET', pathPrefix: '/repos/' });
    expect((await workspace.cycle('issues')).status).toBe('succeeded');
    const [throttled, retried] = api.seen('GET', '/repos/');
    expect(throttled?.status).toBe(429);
    expect(retried?.status).toBe(200);
    expect((retried?.at ?? 0) - (throttled?.at ?? 0)).toBeGreaterThanOrEqual(990);
    expect(workspace.rows('SELECT count(*) AS n FROM issues')).toEqual([{ n: 5 }]);
  });

  it('syncs products paged by offset with a modified-since filter, and by page number', async () => {
    seedProducts(api.state, 10);
    expect((await workspace.cycle('products')).counts.written).toBe(10);
    expect((await workspace.cycle('stock')).counts.written).toBe(10);
    expect(workspace.rows('SELECT sku, name, price FROM products ORDER BY sku')).toEqual(
      [...api.state.products.values()].map((product) => ({
        sku: product.sku,
        name: product.name,
        price: product.price,
      })),
    );
    expect(workspace.rows('SELECT sum(qty) AS total FROM stock')).toEqual([{ total: 550 }]);
    const product = api.state.products.get('SKU-007');
    if (product !== undefined) Object.assign(product, { price: '70.00', updated: tick(api.state) });
    expect((await workspace.cycle('products')).counts.written).toBe(1);
    expect(api.seen('GET', '/api/products').at(-1)?.query.get('modified_since')).not.toBeNull();
    expect(workspace.rows("SELECT price FROM products WHERE sku = 'SKU-007'")).toEqual([{ price: '70.00' }]);
  });

  it('runs with `syncline run --once`', async () => {
    seedDeals(api.state, 12);
    seedIssues(api.state, 5);
    seedProducts(api.state, 3);
    const result = await runCli(['run', '--once', '--config', workspace.configPath], { cwd: workspace.dir });
    expect(result.stderr).not.toMatch(/ERROR|WARN/);
    expect(result.stderr).toContain('cycle succeeded');
    expect(result.code).toBe(0);
    expect(workspace.rows('SELECT count(*) AS n FROM deals')).toEqual([{ n: 12 }]);
    expect(workspace.rows('SELECT count(*) AS n FROM issues')).toEqual([{ n: 5 }]);
    expect(workspace.rows('SELECT count(*) AS n FROM stock')).toEqual([{ n: 3 }]);
  });
});
