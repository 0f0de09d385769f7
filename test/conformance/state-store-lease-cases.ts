import { describe, expect, it } from 'vitest';
import { sleep, uniqueFlow, type CurrentStore } from './state-store-samples.js';

const LONG_TTL_MS = 60_000;

/** Flow leases: one holder at a time, renewal, expiry and release. */
export function describeLeaseCases(store: CurrentStore): void {
  describe('leases', () => {
    it('lets only one owner hold a flow’s lease', async () => {
      const flow = uniqueFlow('lease');
      expect(await store().acquireLease(flow, 'worker-a', LONG_TTL_MS)).toBe(true);
      expect(await store().acquireLease(flow, 'worker-b', LONG_TTL_MS)).toBe(false);
      expect(await store().acquireLease(flow, 'worker-b', 0)).toBe(false);
    });

    it('keeps the leases of two flows apart', async () => {
      const flow = uniqueFlow('lease-one');
      const other = uniqueFlow('lease-two');
      expect(await store().acquireLease(flow, 'worker-a', LONG_TTL_MS)).toBe(true);
      expect(await store().acquireLease(other, 'worker-b', LONG_TTL_MS)).toBe(true);
    });

    it('renews the lease when its owner takes it again', async () => {
      const flow = uniqueFlow('renew');
      expect(await store().acquireLease(flow, 'worker-a', 0)).toBe(true);
      expect(await store().acquireLease(flow, 'worker-a', LONG_TTL_MS)).toBe(true);
      expect(await store().acquireLease(flow, 'worker-b', LONG_TTL_MS)).toBe(false);
    });

    it('lets another owner take over a lease that expired', async () => {
      const flow = uniqueFlow('expired');
      expect(await store().acquireLease(flow, 'worker-a', 0)).toBe(true);
      expect(await store().acquireLease(flow, 'worker-b', LONG_TTL_MS)).toBe(true);
      expect(await store().acquireLease(flow, 'worker-a', LONG_TTL_MS)).toBe(false);
    });

    it('lets a short lease run out in real time', async () => {
      const flow = uniqueFlow('short');
      expect(await store().acquireLease(flow, 'worker-a', 30)).toBe(true);
      await sleep(120);
      expect(await store().acquireLease(flow, 'worker-b', LONG_TTL_MS)).toBe(true);
    });

    it('releases a lease only for its owner', async () => {
      const flow = uniqueFlow('release');
      expect(await store().acquireLease(flow, 'worker-a', LONG_TTL_MS)).toBe(true);
      await store().releaseLease(flow, 'worker-b');
      expect(await store().acquireLease(flow, 'worker-b', LONG_TTL_MS)).toBe(false);
      await store().releaseLease(flow, 'worker-a');
      expect(await store().acquireLease(flow, 'worker-b', LONG_TTL_MS)).toBe(true);
      await store().releaseLease(uniqueFlow('never-leased'), 'worker-a');
    });

    it('tells who holds an unexpired lease, and nobody once it expired or was released', async () => {
      const flow = uniqueFlow('holder');
      expect(await store().getLeaseHolder(flow)).toBeUndefined();
      await store().acquireLease(flow, 'worker-a', LONG_TTL_MS);
      const holder = await store().getLeaseHolder(flow);
      expect(holder?.owner).toBe('worker-a');
      expect(Date.parse(holder?.expiresAt ?? '')).toBeGreaterThan(Date.now());
      await store().releaseLease(flow, 'worker-a');
      expect(await store().getLeaseHolder(flow)).toBeUndefined();
      await store().acquireLease(flow, 'worker-b', 0);
      expect(await store().getLeaseHolder(flow)).toBeUndefined();
    });

    it('round-trips Chinese text and emoji in flow and owner names', async () => {
      const flow = `库存-${uniqueFlow('📦')}`;
      expect(await store().acquireLease(flow, '工作进程-🐝', LONG_TTL_MS)).toBe(true);
      expect(await store().acquireLease(flow, '工作进程-🐝', LONG_TTL_MS)).toBe(true);
      expect(await store().acquireLease(flow, '工作进程-🐞', LONG_TTL_MS)).toBe(false);
    });
  });
}
