import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/core/cycle.js';
import type { CycleResult } from '../../src/core/cycle-ports.js';
import { compileFlow, type Flow } from '../../src/core/flow.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// Issue 15, build item 3: a record quarantined in a cycle is a dead letter even when the write of
// its batch then fails for target trouble. Embedded stack: SQLite source, target and state store.

let fixture: SqliteFlowFixture;
let flow: Flow;

function cycle(): Promise<CycleResult> {
  return runCycle(flow, fixture.ports(), { trigger: 'manual', signal: new AbortController().signal });
}

async function openLetters(): Promise<{ key: string; field?: string; occurrences: number }[]> {
  return fixture.state.listDeadLetters({ flow: 'customers', status: 'open', limit: 10 });
}

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  flow = compileFlow('customers', {
    ...customersFlowConfig({ batch: 3 }),
    validate: { name: { maxLength: 10 } },
  });
  fixture.insertAccounts(
    plainAccounts(6).map((row) =>
      row.id === 2 || row.id === 5 ? { ...row, name: 'A name far too long' } : row,
    ),
  );
});

afterEach(async () => {
  await fixture.close();
});

describe('invariant 4: a refused record is a dead letter even when its batch failed', () => {
  it('stores the letters of a batch whose write failed after its retries, without moving the checkpoint', async () => {
    fixture.target.failWrites('CONNECTOR_UNAVAILABLE', { onCall: 1, times: Infinity });
    const failed = await cycle();
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('CONNECTOR_UNAVAILABLE');
    // Account 2 in the failed batch, account 5 in the batch prepared behind it.
    expect((await openLetters()).map((letter) => [letter.key, letter.field])).toEqual([
      ['5', 'name'],
      ['2', 'name'],
    ]);
    expect(await fixture.state.getCheckpoint('customers')).toBeUndefined();
    expect(fixture.customers()).toEqual([]);

    fixture.target.heal();
    const healed = await cycle();
    expect(healed.status).toBe('succeeded');
    expect(healed.counts).toMatchObject({ written: 4, quarantined: 0 });
    expect(await openLetters()).toMatchObject([
      { key: '5', occurrences: 1 },
      { key: '2', occurrences: 1 },
    ]);
    expect(fixture.customers().map((row) => row.crm_id)).toEqual([1, 3, 4, 6]);
  });
});
