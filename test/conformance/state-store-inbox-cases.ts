import { describe, expect, it } from 'vitest';
import type { InboxEventInput } from '../../src/core/inbox.js';
import { uniqueFlow, type CurrentStore } from './state-store-samples.js';

/** An event of `inbox` received at `receivedAt`, carrying `payload`. */
function event(
  inbox: string,
  payload: InboxEventInput['payload'],
  parts: Partial<InboxEventInput> = {},
): InboxEventInput {
  return { inbox, receivedAt: '2026-05-01T08:00:00.000Z', payload, ...parts };
}

/** The inbox of pushed events: durable appends, de-duplication, ordered reads, readers and pruning. */
export function describeInboxCases(store: CurrentStore): void {
  describe('inbox', () => {
    it('stores events with everything they carry and reads them back in order after an id', async () => {
      const inbox = uniqueFlow('inbox');
      const first = event(
        inbox,
        { objectId: 17, properties: { amount: '12.50' } },
        {
          eventKey: 'e-1',
          headers: { 'content-type': 'application/json', topic: 'stock/a1/count' },
        },
      );
      const results = await store().appendInboxEvents([
        first,
        event(inbox, 'plain text'),
        event(inbox, [1, 2]),
      ]);
      expect(results.map((result) => result.isDuplicate)).toEqual([false, false, false]);
      const ids = results.map((result) => result.id);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const read = await store().readInboxEvents(inbox, 0, 10);
      expect(read).toEqual([
        { ...first, id: ids[0] },
        { inbox, receivedAt: first.receivedAt, payload: 'plain text', id: ids[1] },
        { inbox, receivedAt: first.receivedAt, payload: [1, 2], id: ids[2] },
      ]);
      expect((await store().readInboxEvents(inbox, ids[0]!, 1)).map((e) => e.id)).toEqual([ids[1]]);
      expect(await store().readInboxEvents(inbox, ids[2]!, 10)).toEqual([]);
    });

    it('stores a redelivered event key once and answers with the first copy, per inbox', async () => {
      const inbox = uniqueFlow('dedup');
      const other = uniqueFlow('dedup-other');
      const [stored] = await store().appendInboxEvents([event(inbox, { n: 1 }, { eventKey: 'k' })]);
      const again = await store().appendInboxEvents([
        event(inbox, { n: 2 }, { eventKey: 'k' }),
        event(other, { n: 3 }, { eventKey: 'k' }),
        event(inbox, { n: 4 }),
        event(inbox, { n: 4 }),
      ]);
      expect(again[0]).toEqual({ id: stored!.id, isDuplicate: true });
      expect(again.slice(1).map((result) => result.isDuplicate)).toEqual([false, false, false]);
      expect((await store().readInboxEvents(inbox, 0, 10)).map((e) => e.payload)).toEqual([
        { n: 1 },
        { n: 4 },
        { n: 4 },
      ]);
      expect(await store().countInboxEvents(inbox, 0)).toBe(3);
    });

    it('counts the events after an id, in its own inbox only', async () => {
      const inbox = uniqueFlow('count');
      const results = await store().appendInboxEvents([1, 2, 3].map((n) => event(inbox, { n })));
      await store().appendInboxEvents([event(uniqueFlow('count-other'), { n: 9 })]);
      expect(await store().countInboxEvents(inbox, 0)).toBe(3);
      expect(await store().countInboxEvents(inbox, results[0]!.id)).toBe(2);
      expect(await store().countInboxEvents(inbox, results[2]!.id)).toBe(0);
    });

    it('prunes only old events that every reader consumed, and forgets their keys', async () => {
      const inbox = uniqueFlow('prune');
      const old = '2026-05-01T08:00:00.000Z';
      const recent = '2026-05-03T08:00:00.000Z';
      const ids = (
        await store().appendInboxEvents([
          event(inbox, { n: 1 }, { eventKey: 'a', receivedAt: old }),
          event(inbox, { n: 2 }, { eventKey: 'b', receivedAt: old }),
          event(inbox, { n: 3 }, { eventKey: 'c', receivedAt: old }),
          event(inbox, { n: 4 }, { eventKey: 'd', receivedAt: recent }),
        ])
      ).map((result) => result.id);
      await store().markInboxConsumed(inbox, 'deals', ids[3]!);
      await store().markInboxConsumed(inbox, 'stock', ids[0]!);
      await store().markInboxConsumed(inbox, 'deals', ids[0]!); // never moves back
      expect(await store().pruneInboxEvents(inbox, '2026-05-02T00:00:00.000Z')).toBe(1);
      await store().markInboxConsumed(inbox, 'stock', ids[3]!);
      expect(await store().pruneInboxEvents(inbox, '2026-05-02T00:00:00.000Z')).toBe(2);
      expect((await store().readInboxEvents(inbox, 0, 10)).map((e) => e.id)).toEqual([ids[3]]);
      const [redelivered] = await store().appendInboxEvents([event(inbox, { n: 1 }, { eventKey: 'a' })]);
      expect(redelivered!.isDuplicate).toBe(false);
    });

    it('prunes old events of an inbox no reader has recorded', async () => {
      const inbox = uniqueFlow('prune-unread');
      await store().appendInboxEvents([
        event(inbox, { n: 1 }, { receivedAt: '2026-05-01T08:00:00.000Z' }),
        event(inbox, { n: 2 }, { receivedAt: '2026-05-03T08:00:00.000Z' }),
      ]);
      expect(await store().pruneInboxEvents(inbox, '2026-05-02T00:00:00.000Z')).toBe(1);
      expect((await store().readInboxEvents(inbox, 0, 10)).map((e) => e.payload)).toEqual([{ n: 2 }]);
    });
  });
}
