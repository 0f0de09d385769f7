import { describe, expect, it } from 'vitest';
import { StateStoreError } from '../../src/core/errors.js';
import { ISO_UTC, auditInput, uniqueFlow, type CurrentStore } from './state-store-samples.js';

/** The audit log of manual actions: started before they run, finished with their result. */
export function describeAuditCases(store: CurrentStore): void {
  describe('audit log', () => {
    it('records a started action with everything it was given and no end yet', async () => {
      const flow = uniqueFlow('audited');
      const entry = auditInput(flow, {
        action: 'conflict.resolve',
        subject: '冲突 #3 🔧',
        details: { keys: ['17', '18'], take: 'target', dryRun: false, note: null },
      });
      const id = await store().startAudit(entry);
      const [listed] = await store().listAudit({ flow, limit: 10 });
      expect(listed).toEqual({
        ...entry,
        id,
        at: expect.stringMatching(ISO_UTC) as unknown,
        result: 'started',
      });
      expect(listed!.finishedAt).toBeUndefined();
      expect(listed!.outcome).toBeUndefined();
    });

    it('leaves out what an entry was not given, and keeps given null details apart', async () => {
      const bare = await store().startAudit({ actor: 'ops@host', action: 'status' });
      const withNull = await store().startAudit({ actor: 'ops@host', action: 'status', details: null });
      const listed = await store().listAudit({ action: 'status', limit: 1000 });
      const bareEntry = listed.find((entry) => entry.id === bare)!;
      expect(bareEntry).toEqual({
        id: bare,
        actor: 'ops@host',
        action: 'status',
        at: bareEntry.at,
        result: 'started',
      });
      expect('flow' in bareEntry || 'subject' in bareEntry || 'details' in bareEntry).toBe(false);
      expect(listed.find((entry) => entry.id === withNull)!.details).toBeNull();
    });

    it('finishes an entry with its result, outcome and end time', async () => {
      const flow = uniqueFlow('finish');
      const ok = await store().startAudit(auditInput(flow));
      const failed = await store().startAudit(auditInput(flow, { action: 'dlq.replay' }));
      await store().finishAudit(ok, 'succeeded', '2 keys resynced');
      await store().finishAudit(failed, 'failed', 'ERP 无法连接 🔌');

      const [failedEntry, okEntry] = await store().listAudit({ flow, limit: 10 });
      expect(okEntry).toMatchObject({ id: ok, result: 'succeeded', outcome: '2 keys resynced' });
      expect(okEntry!.finishedAt).toMatch(ISO_UTC);
      expect(okEntry!.finishedAt! >= okEntry!.at).toBe(true);
      expect(failedEntry).toMatchObject({ id: failed, result: 'failed', outcome: 'ERP 无法连接 🔌' });
    });

    it('refuses to finish an entry that was never started, naming its id', async () => {
      const finishing = store().finishAudit(987_654_321, 'succeeded', 'done');
      await expect(finishing).rejects.toBeInstanceOf(StateStoreError);
      await expect(finishing).rejects.toThrow(/987654321/);
    });

    it('lists newest first, filtered by flow and action, up to the limit', async () => {
      const flow = uniqueFlow('audit-a');
      const other = uniqueFlow('audit-b');
      const first = await store().startAudit(auditInput(flow, { action: 'resync' }));
      const second = await store().startAudit(auditInput(flow, { action: 'dlq.replay' }));
      const elsewhere = await store().startAudit(auditInput(other, { action: 'resync' }));
      const third = await store().startAudit(auditInput(flow, { action: 'resync' }));
      // Finishing an entry does not make it newer: the log is in the order actions started.
      await store().finishAudit(first, 'succeeded', 'done');

      const idsOf = (entries: readonly { id: number }[]): number[] => entries.map((entry) => entry.id);
      expect(idsOf(await store().listAudit({ flow, limit: 10 }))).toEqual([third, second, first]);
      expect(idsOf(await store().listAudit({ flow, action: 'resync', limit: 10 }))).toEqual([third, first]);
      expect(idsOf(await store().listAudit({ flow, limit: 2 }))).toEqual([third, second]);
      expect(await store().listAudit({ flow, limit: 0 })).toEqual([]);
      const all = idsOf(await store().listAudit({ limit: 1000 }));
      expect(all.filter((id) => [first, second, third, elsewhere].includes(id))).toEqual([
        third,
        elsewhere,
        second,
        first,
      ]);
    });
  });
}
