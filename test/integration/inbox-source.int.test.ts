import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeBatch, SourceSpec } from '../../src/core/connector.js';
import { InboxSource } from '../../src/core/inbox-source.js';
import { silentLogger } from '../../src/core/logger.js';
import type { JsonValue } from '../../src/core/values.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';

// An inbox read as a flow source, over a real (in-memory) SQLite state store.

let state: SqliteStateStore;

const source: SourceSpec = {
  flow: 'deals',
  table: 'hubspot',
  key: 'objectId',
  cursor: 'occurredAt',
  deleted: 'archived',
  columns: ['objectId', 'occurredAt', 'archived', 'amount', '_event_id'],
  batchSize: 3,
  lookback: 0,
};

function reader(): InboxSource {
  return new InboxSource(state, {
    connection: 'hooks',
    logger: silentLogger,
    fields: { amount: 'properties.amount' },
  });
}

async function append(...payloads: JsonValue[]): Promise<number[]> {
  const results = await state.appendInboxEvents(
    payloads.map((payload) => ({ inbox: 'hubspot', receivedAt: new Date().toISOString(), payload })),
  );
  return results.map((result) => result.id);
}

async function readAll(since?: { inboxEventId: number }): Promise<ChangeBatch[]> {
  const batches: ChangeBatch[] = [];
  for await (const batch of reader().readChanges(source, since, AbortSignal.timeout(5_000)))
    batches.push(batch);
  return batches;
}

beforeEach(async () => {
  state = new SqliteStateStore(':memory:');
  await state.init();
});

afterEach(async () => {
  await state.close();
});

describe('InboxSource', () => {
  it('reads events in order, in batches, each with the checkpoint of its last event', async () => {
    const ids = await append(
      { objectId: 1, occurredAt: 10, properties: { amount: '5.00' } },
      { objectId: 2, occurredAt: 11 },
      { note: 'no key' },
      { objectId: 3, occurredAt: 12, archived: true },
    );
    const batches = await readAll();
    expect(batches.map((batch) => batch.checkpoint)).toEqual([
      { inboxEventId: ids[2] },
      { inboxEventId: ids[3] },
    ]);
    expect(batches[0]!.changes).toEqual([
      {
        key: '1',
        op: 'upsert',
        row: { objectId: 1, occurredAt: 10, archived: null, amount: '5.00', _event_id: ids[0] },
      },
      {
        key: '2',
        op: 'upsert',
        row: { objectId: 2, occurredAt: 11, archived: null, amount: null, _event_id: ids[1] },
      },
    ]);
    expect(batches[1]!.changes).toMatchObject([{ key: '3', op: 'delete' }]);
    expect(await readAll({ inboxEventId: ids[3]! })).toEqual([]);
    expect(await reader().countPending(source, { inboxEventId: ids[0]! }, 100)).toBe(3);
  });

  it('keeps the newest version of a key in a batch by its cursor, the later event on a tie', async () => {
    await append(
      { objectId: 7, occurredAt: 30, properties: { amount: 'newest' } },
      { objectId: 7, occurredAt: 20, properties: { amount: 'older, arrived late' } },
      { objectId: 8, occurredAt: 5, properties: { amount: 'first' } },
    );
    await append({ objectId: 8, occurredAt: 5, properties: { amount: 'second' } });
    const [first, second] = await readAll();
    expect(first!.changes.map((change) => [change.key, change.row.amount])).toEqual([
      ['7', 'newest'],
      ['8', 'first'],
    ]);
    expect(second!.changes.map((change) => change.row.amount)).toEqual(['second']);
    expect(
      (await reader().readByKeys(source, ['7', '8', '9'], AbortSignal.timeout(5_000))).map(
        (c) => c.row.amount,
      ),
    ).toEqual(['newest', 'second']);
  });

  it('lets the inbox prune what the checkpoint says was consumed, and refuses a checkpoint of another source', async () => {
    const ids = await append({ objectId: 1, occurredAt: 1 }, { objectId: 2, occurredAt: 2 });
    await readAll({ inboxEventId: ids[0]! });
    expect(await state.pruneInboxEvents('hubspot', '9999-01-01T00:00:00.000Z')).toBe(1);
    await expect(readAll({ updated_at: '2026-01-01' } as never)).rejects.toThrow(/is not an inbox position/);
  });
});
