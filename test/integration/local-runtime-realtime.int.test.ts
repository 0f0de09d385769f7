import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeWatch, Connector } from '../../src/core/connector.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { LocalRuntime } from '../../src/runtime/local/local-runtime.js';
import type { EngineContext } from '../../src/runtime/runtime.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';
import { eventually } from '../support/eventually.js';

// The local runtime's realtime loop on the embedded stack, with a source whose change events the
// test sends by hand: cycles never overlap, and events during a cycle lead to exactly one more.

/** The fixture's source, plus change events the test emits with `emit()`. */
function withChangeEvents(inner: Connector): Connector & { emit(): void } {
  const listeners = new Set<() => void>();
  return {
    capabilities: { ...inner.capabilities, changeEvents: true },
    probe: (signal) => inner.probe(signal),
    describeTable: (table, signal) => inner.describeTable(table, signal),
    readChanges: (source, since, signal) => inner.readChanges(source, since, signal),
    readByKeys: (source, keys, signal) => inner.readByKeys(source, keys, signal),
    countPending: (source, since, limit, signal) => inner.countPending(source, since, limit, signal),
    writeBatch: (target, records, signal) => inner.writeBatch(target, records, signal),
    close: () => inner.close(),
    watchChanges: (_source, onChange): Promise<ChangeWatch> => {
      listeners.add(onChange);
      return Promise.resolve({
        isInstalled: true,
        close: () => {
          listeners.delete(onChange);
          return Promise.resolve();
        },
      });
    },
    emit: () => {
      for (const listener of listeners) listener();
    },
  };
}

let fixture: SqliteFlowFixture;

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
});

afterEach(async () => {
  await fixture.close();
});

describe('LocalRuntime, realtime flows', () => {
  it('runs exactly one more cycle for events that arrive while a cycle runs, and never two at once', async () => {
    const source = withChangeEvents(fixture.source);
    const flow = compileFlow('customers', {
      ...customersFlowConfig(),
      cadence: { realtime: true, pollIntervalMs: 3_600_000 },
    });
    const context: EngineContext = {
      flows: [flow],
      state: fixture.state,
      logger: silentLogger,
      portsFor: () => ({ ...fixture.ports(), source }),
    };
    const triggers: string[] = [];
    let ended = 0;
    let active = 0;
    let maxActive = 0;
    const runtime = new LocalRuntime(context, { eventDebounceMs: 5 });
    runtime.subscribe((event) => {
      if (event.type === 'cycle.started') {
        triggers.push(event.trigger);
        active += 1;
        maxActive = Math.max(maxActive, active);
      } else if (event.type === 'cycle.finished') {
        active -= 1;
        ended += 1;
      }
    });
    fixture.insertAccounts(plainAccounts(3));
    const running = runtime.start();
    await eventually(() => ended === 1, 'the start cycle ended', { tries: 4000, everyMs: 5 });

    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fixture.target.beforeWrite(() => gate);
    fixture.insertAccounts([{ id: 4, name: 'four', status: 'active', qty: 4, version: 4 }]);
    source.emit();
    await eventually(() => triggers.length === 2, 'an event started the second cycle', {
      tries: 4000,
      everyMs: 5,
    });
    // The second cycle is stuck in its write; these events arrive while it runs.
    fixture.insertAccounts([{ id: 5, name: 'five', status: 'active', qty: 5, version: 5 }]);
    for (let i = 0; i < 10; i++) source.emit();
    fixture.target.beforeWrite(() => undefined);
    release();

    await eventually(() => ended === 3, 'the one more cycle ended', { tries: 4000, everyMs: 5 });
    // Give a wrongly queued fourth cycle far more than the debounce window to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await runtime.stop();
    await running;

    expect(triggers).toEqual(['start', 'event', 'event']);
    expect(maxActive).toBe(1);
    expect(fixture.customers().map((row) => row.crm_id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a realtime flow whose source sends no events polls and still delivers', async () => {
    const flow = compileFlow('customers', {
      ...customersFlowConfig(),
      cadence: { realtime: true, pollIntervalMs: 20 },
    });
    const context: EngineContext = {
      flows: [flow],
      state: fixture.state,
      logger: silentLogger,
      portsFor: () => fixture.ports(),
    };
    const triggers: string[] = [];
    const runtime = new LocalRuntime(context);
    runtime.subscribe((event) => {
      if (event.type === 'cycle.started') triggers.push(event.trigger);
    });
    fixture.insertAccounts(plainAccounts(2));
    const running = runtime.start();
    await eventually(() => fixture.customers().length === 2, 'the first rows arrived', {
      tries: 4000,
      everyMs: 5,
    });
    fixture.insertAccounts([{ id: 3, name: 'three', status: 'active', qty: 3, version: 3 }]);
    await eventually(() => fixture.customers().length === 3, 'the polled row arrived', {
      tries: 4000,
      everyMs: 5,
    });
    await runtime.stop();
    await running;
    expect(triggers[0]).toBe('start');
    expect(triggers.slice(1).every((trigger) => trigger === 'schedule')).toBe(true);
  });
});
