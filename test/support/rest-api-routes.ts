import type { RouteAnswer } from './rest-api-server.js';

// The routes of the test API, each following a vendor's published documentation:
// - /crm/v3/objects/{object}: HubSpot CRM API v3 "Objects" (developers.hubspot.com/docs/api/crm/objects):
//   list with `limit` (default 10, max 100), `after` and `properties`, answering
//   `{results, paging: {next: {after, link}}}` ordered by id, property values as strings,
//   `updatedAt` ISO 8601; GET by id with `idProperty`; POST …/batch/upsert with
//   `{inputs: [{id, idProperty, properties}]}` answering 200 `{status: "COMPLETE", results}` (each
//   result with `new`), or 207 Multi-Status with `errors: [{status, category, message,
//   context: {ids}, errors: [{message, code, in}]}]` for the inputs it refused, 400 when all fail.
// - /repos/{owner}/{repo}/issues: GitHub REST API "List repository issues"
//   (docs.github.com/en/rest/issues/issues): `since` (updated at or after), `sort=updated`,
//   `direction=asc`, `state=all`, `per_page` (default 30, max 100) and `page`, with the
//   `Link: <…>; rel="next", <…>; rel="last"` header (docs.github.com "Using pagination in the REST API");
//   `updated_at` to the second (`2026-12-03T09:00:00Z`), so many issues share one value.
// - /api/products and /api/orders: a plain resource API following RFC 9110 method semantics (PUT
//   creates → 201 or replaces → 200; DELETE → 204, or 404 when absent; POST to a collection
//   creates → 201) and RFC 9457 problem details for 422 (`detail`, `invalid-params[].name`);
//   lists by `offset`/`limit` or `page`/`per_page` with `modified_since`, answering
//   `{data: {items, total}}`.

export interface CrmRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  state: 'open' | 'closed';
  updated_at: string;
}

export interface Product {
  sku: string;
  name: string;
  price: string;
  stock: number;
  updated: string;
}

export interface ApiState {
  readonly crm: Map<string, Map<string, CrmRecord>>;
  readonly issues: Issue[];
  readonly products: Map<string, Product>;
  readonly orders: Record<string, unknown>[];
  nextId: number;
  /** The last timestamp handed out, epoch ms: each change gets a later one. */
  clock: number;
}

/** A timestamp later than every one before it, ISO 8601 with milliseconds. */
export function tick(state: ApiState): string {
  state.clock = Math.max(Date.now(), state.clock + 1);
  return new Date(state.clock).toISOString();
}

/** The records of a HubSpot object type, created on first use. */
export function crmObjects(state: ApiState, type: string): Map<string, CrmRecord> {
  let records = state.crm.get(type);
  if (records === undefined) {
    records = new Map();
    state.crm.set(type, records);
  }
  return records;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A JSON value as HubSpot stores a property: text. */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** HubSpot validates number properties; `amount` is one. */
function invalidProperty(properties: Record<string, unknown>): { name: string; message: string } | undefined {
  const amount = properties.amount;
  if (amount !== undefined && amount !== null && amount !== '' && !DECIMAL.test(text(amount)))
    return { name: 'amount', message: `${text(amount)} was not a valid number.` };
  return undefined;
}

export function handleCrmRoute(state: ApiState, method: string, url: URL, body: unknown): RouteAnswer | undefined {
  const match = /^\/crm\/v3\/objects\/([a-z_]+)(?:\/(batch\/upsert|[^/]+))?$/.exec(url.pathname);
  if (match === null) return undefined;
  const records = crmObjects(state, match[1] ?? '');
  const rest = match[2];
  if (method === 'GET' && rest === undefined) {
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 10));
    const after = Number(url.searchParams.get('after') ?? 0);
    const wanted = url.searchParams.get('properties')?.split(',');
    const sorted = [...records.values()].filter((record) => !record.archived && Number(record.id) > after).sort((a, b) => Number(a.id) - Number(b.id));
    const page = sorted.slice(0, limit);
    const last = page.at(-1);
    const next = sorted.length > limit && last !== undefined ? { next: { after: last.id, link: `${url.pathname}?after=${last.id}` } } : undefined;
    return { status: 200, body: { results: page.map((record) => view(record, wanted)), ...(next === undefined ? {} : { paging: next }) } };
  }
  if (method === 'GET' && rest !== undefined && rest !== 'batch/upsert') {
    const idProperty = url.searchParams.get('idProperty');
    const found = [...records.values()].find((record) => (idProperty === null ? record.id === rest : record.properties[idProperty] === rest));
    return found === undefined
      ? { status: 404, body: { status: 'error', message: 'Object not found.', category: 'OBJECT_NOT_FOUND' } }
      : { status: 200, body: view(found, url.searchParams.get('properties')?.split(',')) };
  }
  if (method === 'POST' && rest === 'batch/upsert') return batchUpsert(state, records, body);
  return { status: 405, body: { status: 'error', message: `${method} not allowed` } };
}

function view(record: CrmRecord, wanted: string[] | undefined): CrmRecord {
  if (wanted === undefined) return record;
  const always = ['hs_object_id', 'createdate', 'hs_lastmodifieddate'];
  const properties = Object.fromEntries(Object.entries(record.properties).filter(([name]) => wanted.includes(name) || always.includes(name)));
  return { ...record, properties };
}

function batchUpsert(state: ApiState, records: Map<string, CrmRecord>, body: unknown): RouteAnswer {
  const inputs = (body as { inputs?: { id?: unknown; idProperty?: unknown; properties?: Record<string, unknown> }[] }).inputs ?? [];
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const input of inputs) {
    const id = String(input.id);
    const idProperty = typeof input.idProperty === 'string' ? input.idProperty : undefined;
    const properties = input.properties ?? {};
    const invalid = invalidProperty(properties);
    if (invalid !== undefined || idProperty === undefined) {
      const message = invalid === undefined ? 'idProperty is required for upsert' : `Property values were not valid: ${invalid.message}`;
      errors.push({ status: 'error', category: 'VALIDATION_ERROR', message, context: { ids: [id] }, errors: [{ message: invalid?.message ?? message, code: 'INVALID_DOUBLE', in: invalid?.name ?? 'idProperty' }] });
      continue;
    }
    const now = tick(state);
    const existing = [...records.values()].find((record) => record.properties[idProperty] === id);
    const strings = Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, value === null ? null : text(value)]));
    if (existing === undefined) {
      const objectId = String((state.nextId += 1));
      const created: CrmRecord = { id: objectId, properties: { ...strings, [idProperty]: id, hs_object_id: objectId, createdate: now, hs_lastmodifieddate: now }, createdAt: now, updatedAt: now, archived: false };
      records.set(objectId, created);
      results.push({ ...created, new: true });
    } else {
      Object.assign(existing.properties, strings, { hs_lastmodifieddate: now });
      existing.updatedAt = now;
      results.push({ ...existing, new: false });
    }
  }
  const at = new Date(state.clock).toISOString();
  if (errors.length > 0 && results.length === 0)
    return { status: 400, body: { status: 'error', category: 'VALIDATION_ERROR', message: 'All inputs were invalid', errors } };
  return {
    status: errors.length > 0 ? 207 : 200,
    body: { status: 'COMPLETE', results, ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}), requestedAt: at, startedAt: at, completedAt: at },
  };
}

export function handleIssuesRoute(state: ApiState, method: string, url: URL, base: string): RouteAnswer | undefined {
  if (method !== 'GET' || !/^\/repos\/[\w.-]+\/[\w.-]+\/issues$/.test(url.pathname)) return undefined;
  const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
  const page = Number(url.searchParams.get('page') ?? 1);
  const since = url.searchParams.get('since');
  const stateFilter = url.searchParams.get('state') ?? 'open';
  const ascending = url.searchParams.get('direction') === 'asc';
  const byUpdated = url.searchParams.get('sort') === 'updated';
  const matching = state.issues
    .filter((issue) => (stateFilter === 'all' || issue.state === stateFilter) && (since === null || Date.parse(issue.updated_at) >= Date.parse(since)))
    .sort((a, b) => {
      const order = byUpdated ? Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.number - b.number : a.number - b.number;
      return ascending ? order : -order;
    });
  const lastPage = Math.max(1, Math.ceil(matching.length / perPage));
  const link = (number: number): string => {
    const next = new URL(url.pathname, base);
    for (const [name, value] of url.searchParams) next.searchParams.set(name, value);
    next.searchParams.set('page', String(number));
    return `<${next.href}>`;
  };
  const links = [...(page < lastPage ? [`${link(page + 1)}; rel="next"`, `${link(lastPage)}; rel="last"`] : []), ...(page > 1 ? [`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`] : [])];
  return {
    status: 200,
    body: matching.slice((page - 1) * perPage, page * perPage),
    ...(links.length === 0 ? {} : { headers: { link: links.join(', ') } }),
  };
}

export function handleProductsRoute(state: ApiState, method: string, url: URL, body: unknown): RouteAnswer | undefined {
  if (url.pathname === '/api/orders') {
    if (method === 'GET') return { status: 200, body: { data: { items: state.orders, total: state.orders.length } } };
    if (method === 'POST') {
      const order = { ...(body as Record<string, unknown>), id: String((state.nextId += 1)) };
      state.orders.push(order);
      return { status: 201, body: order };
    }
  }
  if (url.pathname === '/api/products' && method === 'GET') {
    const since = url.searchParams.get('modified_since');
    const items = [...state.products.values()].filter((product) => since === null || Date.parse(product.updated) >= Date.parse(since)).sort((a, b) => (a.sku < b.sku ? -1 : 1));
    const perPage = Number(url.searchParams.get('limit') ?? url.searchParams.get('per_page') ?? 20);
    const offset = url.searchParams.has('page') ? (Number(url.searchParams.get('page')) - 1) * perPage : Number(url.searchParams.get('offset') ?? 0);
    return { status: 200, body: { data: { items: items.slice(offset, offset + perPage), total: items.length } } };
  }
  const match = /^\/api\/products\/([^/]+)$/.exec(url.pathname);
  if (match === null) return undefined;
  const sku = decodeURIComponent(match[1] ?? '');
  if (method === 'GET') {
    const found = state.products.get(sku);
    return found === undefined ? { status: 404, body: problem(404, 'Not Found', `no product ${sku}`) } : { status: 200, body: found };
  }
  if (method === 'DELETE') return state.products.delete(sku) ? { status: 204 } : { status: 404, body: problem(404, 'Not Found', `no product ${sku}`) };
  if (method === 'PUT') {
    const input = body as Partial<Product> | undefined;
    const invalid = typeof input?.name !== 'string' || input.name === '' ? 'name' : !DECIMAL.test(text(input.price)) ? 'price' : undefined;
    if (invalid !== undefined)
      return { status: 422, body: { ...problem(422, 'Validation failed', `${invalid} ${invalid === 'name' ? 'is required' : 'must be a decimal number'}`), 'invalid-params': [{ name: invalid, reason: 'invalid' }] } };
    const isNew = !state.products.has(sku);
    const product: Product = { sku, name: String(input?.name), price: String(input?.price), stock: input?.stock ?? 0, updated: tick(state) };
    state.products.set(sku, product);
    return { status: isNew ? 201 : 200, body: product };
  }
  return undefined;
}

function problem(status: number, title: string, detail: string): Record<string, unknown> {
  return { type: 'about:blank', title, status, detail };
}
