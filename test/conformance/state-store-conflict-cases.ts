import { describe, expect, it } from 'vitest';
import { SyncError } from '../../src/core/errors.js';
import type { ConflictInput } from '../../src/core/state-store.js';
import type { Row } from '../../src/core/values.js';
import {
  ISO_UTC,
  batch,
  conflict,
  syncedRecord,
  uniqueFlow,
  type CurrentStore,
  fenceOf,
} from './state-store-samples.js';

/** Conflicts of two-way flows: one open entry per key, found again in place, resolved by a batch. */
export function describeConflictCases(store: CurrentStore): void {
  describe('conflicts', () => {
    it('records a conflict with both versions, the base and the differing fields', async () => {
      const flow = uniqueFlow('two-way');
      const found: ConflictInput = {
        flow,
        key: '客户-7',
        base: { name: '张三', total: '12.50', note: null },
        source: { name: '张三 👋', total: '12.5000', photo: new Uint8Array([0, 1, 254, 255]), tags: ['a'] },
        target: { name: '李四', total: '13.00', photo: null, meta: { vip: true } },
        fields: ['name', 'total', 'photo'],
        reason: 'name, total and photo changed on both sides',
      };
      await store().commitBatch(await fenceOf(store(), flow), batch({ conflicts: [found] }));

      const open = await store().getOpenConflicts(flow, ['客户-7', 'other']);
      expect([...open.keys()]).toEqual(['客户-7']);
      const stored = open.get('客户-7')!;
      // Binary values come back as some Uint8Array (a Buffer, say): compare their bytes.
      const photo = stored.source.photo;
      expect(photo).toBeInstanceOf(Uint8Array);
      expect({ ...stored.source, photo: [...(photo as Uint8Array)] }).toEqual({
        ...found.source,
        photo: [0, 1, 254, 255],
      });
      expect(stored).toMatchObject({ ...found, source: stored.source, status: 'open', occurrences: 1 });
      expect(stored.detectedAt).toMatch(ISO_UTC);
      expect(stored.updatedAt).toBe(stored.detectedAt);
      expect(stored.resolvedAt).toBeUndefined();
      expect(stored.resolution).toBeUndefined();
      expect(stored.resolvedBy).toBeUndefined();
      expect(await store().listConflicts({ flow, limit: 10 })).toEqual([stored]);
    });

    it('keeps a conflict of a key never synced without a base', async () => {
      const flow = uniqueFlow('no-base');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ conflicts: [conflict(flow, 'k', 1, { base: undefined })] }),
      );
      const [listed] = await store().listConflicts({ flow, limit: 1 });
      expect(listed!.base).toBeUndefined();
    });

    it('updates the open entry of a key found in conflict again and counts the occurrences', async () => {
      const flow = uniqueFlow('again');
      await store().commitBatch(await fenceOf(store(), flow), batch({ conflicts: [conflict(flow, 'k', 1)] }));
      const first = (await store().getOpenConflicts(flow, ['k'])).get('k')!;
      await store().commitBatch(await fenceOf(store(), flow), batch({ conflicts: [conflict(flow, 'k', 2)] }));
      const again = conflict(flow, 'k', 3, { base: undefined, fields: ['name', 'email'] });
      await store().commitBatch(await fenceOf(store(), flow), batch({ conflicts: [again] }));

      const all = await store().listConflicts({ flow, limit: 10 });
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ ...again, id: first.id, status: 'open', occurrences: 3 });
      expect(all[0]!.base).toBeUndefined();
      expect(all[0]!.detectedAt).toBe(first.detectedAt);
      expect(all[0]!.updatedAt >= first.updatedAt).toBe(true);
    });

    it('marks the open conflict of a resolved key resolved, with how and by whom', async () => {
      const flow = uniqueFlow('resolve');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ conflicts: [conflict(flow, 'k'), conflict(flow, 'still')] }),
      );
      const before = (await store().getOpenConflicts(flow, ['k'])).get('k')!;
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('k')],
          resolvedConflicts: [
            { key: 'k', resolution: 'target', by: 'ops@host' },
            { key: 'never-in-conflict', resolution: 'source', by: 'policy' },
          ],
        }),
      );

      expect([...(await store().getOpenConflicts(flow, ['k', 'still'])).keys()]).toEqual(['still']);
      const [resolved] = await store().listConflicts({ flow, status: 'resolved', limit: 10 });
      expect(resolved).toMatchObject({
        id: before.id,
        key: 'k',
        status: 'resolved',
        resolution: 'target',
        resolvedBy: 'ops@host',
        occurrences: 1,
      });
      expect(resolved!.resolvedAt).toMatch(ISO_UTC);
      expect(resolved!.resolvedAt! >= before.detectedAt).toBe(true);
    });

    it('opens a new entry when a resolved key conflicts again', async () => {
      const flow = uniqueFlow('reopen');
      await store().commitBatch(await fenceOf(store(), flow), batch({ conflicts: [conflict(flow, 'k', 1)] }));
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ resolvedConflicts: [{ key: 'k', resolution: 'merge', by: 'ops' }] }),
      );
      await store().commitBatch(await fenceOf(store(), flow), batch({ conflicts: [conflict(flow, 'k', 2)] }));
      const all = await store().listConflicts({ flow, limit: 10 });
      expect(all.map((c) => [c.reason, c.status, c.occurrences])).toEqual([
        ['both sides changed name (2)', 'open', 1],
        ['both sides changed name (1)', 'resolved', 1],
      ]);
      expect(all[0]!.id).not.toBe(all[1]!.id);
    });

    it('keeps a key open when one batch resolves it and finds it in conflict again', async () => {
      const flow = uniqueFlow('resolve-and-again');
      await store().commitBatch(await fenceOf(store(), flow), batch({ conflicts: [conflict(flow, 'k', 1)] }));
      const old = (await store().getOpenConflicts(flow, ['k'])).get('k')!;
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          resolvedConflicts: [{ key: 'k', resolution: 'source', by: 'policy' }],
          conflicts: [conflict(flow, 'k', 2)],
        }),
      );
      const open = (await store().getOpenConflicts(flow, ['k'])).get('k');
      expect(open).toMatchObject({ reason: 'both sides changed name (2)', status: 'open', occurrences: 1 });
      expect(open!.id).not.toBe(old.id);
      const [resolved] = await store().listConflicts({ flow, status: 'resolved', limit: 10 });
      expect(resolved).toMatchObject({ id: old.id, resolution: 'source', resolvedBy: 'policy' });
    });

    it('keeps the same key of two flows apart', async () => {
      const flow = uniqueFlow('apart-a');
      const other = uniqueFlow('apart-b');
      await store().commitBatch(await fenceOf(store(), flow), batch({ conflicts: [conflict(flow, 'k')] }));
      await store().commitBatch(await fenceOf(store(), other), batch({ conflicts: [conflict(other, 'k')] }));
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ resolvedConflicts: [{ key: 'k', resolution: 'source', by: 'ops' }] }),
      );
      expect((await store().getOpenConflicts(flow, ['k'])).size).toBe(0);
      expect((await store().getOpenConflicts(other, ['k'])).get('k')?.occurrences).toBe(1);
      expect(await store().getOpenConflicts(other, [])).toEqual(new Map());
    });

    it('lists newest (last found first) first, filtered by flow and status, up to the limit', async () => {
      const flow = uniqueFlow('list-a');
      const other = uniqueFlow('list-b');
      await store().commitBatch(await fenceOf(store(), flow), batch({ conflicts: [conflict(flow, 'k1')] }));
      await store().commitBatch(await fenceOf(store(), flow), batch({ conflicts: [conflict(flow, 'k2')] }));
      await store().commitBatch(await fenceOf(store(), other), batch({ conflicts: [conflict(other, 'k1')] }));
      // Resolving k1 later does not move it: lists are ordered by id, so pages stay stable.
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ resolvedConflicts: [{ key: 'k1', resolution: 'target', by: 'ops' }] }),
      );

      const keysOf = (conflicts: readonly { flow: string; key: string }[]): string[] =>
        conflicts.map((c) => `${c.flow === flow ? 'a' : 'b'}:${c.key}`);
      expect(keysOf(await store().listConflicts({ flow, limit: 10 }))).toEqual(['a:k2', 'a:k1']);
      expect(keysOf(await store().listConflicts({ flow, status: 'open', limit: 10 }))).toEqual(['a:k2']);
      expect(keysOf(await store().listConflicts({ flow, status: 'resolved', limit: 10 }))).toEqual(['a:k1']);
      expect(keysOf(await store().listConflicts({ flow, limit: 1 }))).toEqual(['a:k2']);
      expect(await store().listConflicts({ flow, limit: 0 })).toEqual([]);
      const all = await store().listConflicts({ limit: 100 });
      expect(keysOf(all.filter((c) => c.flow === flow || c.flow === other))).toEqual([
        'b:k1',
        'a:k2',
        'a:k1',
      ]);
    });

    it('leaves nothing of a batch visible when one of its conflicts cannot be stored', async () => {
      const flow = uniqueFlow('atomic-conflict');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('a', 'h1')],
          conflicts: [conflict(flow, 'x')],
          checkpoint: { cursor: 1 },
        }),
      );
      const unstorable = { id: 'y', amount: 10n } as unknown as Row;
      const failing = store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('a', 'h2')],
          resolvedConflicts: [{ key: 'x', resolution: 'source', by: 'policy' }],
          conflicts: [conflict(flow, 'z'), conflict(flow, 'y', 1, { source: unstorable })],
          checkpoint: { cursor: 2 },
        }),
      );
      await expect(failing).rejects.toBeInstanceOf(SyncError);
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 1 });
      expect((await store().getSynced(flow, ['a'])).get('a')?.hash).toBe('h1');
      const all = await store().listConflicts({ flow, limit: 10 });
      expect(all.map((c) => [c.key, c.status])).toEqual([['x', 'open']]);
    });
  });
}
