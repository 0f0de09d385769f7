import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/core/cycle.js';
import type { CycleResult } from '../../src/core/cycle-ports.js';
import { compileFlow } from '../../src/core/flow.js';
import { resyncKeys } from '../../src/core/resync.js';
import type { DeadLetter } from '../../src/core/state-store.js';
import { customersFlowConfig, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// A dead letter closes by itself once its record is written successfully later, however that
// happens: a cycle, a resync, a replay, a repair (the last three share resyncKeys). A config
// reload relies on it: a record dead-lettered under the old config and written under the new one
// must not leave an open letter behind.

const flow = compileFlow('customers', customersFlowConfig());
let fixture: SqliteFlowFixture;

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
});

afterEach(async () => {
  await fixture.close();
});

function cycle(): Promise<CycleResult> {
  return runCycle(flow, fixture.ports(), { trigger: 'manual', signal: new AbortController().signal });
}

async function lettersOf(key: string): Promise<DeadLetter[]> {
  const letters = await fixture.state.listDeadLetters({ flow: 'customers', limit: 10 });
  return letters.filter((letter) => letter.key === key);
}

/** Account 1 synced with qty 5, then changed to qty -5, which the target's CHECK refuses. */
async function refusedAccount(): Promise<void> {
  fixture.insertAccounts([{ id: 1, name: 'One', status: 'active', qty: 5, version: 1 }]);
  expect((await cycle()).counts.written).toBe(1);
  fixture.updateAccount(1, { qty: -5, version: 2 });
  expect((await cycle()).counts.failed).toBe(1);
  expect(await lettersOf('1')).toEqual([expect.objectContaining({ status: 'open', kind: 'write' })]);
}

describe('a dead letter closes when its record is later written', () => {
  it('by a cycle that writes the fixed record', async () => {
    await refusedAccount();
    fixture.updateAccount(1, { qty: 7, version: 3 });
    expect((await cycle()).counts.written).toBe(1);
    expect(fixture.customers()).toEqual([{ crm_id: 1, name: 'One', status: 'A', qty: 7 }]);
    expect(await lettersOf('1')).toEqual([expect.objectContaining({ status: 'replayed' })]);
    expect(await fixture.state.countDeadLetters({ flow: 'customers', status: 'open' })).toBe(0);
  });

  it('by a cycle that finds the target already holds the record as it is now (its hash was synced)', async () => {
    await refusedAccount();
    // Back to what the target holds: nothing to write, and the letter is out of date.
    fixture.updateAccount(1, { qty: 5, version: 3 });
    const result = await cycle();
    expect(result.counts).toMatchObject({ written: 0, unchanged: 1, failed: 0 });
    expect(await lettersOf('1')).toEqual([expect.objectContaining({ status: 'replayed' })]);
  });

  it.each(['resync', 'replay', 'repair'] as const)('by a %s of the key', async (trigger) => {
    await refusedAccount();
    // The version stays: no cycle would read the fix, only a write by key does.
    fixture.updateAccount(1, { qty: 9 });
    const result = await resyncKeys(flow, fixture.ports(), ['1'], {
      trigger,
      signal: new AbortController().signal,
    });
    expect(result.counts.written).toBe(1);
    expect(fixture.customers()).toEqual([{ crm_id: 1, name: 'One', status: 'A', qty: 9 }]);
    expect(await lettersOf('1')).toEqual([expect.objectContaining({ status: 'replayed' })]);
  });
});
