import { describe, expect, it } from 'vitest';
import type { SyncedRecord } from '../../src/core/state-store.js';
import { batch, syncedRecord, uniqueFlow, fenceOf, type CurrentStore } from './state-store-samples.js';

/** The target's own ids and the two-way bases kept with the key map. */
export function describeKeyMapCases(store: CurrentStore): void {
  describe('key map: target ids and bases', () => {
    it('returns the target id and base a record was synced with, and neither when it had none', async () => {
      const flow = uniqueFlow('target-ids');
      const withBoth: SyncedRecord = {
        ...syncedRecord('1'),
        targetId: '9001',
        base: { name: '张三 👋', total: '12.50', note: null },
      };
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [withBoth, syncedRecord('2')] }),
      );
      const found = await store().getSynced(flow, ['1', '2']);
      expect(found.get('1')).toStrictEqual(withBoth);
      expect(found.get('2')).toStrictEqual(syncedRecord('2'));
    });

    it('keeps the stored target id and base when a later commit omits them', async () => {
      const flow = uniqueFlow('kept');
      const base = { name: 'v1' };
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [{ ...syncedRecord('1', 'h1'), targetId: '77', base }] }),
      );
      await store().commitBatch(await fenceOf(store(), flow), batch({ synced: [syncedRecord('1', 'h2')] }));
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [syncedRecord('1', 'h3', true)] }),
      );
      expect((await store().getSynced(flow, ['1'])).get('1')).toStrictEqual({
        ...syncedRecord('1', 'h3', true),
        targetId: '77',
        base,
      });
    });

    it('replaces the target id and base when a later commit gives new ones, each on its own', async () => {
      const flow = uniqueFlow('replaced');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [{ ...syncedRecord('1'), targetId: '77', base: { name: 'v1' } }] }),
      );
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [{ ...syncedRecord('1'), targetId: '78' }] }),
      );
      expect((await store().getSynced(flow, ['1'])).get('1')).toMatchObject({
        targetId: '78',
        base: { name: 'v1' },
      });
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [{ ...syncedRecord('1'), base: { name: 'v2', x: null } }] }),
      );
      expect((await store().getSynced(flow, ['1'])).get('1')).toMatchObject({
        targetId: '78',
        base: { name: 'v2', x: null },
      });
    });

    it('gives a target id to a record first synced without one', async () => {
      const flow = uniqueFlow('read-back');
      await store().commitBatch(await fenceOf(store(), flow), batch({ synced: [syncedRecord('1')] }));
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [{ ...syncedRecord('1'), targetId: '客户-😀' }] }),
      );
      expect((await store().getSynced(flow, ['1'])).get('1')?.targetId).toBe('客户-😀');
    });

    it('applies a commit of hundreds of records to each key alike, keeping what a record omits', async () => {
      const flow = uniqueFlow('many');
      const keys = Array.from({ length: 257 }, (_, index) => String(index));
      const first = keys.map((key, index) =>
        index % 2 === 0
          ? { ...syncedRecord(key, 'h1'), targetId: `t${key}`, base: { n: key } }
          : syncedRecord(key, 'h1'),
      );
      await store().commitBatch(await fenceOf(store(), flow), batch({ synced: first }));
      // The second commit updates every other key, adds new ones and gives some a new target id.
      const second = [...keys.filter((_, index) => index % 2 === 1), ...keys.map((key) => `new-${key}`)].map(
        (key, index) =>
          index % 5 === 0
            ? { ...syncedRecord(key, 'h2', index % 3 === 0), targetId: `n${key}` }
            : syncedRecord(key, 'h2', index % 3 === 0),
      );
      await store().commitBatch(await fenceOf(store(), flow), batch({ synced: second }));
      const expected = new Map<string, SyncedRecord>(first.map((record) => [record.key, record]));
      for (const record of second) {
        const before = expected.get(record.key);
        expected.set(record.key, {
          ...record,
          ...(record.targetId === undefined && before?.targetId !== undefined
            ? { targetId: before.targetId }
            : {}),
          ...(before?.base === undefined ? {} : { base: before.base }),
        });
      }
      const found = await store().getSynced(flow, [...expected.keys(), 'never-synced']);
      expect(found.size).toBe(expected.size);
      for (const [key, record] of expected) expect(found.get(key), key).toStrictEqual(record);
    });

    it('keeps the target ids of the same key in two flows apart', async () => {
      const flow = uniqueFlow('ids-a');
      const other = uniqueFlow('ids-b');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [{ ...syncedRecord('1'), targetId: 'a' }] }),
      );
      await store().commitBatch(
        await fenceOf(store(), other),
        batch({ synced: [{ ...syncedRecord('1'), targetId: 'b' }] }),
      );
      expect((await store().getSynced(flow, ['1'])).get('1')?.targetId).toBe('a');
      expect((await store().getSynced(other, ['1'])).get('1')?.targetId).toBe('b');
    });
  });
}
