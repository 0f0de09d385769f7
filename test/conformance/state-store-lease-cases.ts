import { describe, expect, it } from 'vitest';
import { SyncError } from '../../src/core/errors.js';
import { reverseCheckpointName, type LeaseFence } from '../../src/core/state-store.js';
import {
  batch,
  deadLetter,
  sleep,
  syncedRecord,
  uniqueFlow,
  type CurrentStore,
} from './state-store-samples.js';

const LONG_TTL_MS = 60_000;

/** Flow leases: one holder at a time, renewal, expiry and release, fencing tokens. */
export function describeLeaseCases(store: CurrentStore): void {
  /** The fence `owner` takes on `flow`; fails the case when the lease is held by another. */
  async function take(flow: string, owner: string, ttlMs = LONG_TTL_MS): Promise<LeaseFence> {
    const fence = await store().acquireLease(flow, owner, ttlMs);
    expect(fence, `${owner} should get the lease of ${flow}`).toBeDefined();
    return fence!;
  }

  describe('leases', () => {
    it('lets only one owner hold a flow’s lease', async () => {
      const flow = uniqueFlow('lease');
      expect(await store().acquireLease(flow, 'worker-a', LONG_TTL_MS)).toEqual({
        flow,
        owner: 'worker-a',
        token: 1,
      });
      expect(await store().acquireLease(flow, 'worker-b', LONG_TTL_MS)).toBeUndefined();
      expect(await store().acquireLease(flow, 'worker-b', 0)).toBeUndefined();
    });

    it('keeps the leases of two flows apart', async () => {
      const flow = uniqueFlow('lease-one');
      const other = uniqueFlow('lease-two');
      await take(flow, 'worker-a');
      expect((await take(other, 'worker-b')).token).toBe(1);
    });

    it('renews the lease when its owner takes it again, keeping the token', async () => {
      const flow = uniqueFlow('renew');
      const first = await take(flow, 'worker-a', 0);
      expect(await take(flow, 'worker-a')).toEqual(first);
      expect(await store().acquireLease(flow, 'worker-b', LONG_TTL_MS)).toBeUndefined();
      expect((await store().getLeaseHolder(flow))?.token).toBe(first.token);
    });

    it('raises the token when another owner takes over a lease that expired', async () => {
      const flow = uniqueFlow('expired');
      const first = await take(flow, 'worker-a', 0);
      const second = await take(flow, 'worker-b');
      expect(second.token).toBe(first.token + 1);
      expect(await store().acquireLease(flow, 'worker-a', LONG_TTL_MS)).toBeUndefined();
      await store().releaseLease(flow, 'worker-b');
      expect((await take(flow, 'worker-a')).token).toBe(first.token + 2);
    });

    it('lets a short lease run out in real time', async () => {
      const flow = uniqueFlow('short');
      await take(flow, 'worker-a', 30);
      await sleep(120);
      expect((await take(flow, 'worker-b')).token).toBe(2);
    });

    it('releases a lease only for its owner, keeping its token counter', async () => {
      const flow = uniqueFlow('release');
      await take(flow, 'worker-a');
      await store().releaseLease(flow, 'worker-b');
      expect(await store().acquireLease(flow, 'worker-b', LONG_TTL_MS)).toBeUndefined();
      await store().releaseLease(flow, 'worker-a');
      expect((await take(flow, 'worker-b')).token).toBe(2);
      await store().releaseLease(uniqueFlow('never-leased'), 'worker-a');
    });

    it('tells who holds an unexpired lease and its token, and nobody once it expired or was released', async () => {
      const flow = uniqueFlow('holder');
      expect(await store().getLeaseHolder(flow)).toBeUndefined();
      await take(flow, 'worker-a');
      const holder = await store().getLeaseHolder(flow);
      expect(holder).toMatchObject({ owner: 'worker-a', token: 1 });
      expect(Date.parse(holder?.expiresAt ?? '')).toBeGreaterThan(Date.now());
      await store().releaseLease(flow, 'worker-a');
      expect(await store().getLeaseHolder(flow)).toBeUndefined();
      await take(flow, 'worker-b', 0);
      expect(await store().getLeaseHolder(flow)).toBeUndefined();
    });

    it('round-trips Chinese text and emoji in flow and owner names', async () => {
      const flow = `库存-${uniqueFlow('📦')}`;
      const fence = await take(flow, '工作进程-🐝');
      expect(await take(flow, '工作进程-🐝')).toEqual(fence);
      expect(await store().acquireLease(flow, '工作进程-🐞', LONG_TTL_MS)).toBeUndefined();
    });
  });

  describe('fencing', () => {
    /** A flow whose lease `worker-a` held (checkpoint 1, key `k` synced with hash `h1`), then `worker-b` took over. */
    async function takenOver(
      label: string,
    ): Promise<{ flow: string; stale: LeaseFence; current: LeaseFence }> {
      const flow = uniqueFlow(label);
      const stale = await take(flow, 'worker-a', 0);
      await store().commitBatch(
        stale,
        batch({
          synced: [syncedRecord('k', 'h1')],
          deadLetters: [deadLetter(flow, 'bad')],
          checkpoint: { cursor: 1 },
          reverseCheckpoint: { cursor: 'r1' },
        }),
      );
      const current = await take(flow, 'worker-b');
      return { flow, stale, current };
    }

    async function expectLeaseLost(change: Promise<void>, flow: string): Promise<void> {
      const error = await change.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(SyncError);
      expect(error).toMatchObject({ code: 'LEASE_LOST', retryable: false, flow });
      expect((error as SyncError).message).toContain(flow);
      expect((error as SyncError).message).toContain('another process took the flow over');
    }

    it('refuses the commit of a stale fence and applies nothing of it', async () => {
      const { flow, stale, current } = await takenOver('stale-commit');
      await expectLeaseLost(
        store().commitBatch(
          stale,
          batch({
            synced: [syncedRecord('k', 'h2'), syncedRecord('new')],
            deadLetters: [deadLetter(flow, 'other')],
            resolvedKeys: ['bad'],
            checkpoint: { cursor: 2 },
            reverseCheckpoint: { cursor: 'r2' },
          }),
        ),
        flow,
      );
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 1 });
      expect(await store().getCheckpoint(reverseCheckpointName(flow))).toEqual({ cursor: 'r1' });
      const synced = await store().getSynced(flow, ['k', 'new']);
      expect([...synced.keys()]).toEqual(['k']);
      expect(synced.get('k')?.hash).toBe('h1');
      const letters = await store().listDeadLetters({ flow, limit: 10 });
      expect(letters.map((letter) => [letter.key, letter.status])).toEqual([['bad', 'open']]);

      await store().commitBatch(current, batch({ checkpoint: { cursor: 3 } }));
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 3 });
    });

    it('refuses a stale fence even after the new owner released the lease', async () => {
      const { flow, stale } = await takenOver('stale-after-release');
      await store().releaseLease(flow, 'worker-b');
      await expectLeaseLost(store().commitBatch(stale, batch({ checkpoint: { cursor: 2 } })), flow);
      // Taking the lease again is a takeover too: the old fence stays stale.
      const again = await take(flow, 'worker-a');
      expect(again.token).toBeGreaterThan(stale.token);
      await expectLeaseLost(store().commitBatch(stale, batch({ checkpoint: { cursor: 2 } })), flow);
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 1 });
    });

    it('accepts the commit of an expired lease nobody took over', async () => {
      const flow = uniqueFlow('expired-untaken');
      const fence = await take(flow, 'worker-a', 0);
      await store().commitBatch(fence, batch({ checkpoint: { cursor: 1 } }));
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 1 });
    });

    it('refuses a fence of a flow never leased', async () => {
      const flow = uniqueFlow('never-leased');
      await expectLeaseLost(
        store().commitBatch({ flow, owner: 'worker-a', token: 1 }, batch({ checkpoint: { cursor: 1 } })),
        flow,
      );
      expect(await store().getCheckpoint(flow)).toBeUndefined();
    });

    it('refuses the checkpoint reset of a stale fence and keeps both checkpoints', async () => {
      const { flow, stale } = await takenOver('stale-reset');
      await expectLeaseLost(store().resetCheckpoints(stale), flow);
      expect(await store().getCheckpoint(flow)).toEqual({ cursor: 1 });
      expect(await store().getCheckpoint(reverseCheckpointName(flow))).toEqual({ cursor: 'r1' });
    });

    it('refuses the dead-letter status change of a stale fence and changes no status', async () => {
      const { flow, stale, current } = await takenOver('stale-status');
      const [letter] = await store().listDeadLetters({ flow, limit: 1 });
      await expectLeaseLost(store().setDeadLetterStatus(stale, [letter!.id], 'discarded'), flow);
      expect((await store().getDeadLetter(letter!.id))?.status).toBe('open');
      await store().setDeadLetterStatus(current, [letter!.id], 'discarded');
      expect((await store().getDeadLetter(letter!.id))?.status).toBe('discarded');
    });

    it('refuses to change dead letters of another flow, and changes none of the list', async () => {
      const { flow, current } = await takenOver('own-letters');
      const other = uniqueFlow('other-letters');
      const otherFence = await take(other, 'worker-a');
      await store().commitBatch(otherFence, batch({ deadLetters: [deadLetter(other, 'x')] }));
      const [own] = await store().listDeadLetters({ flow, limit: 1 });
      const [foreign] = await store().listDeadLetters({ flow: other, limit: 1 });
      const error = await store()
        .setDeadLetterStatus(current, [own!.id, foreign!.id], 'discarded')
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
      expect(error).toBeInstanceOf(SyncError);
      expect(error).toMatchObject({ retryable: false, flow });
      expect((error as SyncError).message).toContain(`#${foreign!.id}`);
      expect((await store().getDeadLetter(own!.id))?.status).toBe('open');
      expect((await store().getDeadLetter(foreign!.id))?.status).toBe('open');
    });
  });
}
