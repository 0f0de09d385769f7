import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/core/cycle.js';
import { compileFlow, type Flow } from '../../src/core/flow.js';
import type { DeadLetterInput } from '../../src/core/state-store.js';
import { queryAudit } from '../../src/operations/audit-log.js';
import { listDeadLetters, replayDeadLetters } from '../../src/operations/dead-letters.js';
import { pauseFlow, resumeFlow, runFlowNow } from '../../src/operations/flow-control.js';
import { flowRuns } from '../../src/operations/flow-history.js';
import { flowStatuses } from '../../src/operations/flow-status.js';
import type { OperationsContext } from '../../src/operations/operations-context.js';
import { resyncFlow } from '../../src/operations/resync.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// The operations layer on the embedded stack: what the CLI and the API call, proved once here.

let fixture: SqliteFlowFixture;
let flow: Flow;
let context: OperationsContext;
const actor = 'tester@ops';

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  flow = compileFlow('customers', customersFlowConfig({ batch: 500 }));
  context = fixture.operations([flow]);
});

afterEach(async () => {
  await fixture.close();
});

/** Parks `count` open dead letters for accounts 1…count, as a cycle would, under the flow's lease. */
async function parkDeadLetters(count: number): Promise<void> {
  const fence = await fixture.state.acquireLease(flow.name, 'seeder', 60_000);
  if (fence === undefined) throw new Error('the seeder could not take the lease');
  const letters: DeadLetterInput[] = plainAccounts(count).map((account) => ({
    flow: flow.name,
    key: String(account.id),
    kind: 'write',
    code: 'CONNECTOR_CONSTRAINT_VIOLATION',
    reason: 'refused by a CHECK constraint',
    payload: { id: account.id },
  }));
  for (let start = 0; start < letters.length; start += 5_000)
    await fixture.state.commitBatch(fence, {
      synced: [],
      deadLetters: letters.slice(start, start + 5_000),
      resolvedKeys: [],
    });
  await fixture.state.releaseLease(flow.name, 'seeder');
}

describe('operations: status counts in the state store', () => {
  it('counts every open dead letter, beyond any list cap', async () => {
    await parkDeadLetters(12_345);
    const [status] = await flowStatuses(context);
    expect(status).toMatchObject({ flow: 'customers', openDeadLetters: 12_345, openConflicts: 0 });
    const page = await listDeadLetters(context, { flow: 'customers', limit: 10 });
    expect(page.total).toBe(12_345);
    expect(page.items).toHaveLength(10);
    expect(page.nextBefore).toBe(page.items.at(-1)?.id);
  });

  it('names the flows there are for an unknown flow', async () => {
    await expect(flowStatuses(context, { flow: 'nope' })).rejects.toMatchObject({
      code: 'FLOW_UNKNOWN',
      message: expect.stringContaining('customers') as unknown,
    });
  });
});

describe('operations: dead-letter replay walks every page', () => {
  it('replays 2,500 open dead letters in pages, writes each record once and audits one entry', async () => {
    fixture.insertAccounts(plainAccounts(2_500));
    await parkDeadLetters(2_500);
    const outcome = await replayDeadLetters(context, { actor, flow: 'customers' });
    expect(outcome.isClean).toBe(true);
    expect(outcome.flows).toMatchObject([
      { flow: 'customers', replayed: 2_500, stillFailingCount: 0, discarded: 0, counts: { written: 2_500 } },
    ]);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
    expect(await fixture.state.countDeadLetters({ flow: 'customers', status: 'open' })).toBe(0);
    expect(await fixture.state.countDeadLetters({ flow: 'customers', status: 'replayed' })).toBe(2_500);
    const audit = await queryAudit(context, { action: 'dlq.replay' });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actor, result: 'succeeded', subject: '2,500 open dead letters' });
  });

  it('discards the letters of records the source no longer has', async () => {
    fixture.insertAccounts(plainAccounts(3));
    await parkDeadLetters(5);
    const outcome = await replayDeadLetters(context, { actor });
    expect(outcome.flows[0]).toMatchObject({ replayed: 5, discarded: 2, stillFailingCount: 0 });
    expect(await fixture.state.countDeadLetters({ flow: 'customers', status: 'discarded' })).toBe(2);
  });
});

describe('operations: pause and resume without a runtime in this process', () => {
  it('keeps the pause in the state store, shows it in status and audits both', async () => {
    await pauseFlow(context, { actor, flow: 'customers', reason: 'ERP upgrade' });
    const [paused] = await flowStatuses(context);
    expect(paused?.paused).toMatchObject({ by: actor, reason: 'ERP upgrade' });
    expect(paused?.nextRunAt).toBeUndefined();
    await resumeFlow(context, { actor, flow: 'customers' });
    const [resumed] = await flowStatuses(context);
    expect(resumed?.paused).toBeUndefined();
    const audit = await queryAudit(context, {});
    expect(audit.items.map((entry) => entry.action)).toEqual(['flow.resume', 'flow.pause']);
  });

  it('refuses to run a flow now when no runtime runs here', async () => {
    await expect(runFlowNow(context, { actor, flow: 'customers' })).rejects.toMatchObject({
      code: 'RUNTIME_NOT_RUNNING',
    });
  });
});

describe('operations: resync and history', () => {
  it('resets both checkpoints under the flow lease and the next cycle reads everything again', async () => {
    fixture.insertAccounts(plainAccounts(4));
    const signal = new AbortController().signal;
    await runCycle(flow, fixture.ports(), { trigger: 'manual', signal });
    expect(await fixture.state.getCheckpoint('customers')).toBeDefined();
    const outcome = await resyncFlow(context, { actor, flow: 'customers', target: { all: true } });
    expect(outcome).toMatchObject({ mode: 'all', status: 'succeeded' });
    expect(await fixture.state.getCheckpoint('customers')).toBeUndefined();
    const again = await runCycle(flow, fixture.ports(), { trigger: 'manual', signal });
    // Every row is read again (the reader may see the last one twice), none written: the hashes stand.
    expect(again.counts.read).toBeGreaterThanOrEqual(4);
    expect(again.counts).toMatchObject({ written: 0, unchanged: again.counts.read });
  });

  it('reports the keys a resync dead-lettered and the keys the source does not have', async () => {
    fixture.insertAccounts([{ id: 1, name: 'ok', status: 'active', qty: 1, version: 1 }]);
    fixture.insertAccounts([{ id: 2, name: 'bad', status: 'active', qty: -5, version: 2 }]);
    const outcome = await resyncFlow(context, { actor, flow: 'customers', target: { keys: ['1', '2', '3'] } });
    expect(outcome.missingKeys).toEqual(['3']);
    expect(outcome.deadLettered.map((letter) => letter.key)).toEqual(['2']);
    expect(outcome.counts.written).toBe(1);
  });

  it('pages through runs newest first without overlap', async () => {
    for (let run = 0; run < 25; run++) {
      const id = await fixture.state.startRun('customers', 'manual');
      await fixture.state.finishRun(id, {
        status: 'succeeded',
        counts: { read: run, written: 0, unchanged: 0, quarantined: 0, failed: 0, deleted: 0 },
      });
    }
    const first = await flowRuns(context, { flow: 'customers', limit: 10 });
    const second = await flowRuns(context, { flow: 'customers', limit: 10, before: first.nextBefore });
    const third = await flowRuns(context, { flow: 'customers', limit: 10, before: second.nextBefore });
    const reads = [...first.items, ...second.items, ...third.items].map((run) => run.counts.read);
    expect(reads).toEqual(Array.from({ length: 25 }, (_, index) => 24 - index));
    expect(third.nextBefore).toBeUndefined();
  });
});
