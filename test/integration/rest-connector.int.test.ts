import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeBatch, Checkpoint, Connector, SourceSpec } from '../../src/core/connector.js';
import { RestApiServer } from '../support/rest-api-server.js';
import { crmObjects } from '../support/rest-api-state.js';
import {
  TEST_API_OBJECTS,
  restConnector,
  seedDeals,
  seedIssues,
  seedProducts,
  sourceSpec,
  targetSpec,
} from '../support/rest-api-fixture.js';

// The REST connector against a test API that follows HubSpot's, GitHub's and RFC 9110's documented
// semantics (test/support/rest-api-routes.ts): each pagination style, lookups, counts, outcomes
// of batch and single writes, idempotency keys and error classes.

let api: RestApiServer;
let connector: Connector;
const signal = new AbortController().signal;

async function readAll(source: SourceSpec, since?: Checkpoint): Promise<ChangeBatch[]> {
  const batches: ChangeBatch[] = [];
  for await (const batch of connector.readChanges(source, since, signal)) batches.push(batch);
  return batches;
}

beforeEach(async () => {
  api = new RestApiServer();
  const url = await api.listen();
  connector = restConnector({
    url,
    auth: { type: 'bearer', token: 'test-token' },
    objects: TEST_API_OBJECTS,
  });
});

afterEach(async () => {
  await connector.close();
  await api.close();
});

describe('REST source pagination', () => {
  it('follows a body cursor token (HubSpot paging.next.after) and reads fields by JSON path', async () => {
    seedDeals(api.state, 23);
    const batches = await readAll(sourceSpec('deals', 'id', 'updatedAt', ['dealname', 'amount', 'crm_id']));
    const changes = batches.flatMap((batch) => batch.changes);
    expect(changes).toHaveLength(23);
    expect(new Set(changes.map((change) => change.key)).size).toBe(23);
    expect(changes[0]?.row).toMatchObject({ dealname: 'Deal 1', amount: '100.50', crm_id: 'D1' });
    expect(api.seen('GET', '/crm/v3/objects/deals').map((request) => request.query.get('after'))).toEqual([
      null,
      expect.any(String),
      expect.any(String),
    ]);
    const newest = [...crmObjects(api.state, 'deals').values()].at(-1);
    expect(batches.at(-1)?.checkpoint).toEqual({ cursor: newest?.updatedAt, key: newest?.id });
    expect(batches.every((batch) => batch.changes.length <= 5)).toBe(true);
  });

  it('follows the Link header (GitHub) from a modified-since parameter, advancing the checkpoint page by page in cursor order', async () => {
    seedIssues(api.state, 20);
    const source = sourceSpec('issues', 'number', 'updated_at', ['title', 'state']);
    const first = await readAll(source);
    expect(first.flatMap((batch) => batch.changes)).toHaveLength(20);
    expect(api.seen('GET', '/repos/acme/shop/issues').map((request) => request.query.get('page'))).toEqual([
      null,
      '2',
      '3',
    ]);
    // Listed in cursor order: every batch's checkpoint is its last record, never moving backwards.
    const cursors = first.map((batch) => batch.checkpoint.cursor as string);
    expect([...cursors].sort()).toEqual(cursors);
    const checkpoint = first.at(-1)?.checkpoint;
    expect(checkpoint).toEqual({ cursor: '2026-12-01T08:00:06Z', key: 20 });

    const issue = api.state.issues[4];
    if (issue !== undefined) issue.updated_at = '2026-12-01T09:00:00Z';
    const second = await readAll(source, checkpoint);
    expect(api.seen('GET', '/repos/acme/shop/issues').at(-1)?.query.get('since')).toBe(
      '2026-12-01T08:00:06Z',
    );
    // The since filter is inclusive: the two issues sharing the checkpoint's second come again
    // (the engine skips them by content hash), and the edited one.
    expect(second.flatMap((batch) => batch.changes.map((change) => change.key))).toEqual(['19', '20', '5']);
    expect(second.at(-1)?.checkpoint).toEqual({ cursor: '2026-12-01T09:00:00Z', key: 5 });
  });

  it('pages by offset with a modified-since filter, and by page number without a cursor', async () => {
    seedProducts(api.state, 10);
    const products = await readAll(sourceSpec('products', 'sku', 'updated', ['name', 'price']));
    expect(products.flatMap((batch) => batch.changes).map((change) => change.key)).toHaveLength(10);
    expect(api.seen('GET', '/api/products').map((request) => request.query.get('offset'))).toEqual([
      '0',
      '4',
      '8',
    ]);

    const stock = await readAll({
      ...sourceSpec('stock', 'sku', 'sku', ['stock']),
      cursor: undefined,
      columns: ['sku', 'stock'],
    });
    expect(stock.flatMap((batch) => batch.changes)).toHaveLength(10);
    expect(stock.at(-1)?.checkpoint).toEqual({});
    expect(
      api
        .seen('GET', '/api/products')
        .slice(3)
        .map((request) => request.query.get('page')),
    ).toEqual(['1', '2', '3', '4']);
  });
});

describe('REST source lookups and counts', () => {
  it('reads records by key with a GET per key, a missing key simply absent', async () => {
    seedProducts(api.state, 5);
    const changes = await connector.readByKeys(
      sourceSpec('products', 'sku', 'updated', ['price']),
      ['SKU-003', 'SKU-999'],
      signal,
    );
    expect(changes.map((change) => [change.key, change.row.price])).toEqual([['SKU-003', '3.25']]);
    seedDeals(api.state, 3);
    const deal = [...crmObjects(api.state, 'deals').values()][1];
    const deals = await connector.readByKeys(
      sourceSpec('deals', 'id', 'updatedAt', ['amount']),
      [deal?.id ?? ''],
      signal,
    );
    expect(deals.map((change) => change.row.amount)).toEqual(['200.50']);
  });

  it('counts pending records up to the limit, and none after the last checkpoint', async () => {
    seedDeals(api.state, 23);
    const source = sourceSpec('deals', 'id', 'updatedAt', []);
    expect(await connector.countPending(source, undefined, 7, signal)).toBe(7);
    const checkpoint = (await readAll(source)).at(-1)?.checkpoint;
    expect(await connector.countPending(source, checkpoint, 100, signal)).toBe(0);
  });

  it('reads at most 10 pages to estimate a backlog, a lower bound beyond them', async () => {
    seedDeals(api.state, 150);
    const before = api.seen('GET', '/crm/').length;
    expect(
      await connector.countPending(sourceSpec('deals', 'id', 'updatedAt', []), undefined, 1_000, signal),
    ).toBe(100);
    expect(api.seen('GET', '/crm/').length - before).toBe(10);
  });
});

describe('REST batch writes (HubSpot batch upsert)', () => {
  it('reports each record: created with its new id, updated, refused with the system message and field', async () => {
    seedDeals(api.state, 1);
    const target = targetSpec('deals', 'crm_id', ['dealname', 'amount']);
    const result = await connector.writeBatch(
      target,
      [
        { key: 'D1', op: 'upsert', values: { crm_id: 'D1', dealname: 'Deal one', amount: '150.00' } },
        { key: 'D900', op: 'upsert', values: { crm_id: 'D900', dealname: 'New deal', amount: '9.99' } },
        { key: 'D901', op: 'upsert', values: { crm_id: 'D901', dealname: 'Bad deal', amount: '12x' } },
      ],
      signal,
    );
    const deals = [...crmObjects(api.state, 'deals').values()];
    const created = deals.find((deal) => deal.properties.crm_id === 'D900');
    expect(result.written).toBe(2);
    expect(result.outcomes).toEqual([
      {
        key: 'D901',
        status: 'refused',
        error: {
          code: 'CONNECTOR_VALUE_REJECTED',
          message: expect.stringContaining(
            'Property values were not valid: 12x was not a valid number.',
          ) as string,
          retryable: false,
          flow: 'deals',
          key: 'D901',
          field: 'amount',
        },
      },
      { key: 'D1', status: 'updated', id: deals[0]?.id },
      { key: 'D900', status: 'created', id: created?.id },
    ]);
    expect(deals).toHaveLength(2);
    expect(deals[0]?.properties).toMatchObject({ dealname: 'Deal one', amount: '150.00' });
    expect(api.seen('POST', '/crm/v3/objects/deals/batch/upsert')).toHaveLength(1);
  });

  it('refuses each record of a batch refused whole (400) by the errors that name them', async () => {
    const result = await connector.writeBatch(
      targetSpec('deals', 'crm_id', ['amount']),
      [
        { key: 'D1', op: 'upsert', values: { crm_id: 'D1', amount: 'one' } },
        { key: 'D2', op: 'upsert', values: { crm_id: 'D2', amount: 'two' } },
      ],
      signal,
    );
    expect(result.written).toBe(0);
    expect(result.outcomes?.map((outcome) => [outcome.key, outcome.status])).toEqual([
      ['D1', 'refused'],
      ['D2', 'refused'],
    ]);
    expect(api.seen('POST', '/crm/v3/objects/deals/batch/upsert')).toHaveLength(1);
  });

  it('throws a 5xx as retryable and a 429 as throttling with its Retry-After, never as a refusal', async () => {
    const target = targetSpec('deals', 'crm_id', ['amount']);
    const records = [{ key: 'D1', op: 'upsert' as const, values: { crm_id: 'D1', amount: '1' } }];
    api.faults.push({ status: 503, times: 1 });
    await expect(connector.writeBatch(target, records, signal)).rejects.toMatchObject({
      code: 'CONNECTOR_UNAVAILABLE',
      retryable: true,
    });
    api.faults.push({ status: 429, retryAfter: '2', times: 1 });
    await expect(connector.writeBatch(target, records, signal)).rejects.toMatchObject({
      code: 'CONNECTOR_THROTTLED',
      retryable: true,
      retryAfterSeconds: 2,
    });
    api.faults.push({ status: 429, retryAfter: new Date(Date.now() + 30_000).toUTCString(), times: 1 });
    const error: unknown = await connector
      .writeBatch(target, records, signal)
      .catch((caught: unknown) => caught);
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(crmObjects(api.state, 'deals').size).toBe(0);
  });
});

describe('REST single writes', () => {
  it('reports created (201), updated (200), refused (422 problem details), deleted and not found', async () => {
    seedProducts(api.state, 1);
    const target = targetSpec('products', 'sku', ['name', 'price']);
    const result = await connector.writeBatch(
      target,
      [
        { key: 'SKU-001', op: 'upsert', values: { sku: 'SKU-001', name: 'Renamed', price: '1.50' } },
        { key: 'SKU-002', op: 'upsert', values: { sku: 'SKU-002', name: 'New', price: '2.00' } },
        { key: 'SKU-003', op: 'upsert', values: { sku: 'SKU-003', name: 'Bad', price: 'cheap' } },
        { key: 'SKU-002', op: 'delete', values: { sku: 'SKU-002' } },
        { key: 'SKU-404', op: 'delete', values: { sku: 'SKU-404' } },
      ],
      signal,
    );
    expect(result.outcomes?.map((outcome) => outcome.status)).toEqual([
      'updated',
      'created',
      'refused',
      'deleted',
      'not-found',
    ]);
    const refused = result.outcomes?.[2];
    expect(refused?.status === 'refused' ? refused.error : undefined).toMatchObject({
      field: 'price',
      message: expect.stringContaining('price must be a decimal number') as string,
    });
    expect(result.notFound).toEqual(['SKU-404']);
    expect([...api.state.products.keys()]).toEqual(['SKU-001']);
    expect(api.state.products.get('SKU-001')).toMatchObject({ name: 'Renamed', price: '1.50' });
  });

  it('sends a retry with the same Idempotency-Key, so an answer lost after the create doubles nothing', async () => {
    const target = targetSpec('orders', 'ref', ['total']);
    const records = [{ key: 'O1', op: 'upsert' as const, values: { ref: 'O1', total: '10.00' } }];
    api.faults.push({ status: 502, times: 1, when: 'after' });
    await expect(connector.writeBatch(target, records, signal)).rejects.toMatchObject({
      code: 'CONNECTOR_UNAVAILABLE',
      retryable: true,
    });
    expect(api.state.orders).toHaveLength(1);
    const retry = await connector.writeBatch(target, records, signal);
    expect(api.state.orders).toHaveLength(1);
    expect(retry.outcomes).toEqual([{ key: 'O1', status: 'created', id: api.state.orders[0]?.id }]);
    const keys = api.seen('POST', '/api/orders').map((request) => request.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{40}$/);
    expect(keys[1]).toBe(keys[0]);
  });
});

describe('REST idempotency keys', () => {
  it('gives a value changed back to an earlier one a new key, so the API applies it instead of replaying its stored answer', async () => {
    const target = targetSpec('products', 'sku', ['name', 'price']);
    const write = (price: string) =>
      connector.writeBatch(
        target,
        [{ key: 'SKU-1', op: 'upsert', values: { sku: 'SKU-1', name: 'P', price } }],
        signal,
      );
    await write('1.00');
    await write('2.00');
    const back = await write('1.00');
    expect(back.outcomes).toEqual([{ key: 'SKU-1', status: 'updated' }]);
    expect(api.state.products.get('SKU-1')?.price).toBe('1.00');
    const keys = api.seen('PUT', '/api/products/').map((request) => request.idempotencyKey);
    expect(new Set(keys).size).toBe(3);
  });
});

describe('REST writes by the original table protocol', () => {
  it('sends a batch as one PUT, and after a 422 of the whole batch each record alone, refusing only the one at fault', async () => {
    const target = { ...targetSpec('/tables/customers', 'crm_id', ['name']), flow: 'customers' };
    const result = await connector.writeBatch(
      target,
      [
        { key: '1', op: 'upsert', values: { crm_id: 1, name: 'Ada' } },
        { key: '2', op: 'upsert', values: { crm_id: 2, name: '' } },
        { key: '3', op: 'upsert', values: { crm_id: 3, name: 'Cy' } },
      ],
      signal,
    );
    expect(result.outcomes?.map((outcome) => [outcome.key, outcome.status])).toEqual([
      ['1', 'updated'],
      ['2', 'refused'],
      ['3', 'updated'],
    ]);
    const refused = result.outcomes?.[1];
    expect(refused?.status === 'refused' ? refused.error : undefined).toMatchObject({
      field: 'name',
      message: expect.stringContaining('name is required') as string,
    });
    expect(api.seen('PUT', '/tables/customers')).toHaveLength(4);
    expect([...(api.state.tables.get('customers')?.keys() ?? [])]).toEqual(['1', '3']);
    const deleted = await connector.writeBatch(
      target,
      [{ key: '1', op: 'delete', values: { crm_id: 1 } }],
      signal,
    );
    expect(deleted.outcomes).toEqual([{ key: '1', status: 'deleted' }]);
    expect([...(api.state.tables.get('customers')?.keys() ?? [])]).toEqual(['3']);
  });
});

describe('REST timeouts', () => {
  it('gives up on a request without an answer after the timeout, as a retryable timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const slow = restConnector({
      url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      timeout: '200ms',
      objects: TEST_API_OBJECTS,
    });
    try {
      const read = slow.readChanges(sourceSpec('issues', 'number', 'updated_at', []), undefined, signal);
      await expect(read[Symbol.asyncIterator]().next()).rejects.toMatchObject({
        code: 'CONNECTOR_TIMEOUT',
        retryable: true,
        message: expect.stringContaining('got no answer within 200 ms') as string,
      });
    } finally {
      await slow.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
