import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCadence, type CadenceInput } from '../../src/config/cadence-schema.js';
import { writeCadenceOverride } from '../../src/core/cadence-override.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import type { EngineContext, Runtime } from '../../src/runtime/runtime.js';
import type { StateStore } from '../../src/core/state-store.js';
import { eventually } from '../support/eventually.js';
import { EventLog, gate } from './runtime-event-log.js';
import { describeRuntimeReconfigure } from './runtime-reconfigure-cases.js';
import {
  customersFlowConfig,
  plainAccounts,
  SqliteFlowFixture,
  type StateStorage,
} from '../support/sqlite-flow-fixture.js';

/** Builds the runtime under test over the engine context the suite gives it. */
export type RuntimeFactory = (context: EngineContext) => Runtime | Promise<Runtime>;

const FLOW = 'customers';
const HOUR_MS = 60 * 60_000;
/** Polls quickly: the suite waits for outcomes, it asserts no timing. */
const QUICK = { tries: 3_000, everyMs: 10 };

/**
 * The contract every Runtime keeps (local, BullMQ): one cycle per flow from `runOnce`, an event
 * stream with isolated subscribers, an operator's trigger ahead of the cadence, a persisted pause,
 * `wake` outcomes, dead letters as events, never two cycles of a flow at once, and a graceful stop
 * that commits the batch in hand. Runs on the embedded stack: SQLite source, target and state.
 */
export function describeRuntimeConformance(
  name: string,
  factory: RuntimeFactory,
  /** Where the state lives (a fresh PostgreSQL schema per case); default the fixture's SQLite file. */
  stateStorage?: () => Promise<StateStorage>,
): void {
  describe(`Runtime conformance: ${name}`, () => {
    let fixture: SqliteFlowFixture;
    let runtimes: Runtime[];
    let others: StateStore[];
    let running: Promise<void>[];

    beforeEach(async () => {
      fixture = await SqliteFlowFixture.create(await stateStorage?.());
      runtimes = [];
      others = [];
      running = [];
    });

    afterEach(async () => {
      for (const runtime of runtimes) runtime.abort();
      await Promise.allSettled([...runtimes.map((runtime) => runtime.stop()), ...running]);
      await Promise.allSettled(others.map((state) => state.close()));
      await fixture.close();
    });

    /** A context over the fixture, with another state store on the same file when given. */
    function contextFor(cadence: CadenceInput, state: StateStore = fixture.state): EngineContext {
      const flow = compileFlow(FLOW, { ...customersFlowConfig(), cadence: compileCadence(cadence) });
      return { flows: [flow], state, logger: silentLogger, portsFor: () => fixture.ports(state) };
    }

    async function runtimeFor(cadence: CadenceInput, state?: StateStore): Promise<Runtime> {
      const runtime = await factory(contextFor(cadence, state));
      runtimes.push(runtime);
      return runtime;
    }

    function start(runtime: Runtime): void {
      running.push(runtime.start());
    }

    function snapshotOf(runtime: Runtime): ReturnType<Runtime['snapshot']>[number] {
      const snapshot = runtime.snapshot().find((entry) => entry.flow === FLOW);
      if (snapshot === undefined) throw new Error(`no snapshot of ${FLOW}`);
      return snapshot;
    }

    it('runOnce runs each flow one cycle and returns its result', async () => {
      fixture.insertAccounts(plainAccounts(5));
      const runtime = await runtimeFor({ every: '1h' });
      const results = await runtime.runOnce();
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ flow: FLOW, status: 'succeeded', counts: { written: 5 } });
      expect(fixture.customers()).toEqual(fixture.expectedCustomers());
      expect(snapshotOf(runtime).lastCycle).toMatchObject({ status: 'succeeded', counts: { written: 5 } });
    });

    it('tells every subscriber each event as plain JSON; an unsubscribed one hears nothing', async () => {
      fixture.insertAccounts(plainAccounts(4));
      const runtime = await runtimeFor({ every: '1h' });
      const first = new EventLog();
      const second = new EventLog();
      const gone = new EventLog();
      runtime.subscribe(first.listener);
      runtime.subscribe(second.listener);
      runtime.subscribe(gone.listener)();
      await runtime.runOnce();
      for (const log of [first, second]) {
        expect(log.of('cycle.started')).toHaveLength(1);
        expect(log.of('cycle.started')[0]).toMatchObject({ flow: FLOW });
        expect(log.events.every((event) => typeof event.at === 'number')).toBe(true);
        expect(log.of('cycle.progress').length).toBeGreaterThan(0);
        expect(log.of('cycle.finished')).toHaveLength(1);
        expect(log.of('cycle.finished')[0]).toMatchObject({
          flow: FLOW,
          status: 'succeeded',
          counts: { written: 4 },
        });
        expect(log.of('write.sample')[0]).toMatchObject({ flow: FLOW, target: 'erp', outcome: 'ok' });
        expect(JSON.parse(JSON.stringify(log.events))).toEqual(log.events);
      }
      expect(second.events).toEqual(first.events);
      expect(gone.events).toEqual([]);
    });

    it('a throwing subscriber breaks neither the cycle nor the other subscribers', async () => {
      fixture.insertAccounts(plainAccounts(3));
      const runtime = await runtimeFor({ every: '1h' });
      runtime.subscribe(() => {
        throw new Error('a broken dashboard');
      });
      const log = new EventLog();
      runtime.subscribe(log.listener);
      const [result] = await runtime.runOnce();
      expect(result?.status).toBe('succeeded');
      expect(log.of('cycle.finished')).toHaveLength(1);
      expect(fixture.customers()).toHaveLength(3);
    });

    it("runs a waiting flow on an operator's cadence override once refreshed, and on its own cadence after it expires", async () => {
      fixture.insertAccounts(plainAccounts(2));
      const runtime = await runtimeFor({ every: '1h' });
      const log = new EventLog();
      runtime.subscribe(log.listener);
      start(runtime);
      await eventually(() => snapshotOf(runtime).activity === 'waiting', 'the first cycle ended', QUICK);
      const until = new Date(Date.now() + 1_500).toISOString();
      await writeCadenceOverride(fixture.state, FLOW, {
        everyMs: 100,
        until,
        by: 'ops',
        at: new Date().toISOString(),
      });
      runtime.refresh(FLOW);
      await eventually(
        () => log.of('cycle.finished').length >= 3,
        'cycles every 100 ms under the override',
        QUICK,
      );
      await eventually(
        () => Date.now() > Date.parse(until) && /every 1h/.test(snapshotOf(runtime).nextReason ?? ''),
        'the flow is back on its own cadence once the override expired',
        QUICK,
      );
      const cycles = log.of('cycle.finished').length;
      await sleep(400);
      expect(log.of('cycle.finished')).toHaveLength(cycles);
    });

    it('trigger runs a waiting flow now, ahead of its cadence; the snapshot shows it running, then waiting', async () => {
      fixture.insertAccounts(plainAccounts(3));
      const runtime = await runtimeFor({ every: '1h' });
      const log = new EventLog();
      runtime.subscribe(log.listener);
      start(runtime);
      await eventually(
        () => snapshotOf(runtime).activity === 'waiting',
        'the flow waits for its next cycle',
        QUICK,
      );
      expect(log.of('cycle.finished')).toHaveLength(1);
      expect(snapshotOf(runtime).nextDueAt).toBeGreaterThan(Date.now() + HOUR_MS / 2);

      fixture.insertAccounts([{ id: 4, name: 'four', status: 'active', qty: 4, version: 4 }]);
      const writes = gate();
      fixture.target.beforeWrite(() => writes.wait);
      expect(await runtime.trigger(FLOW, 'operator asked')).toBe('started');
      await eventually(() => snapshotOf(runtime).activity === 'running', 'the triggered cycle runs', QUICK);
      expect(snapshotOf(runtime).running).toMatchObject({ trigger: 'manual', reason: 'operator asked' });
      fixture.target.beforeWrite(() => undefined);
      writes.open();

      await eventually(() => log.of('cycle.finished').length === 2, 'the triggered cycle ended', QUICK);
      await eventually(() => snapshotOf(runtime).activity === 'waiting', 'the flow waits again', QUICK);
      const snapshot = snapshotOf(runtime);
      expect(snapshot.nextDueAt).toBeGreaterThan(Date.now() + HOUR_MS / 2);
      expect(snapshot.nextReason).toMatch(/every 1h/);
      expect(snapshot.lastCycle).toMatchObject({ status: 'succeeded', counts: { written: 1 } });
      expect(log.of('cycle.started').map((event) => event.trigger)).toEqual(['start', 'manual']);
      expect(log.of('flow.scheduled').length).toBeGreaterThanOrEqual(2);
      expect(fixture.customers()).toHaveLength(4);
    });

    it('trigger on a paused flow says paused and runs nothing; an unknown flow is unknown', async () => {
      fixture.insertAccounts(plainAccounts(2));
      const runtime = await runtimeFor({ every: '1h' });
      const log = new EventLog();
      runtime.subscribe(log.listener);
      await runtime.pause(FLOW, { actor: 'ops', reason: 'ERP maintenance' });
      expect(await runtime.trigger(FLOW, 'run now')).toBe('paused');
      expect(await runtime.trigger('no-such-flow', 'run now')).toBe('unknown');
      expect(log.of('cycle.started')).toEqual([]);
      expect(log.of('flow.paused')).toEqual([
        expect.objectContaining({ flow: FLOW, by: 'ops', reason: 'ERP maintenance' }),
      ]);
      expect(fixture.customers()).toEqual([]);
    });

    it('pause stops new cycles, shows in the snapshot and persists for another runtime; resume lets it run', async () => {
      fixture.insertAccounts(plainAccounts(2));
      const runtime = await runtimeFor({ every: '50ms' });
      const log = new EventLog();
      runtime.subscribe(log.listener);
      start(runtime);
      await eventually(() => log.of('cycle.finished').length >= 2, 'the flow runs on its cadence', QUICK);
      await runtime.pause(FLOW, { actor: 'ops', reason: 'ERP maintenance' });
      await eventually(
        () => snapshotOf(runtime).activity === 'paused',
        'the snapshot shows the pause',
        QUICK,
      );
      expect(snapshotOf(runtime).paused).toMatchObject({ by: 'ops', reason: 'ERP maintenance' });
      expect(Number.isNaN(Date.parse(snapshotOf(runtime).paused?.at ?? ''))).toBe(false);
      const startedWhilePaused = log.of('cycle.started').length;

      // Another process's runtime over the same state sees the pause.
      const otherState = fixture.openState();
      others.push(otherState);
      await otherState.init();
      const other = await runtimeFor({ every: '50ms' }, otherState);
      expect(await other.trigger(FLOW, 'run now')).toBe('paused');
      start(other);
      await eventually(
        () => snapshotOf(other).activity === 'paused',
        'the other runtime shows the pause',
        QUICK,
      );
      expect(snapshotOf(other).paused).toMatchObject({ by: 'ops' });
      await other.stop();

      // Many cadence intervals later, still no new cycle.
      await sleep(300);
      expect(log.of('cycle.started')).toHaveLength(startedWhilePaused);

      fixture.insertAccounts([{ id: 3, name: 'three', status: 'active', qty: 3, version: 3 }]);
      await runtime.resume(FLOW, { actor: 'ops' });
      expect(log.of('flow.resumed')).toEqual([expect.objectContaining({ flow: FLOW, by: 'ops' })]);
      await eventually(() => fixture.customers().length === 3, 'the resumed flow ran', QUICK);
      expect(snapshotOf(runtime).paused).toBeUndefined();
    });

    it('wake says not-realtime for a flow on an interval and unknown for no such flow', async () => {
      const runtime = await runtimeFor({ every: '1h' });
      expect(runtime.wake(FLOW)).toBe('not-realtime');
      expect(runtime.wake('no-such-flow')).toBe('unknown');
    });

    it('reports each dead letter as an event once it is stored', async () => {
      fixture.insertAccounts([
        { id: 1, name: 'fine', status: 'active', qty: 1, version: 1 },
        // The target's CHECK (qty >= 0) refuses this one.
        { id: 2, name: 'negative', status: 'active', qty: -5, version: 2 },
      ]);
      const runtime = await runtimeFor({ every: '1h' });
      const log = new EventLog();
      runtime.subscribe(log.listener);
      await runtime.runOnce();
      expect(log.of('dead-letter')).toHaveLength(1);
      expect(log.of('dead-letter')[0]).toMatchObject({ flow: FLOW, key: '2', kind: 'write' });
      expect(log.of('dead-letter')[0]?.reason).not.toBe('');
      const [letter] = await fixture.state.listDeadLetters({ flow: FLOW, limit: 5 });
      expect(letter?.key).toBe('2');
    });

    it('never runs two cycles of a flow at once: a second trigger says already-running and one more cycle follows', async () => {
      fixture.insertAccounts(plainAccounts(3));
      const runtime = await runtimeFor({ every: '1h' });
      const log = new EventLog();
      let active = 0;
      let maxActive = 0;
      runtime.subscribe((event) => {
        if (event.type === 'cycle.started') maxActive = Math.max(maxActive, ++active);
        if (event.type === 'cycle.finished') active -= 1;
      });
      runtime.subscribe(log.listener);
      const writes = gate();
      fixture.target.beforeWrite(() => writes.wait);
      expect(await runtime.trigger(FLOW, 'first')).toBe('started');
      expect(await runtime.trigger(FLOW, 'second')).toBe('already-running');
      expect(await runtime.trigger(FLOW, 'third')).toBe('already-running');
      fixture.target.beforeWrite(() => undefined);
      writes.open();
      await eventually(() => log.of('cycle.finished').length === 2, 'the one more cycle ended', QUICK);
      // Far longer than a wrongly queued third cycle would take to show up.
      await sleep(200);
      expect(log.of('cycle.started')).toHaveLength(2);
      expect(maxActive).toBe(1);
      expect(log.of('cycle.finished').map((event) => event.status)).toEqual(['succeeded', 'succeeded']);
    });

    it('stop() lets the batch in hand commit and starts no new cycle', async () => {
      fixture.insertAccounts(plainAccounts(9)); // batches of 3
      const runtime = await runtimeFor({ every: '1h' });
      const log = new EventLog();
      runtime.subscribe(log.listener);
      const writes = gate();
      let hasWriteStarted = false;
      fixture.target.beforeWrite((call) => {
        if (call !== 1) return undefined;
        hasWriteStarted = true;
        return writes.wait;
      });
      start(runtime);
      await eventually(() => hasWriteStarted, 'the first batch is being written', QUICK);
      const stopping = runtime.stop();
      writes.open();
      await stopping;
      await Promise.all(running);

      const [finished] = log.of('cycle.finished');
      expect(finished?.status).toBe('aborted');
      const committed = fixture.customers().length;
      expect(committed).toBeGreaterThanOrEqual(3);
      expect(committed).toBeLessThan(9);
      expect(finished?.counts.written).toBe(committed);
      expect(log.of('cycle.started')).toHaveLength(1);
      expect(snapshotOf(runtime).activity).toBe('stopped');

      // What was committed is not written again: the next cycle starts past it.
      const next = await runtimeFor({ every: '1h' });
      const [result] = await next.runOnce();
      expect(result?.counts.written).toBe(9 - committed);
      expect(fixture.customers()).toEqual(fixture.expectedCustomers());
    });
  });
  describeRuntimeReconfigure(name, factory, stateStorage);
}
