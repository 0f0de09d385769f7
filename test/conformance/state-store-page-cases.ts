import { describe, expect, it } from 'vitest';
import {
  auditInput,
  batch,
  conflict,
  deadLetter,
  fenceOf,
  reconciliation,
  uniqueFlow,
  type CurrentStore,
} from './state-store-samples.js';

/** Pages through a list with `limit` per page, each page starting below the last id of the one before. */
async function pageThrough<Entry extends { readonly id: number }>(
  list: (page: { limit: number; beforeId?: number }) => Promise<Entry[]>,
  limit: number,
): Promise<Entry[][]> {
  const pages: Entry[][] = [];
  let beforeId: number | undefined;
  for (;;) {
    const page = await list({ limit, ...(beforeId === undefined ? {} : { beforeId }) });
    if (page.length === 0) return pages;
    pages.push(page);
    beforeId = page.at(-1)!.id;
  }
}

/** Counts done by the store, and keyset paging (newest first, by id) of every list. */
export function describePageCases(store: CurrentStore): void {
  describe('counts and pages', () => {
    it('counts dead letters by flow and status, after inserts and status changes', async () => {
      const flow = uniqueFlow('count-letters');
      const other = uniqueFlow('count-letters-other');
      const fence = await fenceOf(store(), flow);
      expect(await store().countDeadLetters({ flow })).toBe(0);
      await store().commitBatch(
        fence,
        batch({ deadLetters: ['1', '2', '3'].map((key) => deadLetter(flow, key)) }),
      );
      await store().commitBatch(
        await fenceOf(store(), other),
        batch({ deadLetters: [deadLetter(other, '1')] }),
      );
      // A key failing again updates its open entry: still one letter.
      await store().commitBatch(fence, batch({ deadLetters: [deadLetter(flow, '1', 'again')] }));
      expect(await store().countDeadLetters({ flow })).toBe(3);
      expect(await store().countDeadLetters({ flow, status: 'open' })).toBe(3);

      const [newest] = await store().listDeadLetters({ flow, limit: 1 });
      await store().setDeadLetterStatus(fence, [newest!.id], 'discarded');
      await store().commitBatch(fence, batch({ resolvedKeys: ['1'] }));
      expect(await store().countDeadLetters({ flow, status: 'open' })).toBe(1);
      expect(await store().countDeadLetters({ flow, status: 'discarded' })).toBe(1);
      expect(await store().countDeadLetters({ flow, status: 'replayed' })).toBe(1);
      expect(await store().countDeadLetters({ flow: other, status: 'open' })).toBe(1);
      expect(await store().countDeadLetters({ status: 'open' })).toBeGreaterThanOrEqual(2);
      expect(await store().countDeadLetters({})).toBeGreaterThanOrEqual(4);
    });

    it('counts conflicts by flow and status', async () => {
      const flow = uniqueFlow('count-conflicts');
      const fence = await fenceOf(store(), flow);
      await store().commitBatch(fence, batch({ conflicts: [conflict(flow, 'a'), conflict(flow, 'b')] }));
      await store().commitBatch(fence, batch({ conflicts: [conflict(flow, 'a', 2)] }));
      expect(await store().countConflicts({ flow })).toBe(2);
      await store().commitBatch(
        fence,
        batch({ resolvedConflicts: [{ key: 'a', resolution: 'source', by: 'ops' }] }),
      );
      expect(await store().countConflicts({ flow, status: 'open' })).toBe(1);
      expect(await store().countConflicts({ flow, status: 'resolved' })).toBe(1);
      expect(await store().countConflicts({ flow: uniqueFlow('none') })).toBe(0);
      expect(await store().countConflicts({ status: 'open' })).toBeGreaterThanOrEqual(1);
    });

    it('pages through 25 dead letters 10 at a time: 10, 10, 5, newest first, no overlap or gap', async () => {
      const flow = uniqueFlow('page-letters');
      const fence = await fenceOf(store(), flow);
      for (let index = 0; index < 25; index += 1)
        await store().commitBatch(fence, batch({ deadLetters: [deadLetter(flow, `k${index}`)] }));
      const pages = await pageThrough((page) => store().listDeadLetters({ flow, ...page }), 10);
      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      const keys = pages.flat().map((letter) => letter.key);
      expect(keys).toEqual(Array.from({ length: 25 }, (_, index) => `k${24 - index}`));
      const ids = pages.flat().map((letter) => letter.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(new Set(ids).size).toBe(25);
    });

    it('combines beforeId with the flow and status filters, and keeps dead letters of given keys', async () => {
      const flow = uniqueFlow('page-filtered');
      const other = uniqueFlow('page-filtered-other');
      const fence = await fenceOf(store(), flow);
      const otherFence = await fenceOf(store(), other);
      for (let index = 0; index < 6; index += 1) {
        await store().commitBatch(fence, batch({ deadLetters: [deadLetter(flow, `k${index}`)] }));
        await store().commitBatch(otherFence, batch({ deadLetters: [deadLetter(other, `k${index}`)] }));
      }
      const all = await store().listDeadLetters({ flow, limit: 10 });
      const odd = all.filter((letter) => Number(letter.key.slice(1)) % 2 === 1).map((letter) => letter.id);
      await store().setDeadLetterStatus(fence, odd, 'discarded');

      const below = all.find((letter) => letter.key === 'k4')!.id;
      const open = await store().listDeadLetters({ flow, status: 'open', beforeId: below, limit: 10 });
      expect(open.map((letter) => letter.key)).toEqual(['k2', 'k0']);
      const discarded = await store().listDeadLetters({
        flow,
        status: 'discarded',
        beforeId: below,
        limit: 1,
      });
      expect(discarded.map((letter) => letter.key)).toEqual(['k3']);
      const keyed = await store().listDeadLetters({ flow, keys: ['k1', 'k2', 'missing'], limit: 10 });
      expect(keyed.map((letter) => [letter.key, letter.status])).toEqual([
        ['k2', 'open'],
        ['k1', 'discarded'],
      ]);
      expect(await store().listDeadLetters({ flow, keys: [], limit: 10 })).toEqual([]);
      const openKeyed = await store().listDeadLetters({ status: 'open', keys: ['k0'], limit: 10 });
      expect(openKeyed.filter((l) => l.flow === flow || l.flow === other).map((l) => l.flow)).toEqual([
        other,
        flow,
      ]);
    });

    it('pages conflicts, runs, audit entries and reconciliations by id, newest first', async () => {
      const flow = uniqueFlow('page-all');
      const fence = await fenceOf(store(), flow);
      for (let index = 0; index < 5; index += 1) {
        await store().commitBatch(fence, batch({ conflicts: [conflict(flow, `k${index}`)] }));
        await store().startRun(flow, 'schedule');
        await store().startAudit(auditInput(flow, { action: index % 2 === 0 ? 'resync' : 'dlq.replay' }));
        await store().recordReconciliation(reconciliation(flow, { missing: index }));
      }
      const lengths = async (
        list: (page: { limit: number; beforeId?: number }) => Promise<{ id: number }[]>,
      ) => (await pageThrough(list, 2)).map((page) => page.length);
      expect(await lengths((page) => store().listConflicts({ flow, ...page }))).toEqual([2, 2, 1]);
      expect(await lengths((page) => store().listRuns({ flow, ...page }))).toEqual([2, 2, 1]);
      expect(await lengths((page) => store().listAudit({ flow, ...page }))).toEqual([2, 2, 1]);
      expect(await lengths((page) => store().listAudit({ flow, action: 'resync', ...page }))).toEqual([2, 1]);
      expect(await lengths((page) => store().listReconciliations({ flow, ...page }))).toEqual([2, 2, 1]);

      const [, second] = await store().listConflicts({ flow, limit: 2 });
      const older = await store().listConflicts({ flow, status: 'open', beforeId: second!.id, limit: 10 });
      expect(older.map((entry) => entry.key)).toEqual(['k2', 'k1', 'k0']);
      const [newestRecon] = await store().listReconciliations({ flow, limit: 1 });
      const olderRecons = await store().listReconciliations({ flow, beforeId: newestRecon!.id, limit: 10 });
      expect(olderRecons.map((entry) => entry.missing)).toEqual([3, 2, 1, 0]);
    });
  });
}
