import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { RECONCILE_META } from '../../src/core/reconcile/reconcile.js';
import { LocalRuntime } from '../../src/runtime/local/local-runtime.js';
import type { EngineContext, ReconcileFinishedEvent } from '../../src/runtime/runtime.js';
import { eventually } from '../support/eventually.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// A flow's `reconcile:` schedule on the local runtime (embedded stack): the comparison runs on its
// interval, its drift is recorded for status and metrics, and `repair: true` repairs and is audited.

let fixture: SqliteFlowFixture;

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  fixture.insertAccounts(plainAccounts(12));
});

afterEach(async () => {
  await fixture.close();
});

function contextFor(repair: boolean): EngineContext {
  const flow = compileFlow('customers', {
    ...customersFlowConfig(),
    cadence: { everyMs: 3_600_000 },
    reconcile: { everyMs: 200, repair },
  });
  return { flows: [flow], state: fixture.state, logger: silentLogger, portsFor: () => fixture.ports() };
}

describe('scheduled reconcile', () => {
  it('records the drift it finds on its schedule, audited as the scheduler, and reports it', async () => {
    const runtime = new LocalRuntime(contextFor(false));
    const finished: ReconcileFinishedEvent[] = [];
    runtime.subscribe((event) => {
      if (event.type === 'reconcile.finished') finished.push(event);
    });
    const running = runtime.start();
    await eventually(() => fixture.customers().length === 12, 'the first cycle wrote every account');
    fixture.executeOnTarget("UPDATE customers SET name = 'changed in the ERP' WHERE crm_id = 5");
    await eventually(
      async () =>
        (await fixture.state.listReconciliations({ flow: 'customers', limit: 1 }))[0]?.different === 1,
      'a scheduled reconcile found the changed row',
    );
    await runtime.stop();
    await running;
    expect(finished.some((event) => event.different === 1 && event.status === 'succeeded')).toBe(true);
    const meta = (await fixture.state.getFlowMeta('customers', RECONCILE_META)) as { drift: number };
    expect(meta.drift).toBe(1);
    const [entry] = await fixture.state.listAudit({ flow: 'customers', action: 'reconcile', limit: 1 });
    expect(entry).toMatchObject({
      actor: 'scheduler',
      subject: 'accounts ↔ customers',
      details: { mode: 'checksum', repair: false, scheduled: true },
    });
    expect(
      await fixture.state.listAudit({ flow: 'customers', action: 'reconcile.repair', limit: 1 }),
    ).toEqual([]);
  });

  it('repairs on its schedule with repair: true, audited as the scheduler', async () => {
    const runtime = new LocalRuntime(contextFor(true));
    const running = runtime.start();
    await eventually(() => fixture.customers().length === 12, 'the first cycle wrote every account');
    fixture.executeOnTarget('DELETE FROM customers WHERE crm_id = 7');
    await eventually(
      () => fixture.customers().some((row) => row.crm_id === 7),
      'a scheduled repair wrote the deleted row again',
    );
    await runtime.stop();
    await running;
    const [entry] = await fixture.state.listAudit({
      flow: 'customers',
      action: 'reconcile.repair',
      limit: 5,
    });
    expect(entry).toMatchObject({ actor: 'scheduler', result: 'succeeded' });
  });
});
