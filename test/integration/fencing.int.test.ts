import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/core/cycle.js';
import type { SyncErrorJson } from '../../src/core/errors.js';
import { compileFlow, type Flow } from '../../src/core/flow.js';
import { resyncAll, resyncKeys } from '../../src/core/resync.js';
import { collect, spawnScript } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// DESIGN.md, StateStore seam: leases carry a fencing token that every commit checks. A cycle
// that lost its lease (paused past it, the flow taken over) must not commit over the new owner.

const ROWS = 12;
const BATCH = 3;
const CHILD_LEASE_TTL_MS = 1500;

let fixture: SqliteFlowFixture;
let flow: Flow;

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  flow = compileFlow('customers', customersFlowConfig({ batch: BATCH }));
  fixture.insertAccounts(plainAccounts(ROWS));
});

afterEach(async () => {
  await fixture.close();
});

function allKeys(): string[] {
  return fixture.expectedCustomers().map((row) => String(row.crm_id));
}

interface ChildResult {
  readonly status: string;
  readonly runId: number;
  readonly error?: SyncErrorJson;
  readonly acknowledged: string[][];
}

describe('fencing: a cycle that lost its lease never commits over the new owner', () => {
  it('refuses the commit of a cycle frozen (SIGSTOP) mid-batch past its lease; the new owner’s checkpoint, key map and target stand', async () => {
    // The child cycle commits batch 1, then blocks once the target acknowledged batch 2.
    const child = spawnScript('test/support/frozen-cycle-child.ts', [
      fixture.dir,
      'frozen-child',
      '2',
      String(CHILD_LEASE_TTL_MS),
      String(BATCH),
    ]);
    const outcome = collect(child);
    try {
      await eventually(() => existsSync(join(fixture.dir, 'acknowledged')), 'the child wrote batch 2', {
        tries: 1200,
      });
      expect(child.kill('SIGSTOP')).toBe(true);
      const frozenHolder = await fixture.state.getLeaseHolder('customers');
      expect(frozenHolder?.owner).toBe('frozen-child');
      const frozenCheckpoint = await fixture.state.getCheckpoint('customers');
      expect(frozenCheckpoint).toMatchObject({ key: 3 });

      // While it is frozen, the source changes: a row of the committed batch 1, one of batch 2
      // (written, not committed), one not read yet, and a new row.
      fixture.updateAccount(2, { name: 'Renamed 2', version: 13 });
      fixture.updateAccount(5, { name: 'Renamed 5', version: 14 });
      fixture.updateAccount(10, { name: 'Renamed 10', version: 15 });
      fixture.insertAccounts([{ id: 13, name: 'Customer 13', status: 'active', qty: 1, version: 16 }]);

      await eventually(
        async () => (await fixture.state.getLeaseHolder('customers')) === undefined,
        'the frozen child’s lease expired',
      );
      const second = await runCycle(flow, fixture.ports(), {
        trigger: 'manual',
        signal: new AbortController().signal,
        owner: 'second-owner',
      });
      expect(second).toMatchObject({ status: 'succeeded', error: undefined });
      const secondCheckpoint = await fixture.state.getCheckpoint('customers');
      expect(secondCheckpoint).toBeDefined();
      expect(secondCheckpoint).not.toEqual(frozenCheckpoint);
      const secondKeyMap = await fixture.state.getSynced('customers', allKeys());
      expect([...secondKeyMap.keys()].sort()).toEqual(allKeys().sort());
      // The takeover raised the token: the child's fence is stale now.
      const taken = await fixture.state.acquireLease('customers', 'second-owner', 60_000);
      expect(taken?.token).toBeGreaterThan(frozenHolder!.token);
      await fixture.state.releaseLease('customers', 'second-owner');

      writeFileSync(join(fixture.dir, 'resume'), '');
      expect(child.kill('SIGCONT')).toBe(true);
      const { code, stdout, stderr } = await outcome;
      expect(code, stderr).toBe(0);
      const result = JSON.parse(stdout) as ChildResult;

      expect(result.status).toBe('aborted');
      expect(result.error).toMatchObject({ code: 'LEASE_LOST', retryable: false, flow: 'customers' });
      expect(result.error?.message).toContain('another process took the flow over');
      expect(result.acknowledged).toHaveLength(2);
      const logged = stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: string; code?: string });
      expect(logged).toContainEqual(expect.objectContaining({ level: 'error', code: 'LEASE_LOST' }));
      const childRun = (await fixture.state.listRuns({ flow: 'customers', limit: 10 })).find(
        (run) => run.id === result.runId,
      );
      expect(childRun).toMatchObject({ status: 'aborted', error: { code: 'LEASE_LOST' } });

      // Nothing of the refused commit: checkpoint and key map are the second owner's.
      expect(await fixture.state.getCheckpoint('customers')).toEqual(secondCheckpoint);
      expect(await fixture.state.getSynced('customers', allKeys())).toEqual(secondKeyMap);
      // Every source row once, with its latest values; a next cycle finds nothing left to write.
      expect(fixture.customers()).toEqual(fixture.expectedCustomers());
      expect(fixture.customers()).toHaveLength(ROWS + 1);
      const next = await runCycle(flow, fixture.ports(), {
        trigger: 'manual',
        signal: new AbortController().signal,
      });
      expect(next).toMatchObject({ status: 'succeeded', counts: { written: 0 } });
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await outcome.catch(() => undefined);
    }
  });
});

describe('fencing: a manual action that lost its lease changes no state', () => {
  it('refuses the commit of a resync whose flow was taken over mid-batch, and records the run aborted', async () => {
    let intruderToken: number | undefined;
    fixture.target.afterWrite(async (call) => {
      if (call !== 1) return;
      // Another process takes the flow over while the resync writes (its holder counted as gone).
      const holder = await fixture.state.getLeaseHolder('customers');
      await fixture.state.releaseLease('customers', holder!.owner);
      intruderToken = (await fixture.state.acquireLease('customers', 'intruder', 60_000))?.token;
    });
    const result = await resyncKeys(flow, fixture.ports(), ['1', '2', '3', '4'], {
      trigger: 'resync',
      signal: new AbortController().signal,
    });
    expect(intruderToken).toBeDefined();
    expect(result.status).toBe('aborted');
    expect(result.error).toMatchObject({ code: 'LEASE_LOST', flow: 'customers' });
    expect(await fixture.state.getSynced('customers', allKeys())).toEqual(new Map());
    const [run] = await fixture.state.listRuns({ flow: 'customers', limit: 1 });
    expect(run).toMatchObject({
      id: result.runId,
      trigger: 'resync',
      status: 'aborted',
      error: { code: 'LEASE_LOST' },
    });
    expect(await fixture.state.getLeaseHolder('customers')).toMatchObject({
      owner: 'intruder',
      token: intruderToken,
    });
  });
});

describe('a resync --all run while a cycle runs takes effect (the cycle cannot undo it)', () => {
  it('waits for the running cycle’s lease, then resets the checkpoints, and the next cycle reads everything again', async () => {
    let releaseWrite: () => void = () => undefined;
    const writeHeld = new Promise<void>((resolve) => {
      releaseWrite = resolve;
    });
    let isWriteHeld = false;
    fixture.target.afterWrite(async (call) => {
      if (call !== 2) return;
      isWriteHeld = true;
      await writeHeld;
    });
    const events: string[] = [];
    const running = runCycle(flow, fixture.ports(), {
      trigger: 'manual',
      signal: new AbortController().signal,
      owner: 'running-cycle',
    }).then((result) => {
      events.push('cycle ended');
      return result;
    });
    await eventually(() => isWriteHeld, 'the cycle is writing batch 2');

    const reset = resyncAll(flow, fixture.ports(), AbortSignal.timeout(120_000)).then((runId) => {
      events.push('checkpoints reset');
      return runId;
    });
    // The reset polls for the lease meanwhile; it must not get it while the cycle writes.
    await sleep(800);
    expect(events).toEqual([]);
    expect((await fixture.state.getLeaseHolder('customers'))?.owner).toBe('running-cycle');

    events.push('write released');
    releaseWrite();
    const cycle = await running;
    const resetRunId = await reset;
    expect(cycle.status).toBe('succeeded');
    expect(events).toEqual(['write released', 'cycle ended', 'checkpoints reset']);

    // The cycle committed every batch before the reset, so nothing of it came back after.
    expect(await fixture.state.getCheckpoint('customers')).toBeUndefined();
    const runs = await fixture.state.listRuns({ flow: 'customers', limit: 10 });
    expect(runs.find((run) => run.id === resetRunId)).toMatchObject({
      trigger: 'resync',
      status: 'succeeded',
    });

    fixture.target.heal();
    const readsBefore = fixture.source.readsSince.length;
    const next = await runCycle(flow, fixture.ports(), {
      trigger: 'manual',
      signal: new AbortController().signal,
    });
    expect(next).toMatchObject({ status: 'succeeded', counts: { written: 0 } });
    expect(next.counts.read).toBeGreaterThanOrEqual(ROWS);
    expect(next.counts.unchanged).toBe(next.counts.read);
    expect(fixture.source.readsSince[readsBefore]).toBeUndefined();
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });
});
