import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/core/connector.js';
import { SyncError } from '../../src/core/errors.js';
import { backfillLaneName, backfillPlanName, reverseCheckpointName } from '../../src/core/state-store.js';
import type { Row } from '../../src/core/values.js';
import {
  batch,
  deadLetter,
  syncedRecord,
  uniqueFlow,
  fenceOf,
  type CurrentStore,
} from './state-store-samples.js';

/** Checkpoints, the key map with synced hashes, and the atomicity of a batch commit. */
export function describeBatchCases(store: CurrentStore): void {
  describe('checkpoints', () => {
    it('has no checkpoint for a flow that never committed one', async () => {
      expect(await store().getCheckpoint(uniqueFlow('fresh'))).toBeUndefined();
    });

    it('returns the checkpoint of the last batch, per flow', async () => {
      const orders = uniqueFlow('orders');
      const stock = uniqueFlow('stock');
      const first = { cursor: '2024-05-01T08:00:00.123456+08:00', key: '42', tieKeys: ['40', '41'] };
      await store().commitBatch(await fenceOf(store(), orders), batch({ checkpoint: first }));
      await store().commitBatch(await fenceOf(store(), stock), batch({ checkpoint: { cursor: 7, key: 3 } }));
      expect(await store().getCheckpoint(orders)).toEqual(first);

      const second = { cursor: '2024-05-01T08:00:01.000001+08:00', key: '43', tieKeys: [], extra: null };
      await store().commitBatch(await fenceOf(store(), orders), batch({ checkpoint: second }));
      expect(await store().getCheckpoint(orders)).toEqual(second);
      expect(await store().getCheckpoint(stock)).toEqual({ cursor: 7, key: 3 });
    });

    it('keeps the checkpoint when a batch carries none (resync, replay)', async () => {
      const flow = uniqueFlow('resync');
      await store().commitBatch(await fenceOf(store(), flow), batch({ checkpoint: { cursor: 5 } }));
      await store().commitBatch(await fenceOf(store(), flow), batch({ synced: [syncedRecord('9')] }));
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 5 });
    });

    it('forgets the checkpoint on reset, and only that flow’s', async () => {
      const flow = uniqueFlow('reset');
      const other = uniqueFlow('kept');
      await store().commitBatch(await fenceOf(store(), flow), batch({ checkpoint: { cursor: 5 } }));
      await store().commitBatch(await fenceOf(store(), other), batch({ checkpoint: { cursor: 6 } }));
      await store().resetCheckpoints(await fenceOf(store(), flow));
      await store().resetCheckpoints(await fenceOf(store(), uniqueFlow('never-committed')));
      expect(await store().getCheckpoint(flow)).toBeUndefined();
      expect(await store().getCheckpoint(other)).toEqual({ cursor: 6 });
    });

    it('stores the reverse checkpoint of a two-way flow under its own name, apart from the forward one', async () => {
      const flow = uniqueFlow('two-way');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ checkpoint: { cursor: 1 }, reverseCheckpoint: { cursor: 'r1' } }),
      );
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 1 });
      expect(await store().getCheckpoint(reverseCheckpointName(flow))).toEqual({ cursor: 'r1' });

      await store().commitBatch(await fenceOf(store(), flow), batch({ reverseCheckpoint: { cursor: 'r2' } }));
      await store().commitBatch(await fenceOf(store(), flow), batch({ checkpoint: { cursor: 2 } }));
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 2 });
      expect(await store().getCheckpoint(reverseCheckpointName(flow))).toEqual({ cursor: 'r2' });
    });

    it('stores a partitioned backfill’s plan and lanes by name, forgets them at the handover and on reset', async () => {
      const flow = uniqueFlow('lanes');
      const other = uniqueFlow('lanes-kept');
      const plan: Checkpoint = {
        ranges: [{ toKey: 10 }, { fromKey: 11 }],
        handover: { phase: 'incremental', cursor: 5 },
      };
      const handover: Checkpoint = { phase: 'incremental', cursor: 5 };
      const lanes = (name: string, after: number) => [
        { name: backfillPlanName(name), checkpoint: plan },
        { name: backfillLaneName(name, 0), checkpoint: { after, done: false } },
        { name: backfillLaneName(name, 1), checkpoint: { after: null, done: false } },
      ];
      await store().commitBatch(await fenceOf(store(), flow), batch({ laneCheckpoints: lanes(flow, 3) }));
      await store().commitBatch(await fenceOf(store(), other), batch({ laneCheckpoints: lanes(other, 4) }));
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          laneCheckpoints: [{ name: backfillLaneName(flow, 0), checkpoint: { after: 7, done: true } }],
        }),
      );
      expect(await store().getCheckpoint(backfillPlanName(flow))).toEqual(plan);
      expect(await store().getCheckpoint(backfillLaneName(flow, 0))).toEqual({ after: 7, done: true });
      expect(await store().getCheckpoint(flow)).toBeUndefined();

      // The handover: the flow's checkpoint and the lanes forgotten, in one commit.
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ checkpoint: handover, endLanes: true }),
      );
      expect(await store().getCheckpoint(flow)).toEqual(handover);
      for (const name of [backfillPlanName(flow), backfillLaneName(flow, 0), backfillLaneName(flow, 1)])
        expect(await store().getCheckpoint(name)).toBeUndefined();
      expect(await store().getCheckpoint(backfillLaneName(other, 0))).toEqual({ after: 4, done: false });

      // A reset forgets another flow's lanes as well as its checkpoints.
      await store().resetCheckpoints(await fenceOf(store(), other));
      expect(await store().getCheckpoint(backfillPlanName(other))).toBeUndefined();
      expect(await store().getCheckpoint(backfillLaneName(other, 1))).toBeUndefined();
    });

    it('refuses a lane checkpoint named for another flow and stores nothing of the batch', async () => {
      const flow = uniqueFlow('lanes-own');
      const other = uniqueFlow('lanes-other');
      const commit = store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('1')],
          checkpoint: { cursor: 1 },
          laneCheckpoints: [{ name: backfillLaneName(other, 0), checkpoint: { after: 1, done: false } }],
        }),
      );
      await expect(commit).rejects.toThrow(/not a backfill checkpoint of flow/);
      expect(await store().getCheckpoint(flow)).toBeUndefined();
      expect(await store().getCheckpoint(backfillLaneName(other, 0))).toBeUndefined();
      expect((await store().getSynced(flow, ['1'])).size).toBe(0);
    });

    it('resets the forward and the reverse checkpoint together', async () => {
      const flow = uniqueFlow('two-way-reset');
      const other = uniqueFlow('two-way-kept');
      const both = batch({ checkpoint: { cursor: 1 }, reverseCheckpoint: { cursor: 'r1' } });
      await store().commitBatch(await fenceOf(store(), flow), both);
      await store().commitBatch(await fenceOf(store(), other), both);
      await store().resetCheckpoints(await fenceOf(store(), flow));
      expect(await store().getCheckpoint(flow)).toBeUndefined();
      expect(await store().getCheckpoint(reverseCheckpointName(flow))).toBeUndefined();
      expect(await store().getCheckpoint(other)).toEqual({ cursor: 1 });
      expect(await store().getCheckpoint(reverseCheckpointName(other))).toEqual({ cursor: 'r1' });
    });

    it('stores neither checkpoint of a batch whose reverse checkpoint cannot be stored', async () => {
      const flow = uniqueFlow('two-way-atomic');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('a', 'h1')],
          checkpoint: { cursor: 1 },
          reverseCheckpoint: { cursor: 'r1' },
        }),
      );
      const unstorable = { cursor: 10n } as unknown as Checkpoint;
      const failing = store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('a', 'h2')],
          checkpoint: { cursor: 2 },
          reverseCheckpoint: unstorable,
        }),
      );
      await expect(failing).rejects.toBeInstanceOf(SyncError);
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 1 });
      expect(await store().getCheckpoint(reverseCheckpointName(flow))).toEqual({ cursor: 'r1' });
      expect((await store().getSynced(flow, ['a'])).get('a')?.hash).toBe('h1');
    });

    it('stores no reverse checkpoint of a batch whose forward checkpoint cannot be stored', async () => {
      const flow = uniqueFlow('two-way-atomic-forward');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ checkpoint: { cursor: 1 }, reverseCheckpoint: { cursor: 'r1' } }),
      );
      const unstorable = { cursor: 10n } as unknown as Checkpoint;
      const failing = store().commitBatch(
        await fenceOf(store(), flow),
        batch({ checkpoint: unstorable, reverseCheckpoint: { cursor: 'r2' } }),
      );
      await expect(failing).rejects.toBeInstanceOf(SyncError);
      expect(await store().getCheckpoint(reverseCheckpointName(flow))).toEqual({ cursor: 'r1' });
    });
  });

  describe('key map and synced hashes', () => {
    it('returns only the keys that were synced, with target key, hash and delete flag', async () => {
      const flow = uniqueFlow('customers');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [syncedRecord('1'), syncedRecord('2', 'h2', true)] }),
      );
      const found = await store().getSynced(flow, ['1', '2', '3']);
      expect(found.size).toBe(2);
      expect(found.get('1')).toEqual({ key: '1', targetKey: 'T-1', hash: 'hash-1', deleted: false });
      expect(found.get('2')).toEqual({ key: '2', targetKey: 'T-2', hash: 'h2', deleted: true });
      expect(found.has('3')).toBe(false);
      expect((await store().getSynced(flow, [])).size).toBe(0);
    });

    it('overwrites the hash of a key synced again, and keeps flows apart', async () => {
      const flow = uniqueFlow('contacts');
      const other = uniqueFlow('contacts-other');
      await store().commitBatch(await fenceOf(store(), flow), batch({ synced: [syncedRecord('1', 'old')] }));
      await store().commitBatch(
        await fenceOf(store(), other),
        batch({ synced: [syncedRecord('1', 'other')] }),
      );
      await store().commitBatch(await fenceOf(store(), flow), batch({ synced: [syncedRecord('1', 'new')] }));
      expect((await store().getSynced(flow, ['1'])).get('1')?.hash).toBe('new');
      expect((await store().getSynced(other, ['1'])).get('1')?.hash).toBe('other');
    });

    it('commits 10,000 records in one batch and reads 40,000 keys in one call', async () => {
      const flow = uniqueFlow('bulk');
      const records = Array.from({ length: 10_000 }, (_, i) => syncedRecord(String(i * 4)));
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: records, checkpoint: { cursor: 10_000 } }),
      );
      // More keys than SQLite binds in one statement and PostgreSQL's 65,535 parameters allow per batch.
      const keys = Array.from({ length: 40_000 }, (_, i) => String(i));
      const found = await store().getSynced(flow, keys);
      expect(found.size).toBe(10_000);
      expect(found.get('39996')).toEqual(syncedRecord('39996'));
      expect(found.has('39997')).toBe(false);
    });
  });

  describe('batch commit', () => {
    it('applies key map, dead letters, resolved keys and checkpoint together', async () => {
      const flow = uniqueFlow('together');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ deadLetters: [deadLetter(flow, 'a')] }),
      );
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('a')],
          deadLetters: [deadLetter(flow, 'b')],
          resolvedKeys: ['a'],
          checkpoint: { cursor: 2 },
        }),
      );
      const letters = await store().listDeadLetters({ flow, limit: 10 });
      const statusByKey = Object.fromEntries(letters.map((l) => [l.key, l.status]));
      expect(statusByKey).toEqual({ a: 'replayed', b: 'open' });
      expect((await store().getSynced(flow, ['a'])).get('a')?.hash).toBe('hash-a');
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 2 });
    });

    it('leaves nothing of a batch visible when its checkpoint cannot be stored', async () => {
      const flow = uniqueFlow('atomic');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('a', 'h1')],
          deadLetters: [deadLetter(flow, 'x')],
          checkpoint: { cursor: 1 },
        }),
      );
      // A BigInt is not JSON: every store fails while storing this checkpoint, after the rest of the batch.
      const unstorable = { cursor: 10n } as unknown as Checkpoint;
      const failing = store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('a', 'h2'), syncedRecord('b')],
          deadLetters: [deadLetter(flow, 'y')],
          resolvedKeys: ['x'],
          checkpoint: unstorable,
        }),
      );
      await expect(failing).rejects.toBeInstanceOf(SyncError);
      await expectUnchangedAfterFailedCommit(store, flow);
    });

    it('leaves nothing of a batch visible when one of its dead letters cannot be stored', async () => {
      const flow = uniqueFlow('atomic-dead-letter');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('a', 'h1')],
          deadLetters: [deadLetter(flow, 'x')],
          checkpoint: { cursor: 1 },
        }),
      );
      const unstorable = { id: 'y', amount: 10n } as unknown as Row;
      const failing = store().commitBatch(
        await fenceOf(store(), flow),
        batch({
          synced: [syncedRecord('a', 'h2'), syncedRecord('b')],
          resolvedKeys: ['x'],
          deadLetters: [deadLetter(flow, 'z'), deadLetter(flow, 'y', 'bad', unstorable)],
          checkpoint: { cursor: 2 },
        }),
      );
      await expect(failing).rejects.toBeInstanceOf(SyncError);
      await expectUnchangedAfterFailedCommit(store, flow);
    });

    it('keeps everything the store holds after init() runs again', async () => {
      const flow = uniqueFlow('reinit');
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [syncedRecord('1')], checkpoint: { cursor: 1 } }),
      );
      await store().init();
      await store().init();
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 1 });
      expect((await store().getSynced(flow, ['1'])).size).toBe(1);
    });

    it('round-trips Chinese text and emoji in flows, keys, hashes and checkpoints', async () => {
      const flow = `订单同步-${uniqueFlow('😀')}`;
      const key = '客户-😀-001';
      const checkpoint = {
        cursor: '2024-05-01T08:00:00+08:00',
        note: '中文 🚀',
        nested: ['𝄞', { 名称: 'é' }],
      };
      await store().commitBatch(
        await fenceOf(store(), flow),
        batch({ synced: [syncedRecord(key, '哈希🔑')], checkpoint }),
      );
      expect(await store().getCheckpoint(flow)).toEqual(checkpoint);
      expect((await store().getSynced(flow, [key])).get(key)).toEqual({
        key,
        targetKey: `T-${key}`,
        hash: '哈希🔑',
        deleted: false,
      });
    });
  });
}

async function expectUnchangedAfterFailedCommit(store: CurrentStore, flow: string): Promise<void> {
  expect(await store().getCheckpoint(flow)).toEqual({ cursor: 1 });
  const synced = await store().getSynced(flow, ['a', 'b']);
  expect([...synced.values()]).toEqual([syncedRecord('a', 'h1')]);
  const letters = await store().listDeadLetters({ flow, limit: 10 });
  expect(letters.map((l) => [l.key, l.status])).toEqual([['x', 'open']]);
}
