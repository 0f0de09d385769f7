import { describe, expect, it } from 'vitest';
import { runCounts, uniqueFlow, type CurrentStore } from './state-store-samples.js';

const MINUTE = 60_000;

/** What the dashboard reads: run history summed by time bucket in the store, and alert episodes. */
export function describeDashboardCases(store: CurrentStore): void {
  describe('run activity', () => {
    it('sums the runs of a time range per flow and bucket; only finished cycles count as cycles', async () => {
      const flow = uniqueFlow('activity');
      const other = uniqueFlow('activity-other');
      const finish = async (
        name: string,
        trigger: 'schedule' | 'resync',
        status: 'succeeded' | 'failed',
        read: number,
      ): Promise<void> => {
        const id = await store().startRun(name, trigger);
        await store().finishRun(id, { status, counts: runCounts({ read, written: read, quarantined: 1 }) });
      };
      await finish(flow, 'schedule', 'succeeded', 5);
      await finish(flow, 'schedule', 'failed', 2);
      await finish(flow, 'resync', 'succeeded', 1);
      await store().startRun(flow, 'schedule');
      await finish(other, 'schedule', 'succeeded', 7);
      const now = Date.now();
      const range = {
        since: new Date(now - 5 * MINUTE).toISOString(),
        until: new Date(now + 5 * MINUTE).toISOString(),
      };

      const buckets = await store().runActivity({ ...range, bucketMs: 10 * MINUTE, flow });
      expect(buckets).toHaveLength(1);
      expect(buckets[0]).toMatchObject({
        flow,
        bucket: 0,
        cycles: 2,
        succeeded: 1,
        failed: 1,
        read: 8,
        written: 8,
        quarantined: 3,
      });
      expect(Date.parse(buckets[0]!.lastSuccessAt ?? '')).toBeLessThanOrEqual(now);

      const fine = await store().runActivity({ ...range, bucketMs: MINUTE });
      const ofOther = fine.filter((bucket) => bucket.flow === other);
      expect(ofOther.map((bucket) => [bucket.cycles, bucket.read])).toEqual([[1, 7]]);
      expect(ofOther[0]!.bucket).toBeGreaterThanOrEqual(4);
      expect(ofOther[0]!.bucket).toBeLessThanOrEqual(5);
    });

    it('leaves out runs before `since` and from `until` on, and refuses a range that ends before it starts', async () => {
      const flow = uniqueFlow('activity-range');
      const id = await store().startRun(flow, 'schedule');
      await store().finishRun(id, { status: 'succeeded', counts: runCounts({ read: 1 }) });
      const now = Date.now();
      const past = {
        since: new Date(now - 10 * MINUTE).toISOString(),
        until: new Date(now - 5 * MINUTE).toISOString(),
      };
      expect(await store().runActivity({ ...past, bucketMs: MINUTE, flow })).toEqual([]);
      await expect(
        store().runActivity({ since: past.until, until: past.since, bucketMs: MINUTE, flow }),
      ).rejects.toThrow(/not a time range/);
    });
  });

  describe('alert history', () => {
    it('keeps an episode from firing to resolved in one entry, and lists and counts by status', async () => {
      const flow = uniqueFlow('alerting');
      const startsAt = '2026-12-03T08:00:00.000Z';
      const firing = {
        rule: 'stale',
        flow,
        severity: 'critical',
        status: 'firing',
        startsAt,
        summary: 'orders 延迟 20m',
      } as const;
      await store().recordAlert(firing);
      await store().recordAlert({
        rule: 'dlq',
        flow,
        severity: 'warning',
        status: 'firing',
        startsAt,
        summary: 'dead letters',
      });
      expect(await store().countAlerts({ flow, status: 'firing' })).toBe(2);
      expect(await store().countAlerts({ flow, status: 'firing', severity: 'critical' })).toBe(1);

      await store().recordAlert({
        ...firing,
        status: 'resolved',
        endsAt: '2026-12-03T08:20:00.000Z',
        summary: 'back',
      });
      const listed = await store().listAlerts({ flow, limit: 10 });
      expect(listed.map((episode) => [episode.rule, episode.status])).toEqual([
        ['dlq', 'firing'],
        ['stale', 'resolved'],
      ]);
      expect(listed[1]).toMatchObject({ startsAt, endsAt: '2026-12-03T08:20:00.000Z', summary: 'back' });
      expect(await store().listAlerts({ flow, status: 'resolved', limit: 10 })).toHaveLength(1);
      expect(await store().countAlerts({ flow, status: 'firing' })).toBe(1);
    });
  });
}
