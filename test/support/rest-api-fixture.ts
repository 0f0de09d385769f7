import type { SourceSpec, TargetSpec } from '../../src/core/connector.js';
import { silentLogger } from '../../src/core/logger.js';
import { restConfigSchema } from '../../src/connectors/rest/rest-config.js';
import { RestConnector } from '../../src/connectors/rest/rest-connector.js';
import { crmObjects, tick, type ApiState } from './rest-api-state.js';

/** A REST connector over a config entry (parsed as `connections:` would be). */
export function restConnector(entry: Record<string, unknown>, name = 'api'): RestConnector {
  return new RestConnector(restConfigSchema.parse({ type: 'rest', ...entry }), {
    name,
    logger: silentLogger,
  });
}

/** The `objects:` entries that describe the test API's routes to the connector. */
export const TEST_API_OBJECTS = {
  deals: {
    path: '/crm/v3/objects/deals',
    list: {
      query: { properties: 'dealname,amount,crm_id' },
      records: 'results',
      pagination: { style: 'cursor', param: 'after', next: 'paging.next.after' },
      pageSize: { param: 'limit', value: 10 },
    },
    get: { path: '/crm/v3/objects/deals/{key}', query: { properties: 'dealname,amount,crm_id' } },
    fields: { dealname: 'properties.dealname', amount: 'properties.amount', crm_id: 'properties.crm_id' },
    write: {
      mode: 'batch',
      upsert: { method: 'POST', path: '/crm/v3/objects/deals/batch/upsert' },
      records: 'inputs',
      record: { id: '{key}', idProperty: 'crm_id' },
      size: 10,
      results: { path: 'results', key: 'properties.crm_id', id: 'id', created: 'new' },
      errors: { path: 'errors', key: 'context.ids', message: 'message', field: 'errors[0].in' },
    },
  },
  issues: {
    path: '/repos/acme/shop/issues',
    list: {
      query: { state: 'all', sort: 'updated', direction: 'asc' },
      pagination: { style: 'link' },
      pageSize: { param: 'per_page', value: 7 },
      since: { param: 'since' },
      order: 'cursor',
    },
  },
  products: {
    path: '/api/products',
    list: {
      records: 'data.items',
      pagination: { style: 'offset', param: 'offset' },
      pageSize: { param: 'limit', value: 4 },
      since: { param: 'modified_since' },
    },
    get: { path: '/api/products/{key}' },
    write: {
      mode: 'single',
      upsert: { method: 'PUT', path: '/api/products/{key}' },
      delete: { method: 'DELETE', path: '/api/products/{key}' },
    },
  },
  stock: {
    path: '/api/products',
    list: {
      records: 'data.items',
      pagination: { style: 'page', param: 'page', first: 1 },
      pageSize: { param: 'per_page', value: 3 },
    },
  },
  orders: {
    path: '/api/orders',
    write: { mode: 'single', upsert: { method: 'POST', path: '/api/orders' }, id: 'id' },
  },
} as const;

/** A source spec of the test API. */
export function sourceSpec(
  table: string,
  key: string,
  cursor: string,
  columns: readonly string[],
  batchSize = 5,
): SourceSpec {
  return {
    flow: table,
    table,
    key,
    cursor,
    deleted: undefined,
    columns: [...new Set([key, cursor, ...columns])],
    batchSize,
    lookback: 0,
    lookbackAppliesTo: 'time',
  };
}

/** A target spec of the test API. */
export function targetSpec(table: string, key: string, columns: readonly string[]): TargetSpec {
  return { flow: table, table, key, columns: [key, ...columns], types: {}, onDelete: { mode: 'hard' } };
}

/** `count` HubSpot deals `D1…`, each with a `crm_id` property. */
export function seedDeals(state: ApiState, count: number): void {
  const deals = crmObjects(state, 'deals');
  for (let number = 1; number <= count; number += 1) {
    const id = String((state.nextId += 1));
    const at = tick(state);
    deals.set(id, {
      id,
      properties: {
        dealname: `Deal ${number}`,
        amount: `${number}00.50`,
        crm_id: `D${number}`,
        hs_object_id: id,
        createdate: at,
        hs_lastmodifieddate: at,
      },
      createdAt: at,
      updatedAt: at,
      archived: false,
    });
  }
}

/** `count` GitHub issues, `perSecond` of them sharing each `updated_at` second, from `start`. */
export function seedIssues(
  state: ApiState,
  count: number,
  start = Date.parse('2026-12-01T08:00:00Z'),
  perSecond = 3,
): void {
  for (let index = 0; index < count; index += 1) {
    const number = state.issues.length + 1;
    const at = new Date(start + Math.floor(index / perSecond) * 1_000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    state.issues.push({
      id: 5_000 + number,
      number,
      title: `Issue ${number}`,
      state: number % 4 === 0 ? 'closed' : 'open',
      updated_at: at,
    });
  }
}

/** `count` products `SKU-001…`. */
export function seedProducts(state: ApiState, count: number): void {
  for (let index = 1; index <= count; index += 1) {
    const sku = `SKU-${String(index).padStart(3, '0')}`;
    state.products.set(sku, {
      sku,
      name: `Product ${index}`,
      price: `${index}.25`,
      stock: index * 10,
      updated: tick(state),
    });
  }
}
