import { describe, expect, it } from 'vitest';
import type { SyncErrorJson } from '../../src/core/errors.js';
import { reconciliation, uniqueFlow, type CurrentStore } from './state-store-samples.js';

/** The history of reconciliations: one summary per run, listed newest first. */
export function describeReconciliationCases(store: CurrentStore): void {
  describe('reconciliations', () => {
    it('records a summary with its counts and no error', async () => {
      const flow = uniqueFlow('reconciled');
      const summary = reconciliation(flow, {
        mode: 'full',
        missing: 3,
        extra: 1,
        different: 2,
        repaired: 5,
        rowsTransferred: 120_000,
      });
      const id = await store().recordReconciliation(summary);
      const [listed] = await store().listReconciliations({ flow, limit: 10 });
      expect(listed).toEqual({ ...summary, id });
      expect(listed!.error).toBeUndefined();
    });

    it('records the error of a failed reconciliation', async () => {
      const flow = uniqueFlow('reconcile-failed');
      const error: SyncErrorJson = {
        code: 'CONNECTOR_UNAVAILABLE',
        message: 'ERP 无法连接 🔌',
        retryable: true,
        flow,
      };
      const id = await store().recordReconciliation(reconciliation(flow, { status: 'failed', error }));
      const [listed] = await store().listReconciliations({ flow, limit: 1 });
      expect(listed).toMatchObject({ id, status: 'failed', error });
    });

    it('lists newest first, by flow, up to the limit', async () => {
      const flow = uniqueFlow('history-a');
      const other = uniqueFlow('history-b');
      const first = await store().recordReconciliation(reconciliation(flow, { missing: 1 }));
      const elsewhere = await store().recordReconciliation(reconciliation(other));
      const second = await store().recordReconciliation(reconciliation(flow, { missing: 2 }));

      const idsOf = (records: readonly { id: number }[]): number[] => records.map((record) => record.id);
      expect(idsOf(await store().listReconciliations({ flow, limit: 10 }))).toEqual([second, first]);
      expect(idsOf(await store().listReconciliations({ flow, limit: 1 }))).toEqual([second]);
      expect(await store().listReconciliations({ flow, limit: 0 })).toEqual([]);
      const all = idsOf(await store().listReconciliations({ limit: 1000 }));
      expect(all.filter((id) => [first, second, elsewhere].includes(id))).toEqual([second, elsewhere, first]);
    });
  });
}
