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
