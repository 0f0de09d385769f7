import { describe, expect, it } from 'vitest';
import type { DeadLetterInput } from '../../src/core/state-store.js';
import {
  ISO_UTC,
  batch,
  deadLetter,
  syncedRecord,
  uniqueFlow,
  type CurrentStore,
  fenceOf,
} from './state-store-samples.js';

/** Dead letters: one open entry per key, listing, status changes and replay through resolved keys. */
export function describeDeadLetterCases(store: CurrentStore): void {
  describe('dead letters', () => {
    it('records a dead letter with everything it was given', async () => {
      const flow = uniqueFlow('invoices');
      const letter: DeadLetterInput = {
        flow,
        key: 'INV-1',
        field: 'total',
        kind: 'validation',
        code: 'VALIDATION_FAILED',
        reason: 'total must be a decimal',
        payload: { id: 'INV-1', total: '12.5000', paid: false, lines: [{ sku: 'A', qty: 2 }], note: null },
      };
      await store().commitBatch(await fenceOf(store(), flow), batch({ deadLetters: [letter] }));
      const [listed] = await store().listDeadLetters({ flow, limit: 10 });
      expect(listed).toMatchObject({ ...letter, status: 'open', occurrences: 1 });
      expect(listed!.createdAt).toMatch(ISO_UTC);
      expect(listed!.updatedAt).toMatch(ISO_UTC);
      expect(await store().getDeadLetter(listed!.id)).toEqual(listed);
    });

    it('records a reference dead letter, and a key whose failure changes kind keeps one entry', async () => {
      const flow = uniqueFlow('reference');
      const waiting: DeadLetterInput = {
        ...deadLetter(flow, 'order-1'),
        field: 'customer_id',
        kind: 'reference',
        code: 'REFERENCE_MISSING',
        reason: 'customer 42 is not in the target yet',
      };
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'order-1')] }),
      );
      await store().commitBatch(await fenceOf(store(), flow), batch({ deadLetters: [waiting] }));
      const letters = await store().listDeadLetters({ flow, limit: 10 });
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ ...waiting, status: 'open', occurrences: 2 });
      expect(await store().getDeadLetter(letters[0]!.id)).toEqual(letters[0]);
    });

    it('leaves out the field of a dead letter that has none', async () => {
      const flow = uniqueFlow('no-field');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, '1')] }),
      );
      const [listed] = await store().listDeadLetters({ flow, limit: 1 });
      expect(listed!.field).toBeUndefined();
    });

    it('updates the open entry of a key that fails again instead of adding one', async () => {
      const flow = uniqueFlow('repeat');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'k', 'first', { v: 1 })] }),
      );
      const [first] = await store().listDeadLetters({ flow, limit: 10 });
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'k', 'second', { v: 2 })] }),
      );
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'k', 'third', { v: 3 })] }),
      );
      const letters = await store().listDeadLetters({ flow, limit: 10 });
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ id: first!.id, reason: 'third', payload: { v: 3 }, occurrences: 3 });
      expect(letters[0]!.createdAt).toBe(first!.createdAt);
      expect(letters[0]!.updatedAt >= first!.updatedAt).toBe(true);
    });

    it('keeps the content hash of a dead-lettered record; a repeat failure replaces it', async () => {
      const flow = uniqueFlow('hash');
      const first: DeadLetterInput = { ...deadLetter(flow, 'k', 'first'), hash: 'hash-1' };
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [first, deadLetter(flow, 'no-hash')] }),
      );
      const open = await store().listDeadLetters({ flow, status: 'open', keys: ['k', 'no-hash'], limit: 2 });
      expect(Object.fromEntries(open.map((l) => [l.key, l.hash]))).toEqual({
        k: 'hash-1',
        'no-hash': undefined,
      });
      expect(open.find((l) => l.key === 'no-hash')).not.toHaveProperty('hash');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [{ ...deadLetter(flow, 'k', 'second'), hash: 'hash-2' }] }),
      );
      const [again] = await store().listDeadLetters({ flow, keys: ['k'], limit: 1 });
      expect(again).toMatchObject({ hash: 'hash-2', reason: 'second', occurrences: 2 });
      expect(await store().getDeadLetter(again!.id)).toEqual(again);
    });

    it('reads the hashes of the open dead letters of some keys only', async () => {
      const flow = uniqueFlow('open-hashes');
      const other = uniqueFlow('open-hashes-other');
      const letters = [
        { ...deadLetter(flow, 'k'), hash: 'hash-k' },
        deadLetter(flow, 'no-hash'),
        { ...deadLetter(flow, 'closed'), hash: 'hash-closed' },
        { ...deadLetter(flow, 'not-asked'), hash: 'hash-n' },
      ];
      await store().commitBatch(await fenceOf(store(), flow), batch({ deadLetters: letters }));
      await store().commitBatch(
        await fenceOf(store(), other),
        batch({ deadLetters: [{ ...deadLetter(other, 'never'), hash: 'other' }] }),
      );
      await store().commitBatch(await fenceOf(store(), flow), batch({ resolvedKeys: ['closed'] }));
      const hashes = await store().getOpenDeadLetterHashes(flow, ['k', 'no-hash', 'closed', 'never']);
      expect([...hashes.entries()].sort()).toEqual([
        ['k', 'hash-k'],
        ['no-hash', undefined],
      ]);
      expect(await store().getOpenDeadLetterHashes(flow, [])).toEqual(new Map());
    });

    it('keeps the same key of two flows in two entries', async () => {
      const flow = uniqueFlow('one');
      const other = uniqueFlow('two');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'k')] }),
      );
      await store().commitBatch(
        await fenceOf(store(), other),
        batch({ deadLetters: [deadLetter(other, 'k')] }),
      );
      expect(await store().listDeadLetters({ flow, limit: 10 })).toHaveLength(1);
      expect(await store().listDeadLetters({ flow: other, limit: 10 })).toHaveLength(1);
    });

    it('opens a new entry when a key fails again after its entry was discarded', async () => {
      const flow = uniqueFlow('reopen');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'k', 'old')] }),
      );
      const [old] = await store().listDeadLetters({ flow, limit: 10 });
      await store().setDeadLetterStatus(await fenceOf(store(), flow), [old!.id], 'discarded');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'k', 'new')] }),
      );
      const letters = await store().listDeadLetters({ flow, limit: 10 });
      expect(letters.map((l) => [l.reason, l.status, l.occurrences])).toEqual([
        ['new', 'open', 1],
        ['old', 'discarded', 1],
      ]);
      expect(letters[0]!.id).not.toBe(old!.id);
    });

    it('lists newest first, filtered by flow and status, up to the limit', async () => {
      const flow = uniqueFlow('list-a');
      const other = uniqueFlow('list-b');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'k1')] }),
      );
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'k2')] }),
      );
      const [k2] = await store().listDeadLetters({ flow, limit: 1 });
      await store().setDeadLetterStatus(await fenceOf(store(), flow), [k2!.id], 'discarded');
      await store().commitBatch(
        await fenceOf(store(), other),
        batch({ deadLetters: [deadLetter(other, 'k1')] }),
      );

      const keysOf = (letters: readonly { flow: string; key: string }[]): string[] =>
        letters.map((l) => `${l.flow === flow ? 'a' : 'b'}:${l.key}`);
      expect(keysOf(await store().listDeadLetters({ flow, limit: 10 }))).toEqual(['a:k2', 'a:k1']);
      expect(keysOf(await store().listDeadLetters({ flow, status: 'open', limit: 10 }))).toEqual(['a:k1']);
      expect(keysOf(await store().listDeadLetters({ flow, status: 'discarded', limit: 10 }))).toEqual([
        'a:k2',
      ]);
      expect(keysOf(await store().listDeadLetters({ flow, limit: 1 }))).toEqual(['a:k2']);
      expect(await store().listDeadLetters({ flow, limit: 0 })).toEqual([]);
      const all = await store().listDeadLetters({ limit: 10 });
      expect(keysOf(all.filter((l) => l.flow === flow || l.flow === other))).toEqual([
        'b:k1',
        'a:k2',
        'a:k1',
      ]);
      const replayed = await store().listDeadLetters({ status: 'replayed', limit: 10 });
      expect(replayed.filter((l) => l.flow === flow || l.flow === other)).toEqual([]);
    });

    it('changes the status of several entries at once and ignores an empty list', async () => {
      const flow = uniqueFlow('status');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, '1'), deadLetter(flow, '2')] }),
      );
      const ids = (await store().listDeadLetters({ flow, limit: 10 })).map((l) => l.id);
      await store().setDeadLetterStatus(await fenceOf(store(), flow), ids, 'discarded');
      await store().setDeadLetterStatus(await fenceOf(store(), flow), [], 'replayed');
      const letters = await store().listDeadLetters({ flow, limit: 10 });
      expect(letters.map((l) => l.status)).toEqual(['discarded', 'discarded']);
    });

    it('has no dead letter under an id never given', async () => {
      expect(await store().getDeadLetter(987_654_321)).toBeUndefined();
    });

    it('marks the open entries of resolved keys replayed, only in their flow', async () => {
      const flow = uniqueFlow('replay');
      const other = uniqueFlow('replay-other');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'k'), deadLetter(flow, 'still-bad')] }),
      );
      await store().commitBatch(
        await fenceOf(store(), other),
        batch({ deadLetters: [deadLetter(other, 'k')] }),
      );
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [syncedRecord('k')], resolvedKeys: ['k', 'never-failed'] }),
      );

      const statusByKey = Object.fromEntries(
        (await store().listDeadLetters({ flow, limit: 10 })).map((l) => [l.key, l.status]),
      );
      expect(statusByKey).toEqual({ k: 'replayed', 'still-bad': 'open' });
      const [otherLetter] = await store().listDeadLetters({ flow: other, limit: 10 });
      expect(otherLetter!.status).toBe('open');
    });

    it('does not reopen a discarded entry when its key is resolved', async () => {
      const flow = uniqueFlow('discarded-stays');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'k')] }),
      );
      const [letter] = await store().listDeadLetters({ flow, limit: 1 });
      await store().setDeadLetterStatus(await fenceOf(store(), flow), [letter!.id], 'discarded');
      await store().commitBatch(await fenceOf(store(), flow), batch({ resolvedKeys: ['k'] }));
      expect((await store().getDeadLetter(letter!.id))!.status).toBe('discarded');
    });

    it('round-trips Chinese text and emoji in keys, reasons and payloads', async () => {
      const flow = `发票-${uniqueFlow('🧾')}`;
      const letter: DeadLetterInput = {
        flow,
        key: '客户-😀',
        field: '名称',
        kind: 'validation',
        code: 'VALIDATION_FAILED',
        reason: '名称不能为空 ❌',
        payload: { 名称: '张三 👋', 金额: '12.30', tags: ['🚀', '𝄞'] },
      };
      await store().commitBatch(await fenceOf(store(), flow), batch({ deadLetters: [letter] }));
      const [listed] = await store().listDeadLetters({ flow, limit: 1 });
      expect(listed).toMatchObject(letter);
    });
  });
}
