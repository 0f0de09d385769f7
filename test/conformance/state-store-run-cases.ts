import { describe, expect, it } from 'vitest';
import type { SyncErrorJson } from '../../src/core/errors.js';
import { KEYED_TRIGGERS, type RunTrigger } from '../../src/core/state-store.js';
import { ISO_UTC, runCounts, uniqueFlow, type CurrentStore } from './state-store-samples.js';

/** Run history and flow meta. */
export function describeRunAndMetaCases(store: CurrentStore): void {
  describe('runs', () => {
    it('records a started run as running, with zero counts and no end', async () => {
      const flow = uniqueFlow('started');
      const id = await store().startRun(flow, 'manual');
      const [run] = await store().listRuns({ flow, limit: 10 });
      expect(run).toEqual({
        id,
        flow,
        trigger: 'manual',
        status: 'running',
        startedAt: expect.stringMatching(ISO_UTC) as unknown,
        finishedAt: undefined,
        durationMs: undefined,
        counts: runCounts(),
        error: undefined,
      });
    });

    it('records how a run ended: status, counts, end time, duration and error', async () => {
      const flow = uniqueFlow('finished');
      const ok = await store().startRun(flow, 'schedule');
      const failed = await store().startRun(flow, 'event');
      const counts = runCounts({ read: 10, written: 7, unchanged: 1, quarantined: 1, failed: 1, deleted: 2 });
      await store().finishRun(ok, { status: 'succeeded', counts });
      const error: SyncErrorJson = {
        code: 'CONNECTOR_UNAVAILABLE',
        message: 'ERP 无法连接 🔌',
        retryable: true,
        flow,
        key: '42',
      };
      await store().finishRun(failed, { status: 'failed', counts: runCounts({ read: 3 }), error });

      const [failedRun, okRun] = await store().listRuns({ flow, limit: 10 });
      expect(okRun).toMatchObject({
        id: ok,
        trigger: 'schedule',
        status: 'succeeded',
        counts,
        error: undefined,
      });
      expect(okRun!.finishedAt).toMatch(ISO_UTC);
      expect(okRun!.finishedAt! >= okRun!.startedAt).toBe(true);
      expect(Number.isInteger(okRun!.durationMs)).toBe(true);
      expect(okRun!.durationMs).toBeGreaterThanOrEqual(0);
      expect(failedRun).toMatchObject({ id: failed, trigger: 'event', status: 'failed', error });
    });

    it('refuses to finish a run that was never started', async () => {
      await expect(
        store().finishRun(987_654_321, { status: 'aborted', counts: runCounts() }),
      ).rejects.toThrow();
    });

    it('lists runs newest first, by flow, up to the limit', async () => {
      const flow = uniqueFlow('history');
      const other = uniqueFlow('history-other');
      const first = await store().startRun(flow, 'start');
      const second = await store().startRun(flow, 'schedule');
      const elsewhere = await store().startRun(other, 'catch-up');
      const third = await store().startRun(flow, 'resync');
      expect(new Set([first, second, third, elsewhere]).size).toBe(4);

      expect((await store().listRuns({ flow, limit: 10 })).map((r) => r.id)).toEqual([third, second, first]);
      expect((await store().listRuns({ flow, limit: 2 })).map((r) => r.id)).toEqual([third, second]);
      const all = (await store().listRuns({ limit: 1000 })).map((r) => r.id);
      expect(all.filter((id) => [first, second, third, elsewhere].includes(id))).toEqual([
        third,
        elsewhere,
        second,
        first,
      ]);
    });

    it('finds the newest successful run of a flow', async () => {
      const flow = uniqueFlow('last-ok');
      const other = uniqueFlow('last-ok-other');
      expect(await store().lastSuccessfulRun(flow)).toBeUndefined();
      const first = await store().startRun(flow, 'schedule');
      await store().finishRun(first, { status: 'succeeded', counts: runCounts({ read: 1 }) });
      const second = await store().startRun(flow, 'schedule');
      await store().finishRun(second, { status: 'failed', counts: runCounts() });
      await store().startRun(flow, 'schedule');
      const elsewhere = await store().startRun(other, 'replay');
      await store().finishRun(elsewhere, { status: 'succeeded', counts: runCounts() });
      expect((await store().lastSuccessfulRun(flow))?.id).toBe(first);

      const third = await store().startRun(flow, 'manual');
      await store().finishRun(third, { status: 'succeeded', counts: runCounts({ read: 3 }) });
      const last = await store().lastSuccessfulRun(flow);
      expect(last).toMatchObject({ id: third, status: 'succeeded', counts: runCounts({ read: 3 }) });
    });

    it('does not count resyncs, replays, repairs or reference retries as the last successful run', async () => {
      const flow = uniqueFlow('keyed');
      const cycle = await store().startRun(flow, 'schedule');
      await store().finishRun(cycle, { status: 'succeeded', counts: runCounts({ read: 1 }) });
      const keyed: RunTrigger[] = ['resync', 'replay', 'repair', 'retry'];
      expect([...KEYED_TRIGGERS].sort()).toEqual([...keyed].sort());
      for (const trigger of keyed) {
        const id = await store().startRun(flow, trigger);
        await store().finishRun(id, { status: 'succeeded', counts: runCounts({ written: 1 }) });
      }
      expect((await store().lastSuccessfulRun(flow))?.id).toBe(cycle);
      const triggers = (await store().listRuns({ flow, limit: 10 })).map((run) => run.trigger);
      expect(triggers).toEqual(['retry', 'repair', 'replay', 'resync', 'schedule']);

      const event = await store().startRun(flow, 'event');
      await store().finishRun(event, { status: 'succeeded', counts: runCounts() });
      expect((await store().lastSuccessfulRun(flow))?.id).toBe(event);
    });
  });

  describe('flow meta', () => {
    it('has no value under a name never set', async () => {
      expect(await store().getFlowMeta(uniqueFlow('meta'), 'cadence')).toBeUndefined();
    });

    it('round-trips JSON values per flow and name, the last write winning', async () => {
      const flow = uniqueFlow('meta');
      const other = uniqueFlow('meta-other');
      const decision = {
        intervalMs: 60_000,
        reason: '高峰期加速 🚀',
        peaks: ['09:00', '14:00'],
        paused: false,
      };
      await store().setFlowMeta(flow, 'cadence', decision);
      await store().setFlowMeta(flow, 'fingerprint', 'sha256:abc');
      await store().setFlowMeta(other, 'cadence', 5);
      expect(await store().getFlowMeta(flow, 'cadence')).toEqual(decision);
      expect(await store().getFlowMeta(flow, 'fingerprint')).toBe('sha256:abc');
      expect(await store().getFlowMeta(other, 'cadence')).toBe(5);

      await store().setFlowMeta(flow, 'cadence', [1, '二', { 三: true }]);
      expect(await store().getFlowMeta(flow, 'cadence')).toEqual([1, '二', { 三: true }]);
    });

    it('keeps a stored null apart from a missing value', async () => {
      const flow = uniqueFlow('meta-null');
      await store().setFlowMeta(flow, 'note', null);
      expect(await store().getFlowMeta(flow, 'note')).toBeNull();
      await store().setFlowMeta(flow, 'flag', false);
      expect(await store().getFlowMeta(flow, 'flag')).toBe(false);
    });
  });
}
