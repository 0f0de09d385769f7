import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/core/cycle.js';
import type { CycleResult } from '../../src/core/cycle-ports.js';
import { compileFlow, type Flow } from '../../src/core/flow.js';
import { resyncKeys } from '../../src/core/resync.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// Invariant 4 over many cycles: every cycle reads the newest rows again (lookback), so a record that
// failed is seen again and again. It costs one attempt and one dead letter until its content
// changes or someone replays it. Embedded stack: SQLite source, target (CHECK qty >= 0) and state.

let fixture: SqliteFlowFixture;
let flow: Flow;

const ROWS = 9;
/** Far enough behind the checkpoint (cursor `version`) that every cycle reads every row again. */
const LOOKBACK = 1_000;

function cycle(): Promise<CycleResult> {
  return runCycle(flow, fixture.ports(), { trigger: 'manual', signal: new AbortController().signal });
}

async function openLetters(): Promise<{ key: string; occurrences: number; status: string }[]> {
  return fixture.state.listDeadLetters({ flow: 'customers', status: 'open', limit: 10 });
}

/** Write attempts that held account `key`, acknowledged or not. */
function attemptsOf(key: string): number {
  return fixture.target.attempted.filter((keys) => keys.includes(key)).length;
}

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  flow = compileFlow('customers', customersFlowConfig({ batch: ROWS, lookback: LOOKBACK }));
  fixture.insertAccounts(plainAccounts(ROWS));
  await cycle();
});

afterEach(async () => {
  await fixture.close();
});

describe('invariant 4: a bad record costs one attempt and one dead letter', () => {
  it('neither writes nor dead-letters a refused record again while it is unchanged, and counts it unchanged', async () => {
    fixture.updateAccount(8, { qty: -5, version: 20 }); // CHECK (qty >= 0) at the target
    expect((await cycle()).counts).toMatchObject({
      read: ROWS,
      failed: 1,
      quarantined: 0,
      unchanged: ROWS - 1,
    });
    const attempts = attemptsOf('8');
    for (let round = 0; round < 3; round += 1)
      expect((await cycle()).counts).toEqual({
        read: ROWS,
        written: 0,
        unchanged: ROWS,
        quarantined: 0,
        failed: 0,
        deleted: 0,
      });
    expect(attemptsOf('8')).toBe(attempts);
    expect(await openLetters()).toMatchObject([{ key: '8', occurrences: 1 }]);
  });

  it('tries a changed record again, and closes its dead letter once it is written', async () => {
    fixture.updateAccount(8, { qty: -5, version: 20 });
    await cycle();
    fixture.updateAccount(8, { qty: -6, version: 21 }); // still refused: a new attempt, the same letter
    expect((await cycle()).counts).toMatchObject({ failed: 1 });
    expect(await openLetters()).toMatchObject([{ key: '8', occurrences: 2 }]);
    fixture.updateAccount(8, { qty: 6, version: 22 });
    expect((await cycle()).counts).toMatchObject({ written: 1, failed: 0 });
    expect(fixture.customers().find((row) => row.crm_id === 8)?.qty).toBe(6);
    expect(await openLetters()).toEqual([]);
    const [closed] = await fixture.state.listDeadLetters({ flow: 'customers', limit: 1 });
    expect(closed).toMatchObject({ key: '8', status: 'replayed' });
  });

  it('closes the dead letter of a record changed back to what the target holds, without a write', async () => {
    const before = fixture.customers().find((row) => row.crm_id === 8)?.qty ?? 0;
    fixture.updateAccount(8, { qty: -5, version: 20 });
    await cycle();
    fixture.updateAccount(8, { qty: before, version: 21 });
    const attempts = attemptsOf('8');
    expect((await cycle()).counts).toMatchObject({ written: 0, unchanged: ROWS });
    expect(attemptsOf('8')).toBe(attempts);
    expect(await openLetters()).toEqual([]);
  });

  it('quarantines a record that breaks a validation rule once, not once per cycle', async () => {
    flow = compileFlow('customers', {
      ...customersFlowConfig({ batch: ROWS, lookback: LOOKBACK }),
      validate: { name: { maxLength: 10 } },
    });
    fixture.updateAccount(3, { name: 'A name far too long', version: 20 });
    expect((await cycle()).counts).toMatchObject({ quarantined: 1 });
    expect((await cycle()).counts).toMatchObject({ quarantined: 0, unchanged: ROWS });
    expect(await openLetters()).toMatchObject([{ key: '3', occurrences: 1 }]);
  });

  it('writes a dead-lettered record on replay although its content is unchanged', async () => {
    fixture.updateAccount(8, { qty: -5, version: 20 });
    await cycle();
    const attempts = attemptsOf('8');
    const replay = await resyncKeys(flow, fixture.ports(), ['8'], {
      trigger: 'replay',
      signal: AbortSignal.timeout(30_000),
    });
    expect(replay.counts).toMatchObject({ failed: 1 });
    expect(attemptsOf('8')).toBeGreaterThan(attempts);
    expect(await openLetters()).toMatchObject([{ key: '8', occurrences: 2 }]);
  });
});
