import type { RouteAnswer } from './rest-api-server.js';
import { DECIMAL, tick, text, type ApiState, type Product } from './rest-api-state.js';

// The routes of the test API, each following a vendor's published documentation (HubSpot's are
// in rest-api-hubspot.ts):
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

export function handleIssuesRoute(
  state: ApiState,
  method: string,
  url: URL,
  base: string,
): RouteAnswer | undefined {
  if (method !== 'GET' || !/^\/repos\/[\w.-]+\/[\w.-]+\/issues$/.test(url.pathname)) return undefined;
  const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
  const page = Number(url.searchParams.get('page') ?? 1);
  const since = url.searchParams.get('since');
  const stateFilter = url.searchParams.get('state') ?? 'open';
  const ascending = url.searchParams.get('direction') === 'asc';
  const byUpdated = url.searchParams.get('sort') === 'updated';
  const matching = state.issues
    .filter(
      (issue) =>
        (stateFilter === 'all' || issue.state === stateFilter) &&
        (since === null || Date.parse(issue.updated_at) >= Date.parse(since)),
    )
    .sort((a, b) => {
      const order = byUpdated
        ? Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.number - b.number
        : a.number - b.number;
      return ascending ? order : -order;
    });
  const lastPage = Math.max(1, Math.ceil(matching.length / perPage));
  const link = (number: number): string => {
    const next = new URL(url.pathname, base);
    for (const [name, value] of url.searchParams) next.searchParams.set(name, value);
    next.searchParams.set('page', String(number));
    return `<${next.href}>`;
  };
  const links = [
    ...(page < lastPage ? [`${link(page + 1)}; rel="next"`, `${link(lastPage)}; rel="last"`] : []),
    ...(page > 1 ? [`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`] : []),
  ];
  return {
    status: 200,
    body: matching.slice((page - 1) * perPage, page * perPage),
    ...(links.length === 0 ? {} : { headers: { link: links.join(', ') } }),
  };
}

export function handleProductsRoute(
  state: ApiState,
  method: string,
  url: URL,
  body: unknown,
): RouteAnswer | undefined {
  if (url.pathname === '/api/orders') {
    if (method === 'GET')
      return { status: 200, body: { data: { items: state.orders, total: state.orders.length } } };
    if (method === 'POST') {
      const order = { ...(body as Record<string, unknown>), id: String((state.nextId += 1)) };
      state.orders.push(order);
      return { status: 201, body: order };
    }
  }
  if (url.pathname === '/api/products' && method === 'GET') {
    const since = url.searchParams.get('modified_since');
    const items = [...state.products.values()]
      .filter((product) => since === null || Date.parse(product.updated) >= Date.parse(since))
      .sort((a, b) => (a.sku < b.sku ? -1 : 1));
    const perPage = Number(url.searchParams.get('limit') ?? url.searchParams.get('per_page') ?? 20);
    const offset = url.searchParams.has('page')
      ? (Number(url.searchParams.get('page')) - 1) * perPage
      : Number(url.searchParams.get('offset') ?? 0);
    return {
      status: 200,
      body: { data: { items: items.slice(offset, offset + perPage), total: items.length } },
    };
  }
  const match = /^\/api\/products\/([^/]+)$/.exec(url.pathname);
  if (match === null) return undefined;
  const sku = decodeURIComponent(match[1] ?? '');
  if (method === 'GET') {
    const found = state.products.get(sku);
    return found === undefined
      ? { status: 404, body: problem(404, 'Not Found', `no product ${sku}`) }
      : { status: 200, body: found };
  }
  if (method === 'DELETE')
    return state.products.delete(sku)
      ? { status: 204 }
      : { status: 404, body: problem(404, 'Not Found', `no product ${sku}`) };
  if (method === 'PUT') {
    const input = body as Partial<Product> | undefined;
    const invalid =
      typeof input?.name !== 'string' || input.name === ''
        ? 'name'
        : !DECIMAL.test(text(input.price))
          ? 'price'
          : undefined;
    if (invalid !== undefined)
      return {
        status: 422,
        body: {
          ...problem(
            422,
            'Validation failed',
            `${invalid} ${invalid === 'name' ? 'is required' : 'must be a decimal number'}`,
          ),
          'invalid-params': [{ name: invalid, reason: 'invalid' }],
        },
      };
    const isNew = !state.products.has(sku);
    const product: Product = {
      sku,
      name: String(input?.name),
      price: String(input?.price),
      stock: input?.stock ?? 0,
      updated: tick(state),
    };
    state.products.set(sku, product);
    return { status: isNew ? 201 : 200, body: product };
  }
  return undefined;
}

function problem(status: number, title: string, detail: string): Record<string, unknown> {
  return { type: 'about:blank', title, status, detail };
}

/**
 * Syncline's own table protocol (docs/rest.md, "The original table protocol"): `PUT /tables/{table}`
 * upserts `{key, records}` by the named key, all or nothing, refusing the whole request with 422
 * when a record has no `name`; `POST /tables/{table}/delete` deletes `{key, keys}`.
 */
export function handleTableRoute(
  state: ApiState,
  method: string,
  url: URL,
  body: unknown,
): RouteAnswer | undefined {
  const match = /^\/tables\/(\w+)(\/delete)?$/.exec(url.pathname);
  if (match === null) return undefined;
  const table = state.tables.get(match[1] ?? '') ?? new Map<string, Record<string, unknown>>();
  state.tables.set(match[1] ?? '', table);
  const request = body as { key: string; records?: Record<string, unknown>[]; keys?: unknown[] };
  if (method === 'PUT' && match[2] === undefined) {
    const records = request.records ?? [];
    const bad = records.find((record) => typeof record.name !== 'string' || record.name === '');
    if (bad !== undefined)
      return { status: 422, body: { error: { message: 'name is required', field: 'name' } } };
    for (const record of records) table.set(text(record[request.key]), record);
    return { status: 204 };
  }
  if (method === 'POST' && match[2] !== undefined) {
    for (const key of request.keys ?? []) table.delete(text(key));
    return { status: 204 };
  }
  return { status: 405 };
}
