import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCadence, type CadenceInput } from '../../src/config/cadence-schema.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import type { EngineContext, Runtime } from '../../src/runtime/runtime.js';
import { eventually } from '../support/eventually.js';
import {
  customersFlowConfig,
  SqliteFlowFixture,
  STATUS_MAP,
  type StateStorage,
} from '../support/sqlite-flow-fixture.js';
import { EventLog, gate } from './runtime-event-log.js';

/** Builds the runtime under test over the engine context the suite gives it. */
type RuntimeFactory = (context: EngineContext) => Runtime | Promise<Runtime>;

const FLOW = 'customers';
const QUICK = { tries: 3_000, everyMs: 10 };
/** The status dictionary of the new config. */
const NEW_MAP = { active: 'ACT', inactive: 'INA' };

/**
 * `reconfigure`: a new config applies between cycles. A running cycle finishes with the flow it
 * started with, the next one uses the new flow and cadence; a removed flow stops; the replaced
 * context is retired once none of its cycles runs; `config.reloaded` reports what changed.
 */
export function describeRuntimeReconfigure(
  name: string,
  factory: RuntimeFactory,
  stateStorage?: () => Promise<StateStorage>,
): void {
  describe(`Runtime conformance: ${name}, reconfigure`, () => {
    let fixture: SqliteFlowFixture;
    let runtimes: Runtime[];
    let running: Promise<void>[];

    beforeEach(async () => {
      fixture = await SqliteFlowFixture.create(await stateStorage?.());
      runtimes = [];
      running = [];
    });

    afterEach(async () => {
      for (const runtime of runtimes) runtime.abort();
      await Promise.allSettled([...runtimes.map((runtime) => runtime.stop()), ...running]);
      await fixture.close();
    });

    /** A context of the customers flow; `retired` counts the calls of its `retire`. */
    function contextFor(
      cadence: CadenceInput,
      statusMap: Readonly<Record<string, string>> = STATUS_MAP,
    ): EngineContext & { retired: number } {
      const flow = compileFlow(FLOW, {
        ...customersFlowConfig({ statusMap }),
        cadence: compileCadence(cadence),
      });
      const context = {
        flows: [flow],
        state: fixture.state,
        logger: silentLogger,
        portsFor: () => fixture.ports(),
        retired: 0,
        retire: () => {
          context.retired += 1;
          return Promise.resolve();
        },
      };
      return context;
    }

    async function started(context: EngineContext): Promise<{ runtime: Runtime; log: EventLog }> {
      const runtime = await factory(context);
      runtimes.push(runtime);
      const log = new EventLog();
      runtime.subscribe(log.listener);
      running.push(runtime.start());
      return { runtime, log };
    }

    function account(id: number): { id: number; name: string; status: string; qty: number; version: number } {
      return { id, name: `Customer ${id}`, status: 'active', qty: id, version: id };
    }

    function statusOf(id: number): string | null | undefined {
      return fixture.customers().find((row) => row.crm_id === id)?.status;
    }

    it('lets the running cycle finish with its config, runs the next one with the new map and cadence, and reports the change', async () => {
      fixture.insertAccounts([account(1)]);
      const first = contextFor({ every: '1h' });
      const { runtime, log } = await started(first);
      await eventually(() => statusOf(1) === 'A', 'the first cycle wrote with the first map', QUICK);
      await eventually(() => log.of('cycle.finished').length === 1, 'the first cycle ended', QUICK);

      fixture.insertAccounts([account(2)]);
      const writes = gate();
      fixture.target.beforeWrite(() => writes.wait);
      expect(await runtime.trigger(FLOW, 'operator asked')).toBe('started');
      await eventually(
        () => runtime.snapshot().some((flow) => flow.activity === 'running'),
        'the cycle is running',
        QUICK,
      );
      const summary = await runtime.reconfigure(contextFor({ every: '50ms' }, NEW_MAP));
      expect(summary.changedFlows).toEqual([
        { flow: FLOW, changes: ['fields.status map changed', 'cadence every 1h → 50ms'] },
      ]);
      expect(log.of('config.reloaded')).toEqual([expect.objectContaining({ summary })]);
      // Its cycle still runs: the first context (its connectors) stays open.
      expect(first.retired).toBe(0);
      expect(JSON.parse(JSON.stringify(log.of('config.reloaded')))).toEqual(log.of('config.reloaded'));
      fixture.target.beforeWrite(() => undefined);
      writes.open();
      await eventually(() => statusOf(2) !== undefined, 'the running cycle ended', QUICK);
      expect(statusOf(2)).toBe('A');
      await eventually(() => first.retired === 1, 'the first context is retired once its cycle ended', QUICK);

      // No trigger: the new cadence (50ms instead of 1h) runs the next cycle, with the new map.
      fixture.insertAccounts([account(3)]);
      await eventually(() => statusOf(3) === 'ACT', 'the next cycle wrote with the new map', QUICK);
      expect(runtime.snapshot().map((flow) => flow.cadence.configuredIntervalMs)).toEqual([50]);
    });

    it('stops a removed flow after its cycle and starts an added one; an unchanged config changes nothing', async () => {
      fixture.insertAccounts([account(1)]);
      const { runtime, log } = await started(contextFor({ every: '1h' }));
      await eventually(() => statusOf(1) === 'A', 'the first cycle ran', QUICK);
      await eventually(() => log.of('cycle.finished').length === 1, 'the first cycle ended', QUICK);

      const same = await runtime.reconfigure(contextFor({ every: '1h' }));
      expect(same).toMatchObject({ addedFlows: [], removedFlows: [], changedFlows: [] });

      const empty: EngineContext = {
        flows: [],
        state: fixture.state,
        logger: silentLogger,
        portsFor: () => fixture.ports(),
      };
      expect(await runtime.reconfigure(empty)).toMatchObject({ removedFlows: [FLOW], addedFlows: [] });
      expect(runtime.snapshot()).toEqual([]);
      expect(await runtime.trigger(FLOW, 'run now')).toBe('unknown');
      const cycles = log.of('cycle.started').length;

      fixture.insertAccounts([account(2)]);
      expect(await runtime.reconfigure(contextFor({ every: '1h' }, NEW_MAP))).toMatchObject({
        addedFlows: [FLOW],
        removedFlows: [],
      });
      // An added flow starts as at start-up: its first cycle comes at once, with its config.
      await eventually(() => statusOf(2) === 'ACT', 'the added flow ran', QUICK);
      expect(log.of('cycle.started').length).toBeGreaterThan(cycles);
      expect(log.of('config.reloaded')).toHaveLength(3);
    });
  });
}
