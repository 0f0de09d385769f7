import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/core/cycle.js';
import type { CycleResult } from '../../src/core/cycle-ports.js';
import { compileFlow, type Flow } from '../../src/core/flow.js';
import { resyncKeys } from '../../src/core/resync.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// DESIGN.md invariants 1-4, proved on the embedded stack (SQLite source, target and state) with
// faults injected around the real connectors.

let fixture: SqliteFlowFixture;
let flow: Flow;

// A multiple of the batch size (3), so the initial scan ends with an empty batch and never has the
// same row in flight twice; the unchanged-records test covers the other case.
const ROWS = 9;

function cycle(
  options: { signal?: AbortSignal; stop?: AbortSignal; with?: Flow } = {},
): Promise<CycleResult> {
  return runCycle(options.with ?? flow, fixture.ports(), {
    trigger: 'manual',
    signal: options.signal ?? new AbortController().signal,
    ...(options.stop === undefined ? {} : { stop: options.stop }),
  });
}

function keys(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, index) => String(from + index));
}

function checkpoint(): Promise<unknown> {
  return fixture.state.getCheckpoint('customers');
}

/** Every source key 1…count acknowledged by the target exactly `times` times, no other key. */
function expectEachKeyWrittenOnce(count: number, times = 1): void {
  const tally = new Map<string, number>();
  for (const key of fixture.target.acknowledgedKeys()) tally.set(key, (tally.get(key) ?? 0) + 1);
  expect(Object.fromEntries(tally)).toEqual(Object.fromEntries(keys(1, count).map((key) => [key, times])));
}

function targetKeys(): number[] {
  return fixture.customers().map((row) => row.crm_id);
}

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  flow = compileFlow('customers', customersFlowConfig());
  fixture.insertAccounts(plainAccounts(ROWS));
});

afterEach(async () => {
  await fixture.close();
});

describe('invariant 1: no change is lost', () => {
  it('retries a deadlocked batch and succeeds with every row written once', async () => {
    fixture.target.failWrites('CONNECTOR_DEADLOCK', { onCall: 2, times: 2 });
    expect(await cycle()).toMatchObject({ status: 'succeeded', counts: { written: ROWS, failed: 0 } });
    expectEachKeyWrittenOnce(ROWS);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });

  it('fails the cycle when retryable errors outlast the retries, keeps the checkpoint at the last acknowledged batch, and delivers everything next cycle', async () => {
    fixture.target.failWrites('CONNECTOR_DEADLOCK', { onCall: 2, times: Infinity });
    expect(await cycle()).toMatchObject({
      status: 'failed',
      error: { code: 'CONNECTOR_DEADLOCK', retryable: true, flow: 'customers' },
    });
    const firstBatch = fixture.source.batches[0];
    expect(firstBatch?.changes.map((change) => change.key)).toEqual(['1', '2', '3']);
    expect(await checkpoint()).toEqual(firstBatch?.checkpoint);
    expect(targetKeys()).toEqual([1, 2, 3]);

    fixture.target.heal();
    expect((await cycle()).status).toBe('succeeded');
    expect(fixture.source.readsSince.at(-1)).toEqual(firstBatch?.checkpoint);
    expectEachKeyWrittenOnce(ROWS);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });

  it('tries a batch retry.attempts times, no more, before the cycle fails', async () => {
    // attempts: 3 → write 1 succeeds, writes 2-4 are the three tries of batch 2, all deadlocked.
    fixture.target.failWrites('CONNECTOR_DEADLOCK', { onCall: 2, times: 3 });
    expect(await cycle()).toMatchObject({ status: 'failed', error: { code: 'CONNECTOR_DEADLOCK' } });
    expect(fixture.target.writeCalls).toBe(4);
    expect(await checkpoint()).toEqual(fixture.source.batches[0]?.checkpoint);
    expect(targetKeys()).toEqual([1, 2, 3]);
  });

  it('resumes an interrupted read from the stored checkpoint without losing or repeating a row', async () => {
    fixture.source.failReadAfter(2, 'CONNECTOR_QUERY_FAILED');
    expect(await cycle()).toMatchObject({ status: 'failed', error: { code: 'CONNECTOR_QUERY_FAILED' } });
    const secondBatch = fixture.source.batches[1];
    expect(await checkpoint()).toEqual(secondBatch?.checkpoint);
    expect(targetKeys()).toEqual([1, 2, 3, 4, 5, 6]);

    expect((await cycle()).status).toBe('succeeded');
    expect(fixture.source.readsSince.at(-1)).toEqual(secondBatch?.checkpoint);
    expectEachKeyWrittenOnce(ROWS);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });

  it('resumes mid-way through rows that share one cursor value without skipping any', async () => {
    await cycle();
    for (let id = 1; id <= ROWS; id++) fixture.updateAccount(id, { name: `Renamed ${id}`, version: 20 });
    fixture.source.failReadAfter(2, 'CONNECTOR_QUERY_FAILED');
    expect((await cycle()).status).toBe('failed');
    expect(await checkpoint()).toEqual({ phase: 'incremental', cursor: 20, key: 6 });

    expect((await cycle()).status).toBe('succeeded');
    expectEachKeyWrittenOnce(ROWS, 2);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });

  it('resumes a read interrupted by a retryable error within the same cycle, from the stored checkpoint', async () => {
    fixture.source.failReadAfter(2, 'CONNECTOR_UNAVAILABLE');
    expect((await cycle()).status).toBe('succeeded');
    expect(fixture.source.readsSince).toEqual([undefined, fixture.source.batches[1]?.checkpoint]);
    expectEachKeyWrittenOnce(ROWS);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });

  it('stops gracefully at a batch boundary when asked to stop, and the next cycle completes the rest', async () => {
    const stop = new AbortController();
    fixture.target.beforeWrite((call) => {
      if (call === 2) stop.abort();
    });
    expect(await cycle({ stop: stop.signal })).toMatchObject({ status: 'aborted', error: undefined });
    const secondBatch = fixture.source.batches[1];
    expect(await checkpoint()).toEqual(secondBatch?.checkpoint);
    expect(targetKeys()).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...(await fixture.state.getSynced('customers', keys(1, ROWS))).keys()].sort()).toEqual(
      keys(1, 6).sort(),
    );

    fixture.target.heal();
    expect((await cycle()).status).toBe('succeeded');
    expect(fixture.source.readsSince.at(-1)).toEqual(secondBatch?.checkpoint);
    expectEachKeyWrittenOnce(ROWS);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });
});

describe('invariant 2: no change is applied twice with a different effect', () => {
  it('writes each row once in a first cycle, although its incremental phase re-reads the newest rows', async () => {
    // Ten rows in batches of three: the last batch of the initial scan holds row 10, and the
    // incremental phase that follows at once re-reads rows 8-10 (lookback 2).
    fixture.insertAccounts(plainAccounts(10).slice(ROWS));
    flow = compileFlow('customers', customersFlowConfig({ lookback: 2 }));
    expect(await cycle()).toMatchObject({ status: 'succeeded', counts: { written: 10, unchanged: 3 } });
    expectEachKeyWrittenOnce(10);
  });

  it('does not write unchanged records again; the hash covers the mapping, so a mapping change rewrites', async () => {
    const lookback = 2;
    flow = compileFlow('customers', customersFlowConfig({ lookback }));
    expect((await cycle()).counts.written).toBe(ROWS);
    const writesBefore = fixture.target.writeCalls;

    const second = await cycle();
    const reread = fixture.countAccountsFrom(ROWS - lookback);
    expect(reread).toBe(3);
    expect(second.counts).toMatchObject({ read: reread, unchanged: reread, written: 0 });
    expect(fixture.target.writeCalls).toBe(writesBefore);

    const remapped = { active: 'ACTIVE', inactive: 'INACTIVE' };
    const third = await cycle({
      with: compileFlow('customers', customersFlowConfig({ lookback, statusMap: remapped })),
    });
    expect(third.counts).toMatchObject({ read: reread, unchanged: 0, written: reread });
    expect(fixture.target.acknowledged.at(-1)).toEqual(keys(ROWS - 2, ROWS));
    expect(fixture.customers().slice(-3)).toEqual(fixture.expectedCustomers(remapped).slice(-3));
    expect(fixture.customers().slice(0, -3)).toEqual(fixture.expectedCustomers().slice(0, -3));
  });

  it('never lets an older version overwrite a newer one: a resync after a source change writes the current row', async () => {
    await cycle();
    fixture.updateAccount(3, { name: 'Renamed', version: 11 });
    const resync = await resyncKeys(flow, fixture.ports(), ['3'], {
      trigger: 'resync',
      signal: AbortSignal.timeout(30_000),
    });
    expect(resync).toMatchObject({ status: 'succeeded', counts: { written: 1 } });
    expect(fixture.customers().find((row) => row.crm_id === 3)?.name).toBe('Renamed');

    expect((await cycle()).counts).toMatchObject({ written: 0 });
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });

  it('replays a dead letter from the current source row, not from the stored payload', async () => {
    fixture.updateAccount(4, { name: null });
    await cycle();
    const [letter] = await fixture.state.listDeadLetters({ flow: 'customers', status: 'open', limit: 10 });
    expect(letter).toMatchObject({ key: '4', payload: { name: null } });

    fixture.updateAccount(4, { name: 'Fixed at the source' }); // same version: no cycle would see it
    const replay = await resyncKeys(flow, fixture.ports(), ['4'], {
      trigger: 'replay',
      signal: AbortSignal.timeout(30_000),
    });
    expect(replay.status).toBe('succeeded');
    expect(fixture.customers().find((row) => row.crm_id === 4)?.name).toBe('Fixed at the source');
    expect(await fixture.state.getDeadLetter(letter?.id ?? 0)).toMatchObject({
      status: 'replayed',
      payload: { name: null },
    });
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });

  it('never runs two cycles of one flow at once: a second concurrent cycle returns busy', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstWriteStarted = (): void => undefined;
    const started = new Promise<void>((resolve) => (firstWriteStarted = resolve));
    fixture.target.beforeWrite(async (call) => {
      if (call !== 1) return;
      firstWriteStarted();
      await gate;
    });
    const first = cycle();
    await started;
    const second = await cycle();
    const otherProcess = new SqliteStateStore(fixture.statePath);
    await otherProcess.init();
    const third = await runCycle(flow, fixture.ports(otherProcess), {
      trigger: 'manual',
      signal: new AbortController().signal,
    });
    await otherProcess.close();
    release();

    expect(second).toMatchObject({ status: 'busy', runId: undefined, counts: { read: 0, written: 0 } });
    expect(third.status).toBe('busy');
    expect((await first).status).toBe('succeeded');
    expect(await fixture.state.listRuns({ flow: 'customers', limit: 10 })).toHaveLength(1);
    expectEachKeyWrittenOnce(ROWS);
  });
});

describe('invariant 3: a crash at any instant converges to the same target state', () => {
  it('rewrites a batch the target acknowledged before the crash, and the target ends identical to the source', async () => {
    const crash = new AbortController();
    fixture.target.crashAfterWrite({ onCall: 2, crash });
    expect((await cycle({ signal: crash.signal })).status).toBe('aborted');
    expect(targetKeys()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await checkpoint()).toEqual(fixture.source.batches[0]?.checkpoint);
    expect((await fixture.state.getSynced('customers', keys(4, 6))).size).toBe(0);

    fixture.updateAccount(5, { name: 'Changed after the crash', version: 11 });
    fixture.target.heal();
    expect((await cycle()).status).toBe('succeeded');
    expect(keys(4, 6).map((key) => fixture.target.writesOf(key))).toEqual([2, 2, 2]);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
    expect((await fixture.state.getSynced('customers', keys(1, ROWS))).size).toBe(ROWS);
  });
});

describe('invariant 4: a bad record never blocks the good ones and never half-writes', () => {
  it('fails the cycle and keeps the checkpoint when the target table is gone, instead of dead-lettering every record', async () => {
    expect((await cycle()).status).toBe('succeeded');
    const before = await checkpoint();
    fixture.updateAccount(4, { name: 'renamed', version: 100 });
    fixture.executeOnTarget('DROP TABLE customers');
    const result = await cycle();
    expect(result.counts).toMatchObject({ read: 1 });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('CONNECTOR_TABLE_NOT_FOUND');
    expect(await checkpoint()).toEqual(before);
    expect(await fixture.state.listDeadLetters({ flow: 'customers', limit: 10 })).toEqual([]);
  });

  it('dead-letters exactly the records the target refuses, with key and reason, writes the rest of the batch, and moves the checkpoint past it', async () => {
    flow = compileFlow('customers', customersFlowConfig({ batch: ROWS }));
    fixture.updateAccount(4, { name: null }); // NOT NULL at the target
    fixture.updateAccount(8, { qty: -5 }); // CHECK (qty >= 0) at the target
    expect(await cycle()).toMatchObject({ status: 'succeeded', counts: { written: ROWS - 2, failed: 2 } });
    expect(targetKeys()).toEqual([1, 2, 3, 5, 6, 7, 9]);

    const letters = await fixture.state.listDeadLetters({ flow: 'customers', status: 'open', limit: 10 });
    const byKey = new Map(letters.map((letter) => [letter.key, letter]));
    expect([...byKey.keys()].sort()).toEqual(['4', '8']);
    expect(byKey.get('4')).toMatchObject({
      kind: 'write',
      code: 'CONNECTOR_CONSTRAINT_VIOLATION',
      payload: { id: 4, name: null },
    });
    expect(byKey.get('8')).toMatchObject({
      kind: 'write',
      code: 'CONNECTOR_CONSTRAINT_VIOLATION',
      payload: { id: 8, qty: -5 },
    });
    expect(byKey.get('4')?.reason).toMatch(/NOT NULL constraint failed: customers\.name/);
    expect(byKey.get('8')?.reason).toMatch(/CHECK constraint failed/);

    const stored = await checkpoint();
    expect(stored).toEqual(fixture.source.batches.at(-1)?.checkpoint);
    expect(stored).toMatchObject({ phase: 'incremental', cursor: ROWS });
  });
});
