import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCadence } from '../../src/config/cadence-schema.js';
import { ConfigError } from '../../src/config/config-error.js';
import { diffConfig } from '../../src/core/config-diff.js';
import { compileFlow, type Flow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ConfigReloader, PreparedConfig } from '../../src/operations/config-reloader.js';
import type { OperationsContext } from '../../src/operations/operations-context.js';
import { reloadConfig } from '../../src/operations/reload-config.js';
import type { EngineContext } from '../../src/runtime/runtime.js';
import { LocalRuntime } from '../../src/runtime/local/local-runtime.js';
import { customersFlowConfig, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// reloadConfig, the operation `run` (and later `serve`) calls: audited, applied through the
// runtime when there is one, refused with every problem when the new config is invalid.

let fixture: SqliteFlowFixture;
const actor = 'tester@ops';

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
});

afterEach(async () => {
  await fixture.close();
});

function flowEvery(every: string): Flow {
  return compileFlow('customers', { ...customersFlowConfig(), cadence: compileCadence({ every }) });
}

function engineContext(flow: Flow): EngineContext {
  return { flows: [flow], state: fixture.state, logger: silentLogger, portsFor: () => fixture.ports() };
}

/** A reloader handing out `next` (or throwing it), recording commit and discard. */
function reloaderOf(current: EngineContext, next: EngineContext | ConfigError) {
  const calls: string[] = [];
  const reloader: ConfigReloader = {
    source: 'syncline.yaml',
    prepareReload: () => {
      if (next instanceof ConfigError) return Promise.reject(next);
      const prepared: PreparedConfig = {
        context: next,
        summary: diffConfig(current, next),
        commit: () => calls.push('commit'),
        discard: () => {
          calls.push('discard');
          return Promise.resolve();
        },
      };
      return Promise.resolve(prepared);
    },
  };
  return { reloader, calls };
}

function operations(
  current: EngineContext,
  reloader: ConfigReloader,
  runtime?: LocalRuntime,
): OperationsContext {
  return {
    ...current,
    connector: (name) => (name === 'crm' ? fixture.source : fixture.target),
    reloader,
    ...(runtime === undefined ? {} : { runtime }),
  };
}

describe('reloadConfig', () => {
  it('applies a valid config through the runtime, returns what changed and audits it', async () => {
    const current = engineContext(flowEvery('1h'));
    const runtime = new LocalRuntime(current);
    const { reloader, calls } = reloaderOf(current, engineContext(flowEvery('5m')));
    const result = await reloadConfig(operations(current, reloader, runtime), { actor });
    expect(result).toMatchObject({
      status: 'applied',
      summary: { changedFlows: [{ flow: 'customers', changes: ['cadence every 1h → 5m'] }] },
      changes: ['flow customers: cadence every 1h → 5m'],
    });
    expect(calls).toEqual(['commit']);
    expect(runtime.snapshot()[0]?.cadence.configuredIntervalMs).toBe(5 * 60_000);
    const [entry] = await fixture.state.listAudit({ action: 'config.reload', limit: 5 });
    expect(entry).toMatchObject({ actor, subject: 'syncline.yaml', result: 'succeeded' });
    expect(entry?.outcome).toContain('cadence every 1h → 5m');
  });

  it('says unchanged when nothing that runs changed, also without a runtime', async () => {
    const current = engineContext(flowEvery('1h'));
    const { reloader, calls } = reloaderOf(current, engineContext(flowEvery('1h')));
    const result = await reloadConfig(operations(current, reloader), { actor });
    expect(result).toMatchObject({ status: 'unchanged', changes: [] });
    expect(calls).toEqual(['commit']);
  });

  it('refuses an invalid config with every problem and its key path, and audits the refusal as failed', async () => {
    const current = engineContext(flowEvery('1h'));
    const issues = [
      { path: 'flows.customers.cadence.every', message: 'expected a duration' },
      { path: 'connections.erp.path', message: 'required' },
    ];
    const { reloader, calls } = reloaderOf(current, new ConfigError(issues));
    const result = await reloadConfig(operations(current, reloader), { actor });
    expect(result).toEqual({ status: 'refused', issues });
    expect(calls).toEqual([]);
    const [entry] = await fixture.state.listAudit({ action: 'config.reload', limit: 5 });
    expect(entry).toMatchObject({ result: 'failed' });
    expect(entry?.outcome).toContain('flows.customers.cadence.every: expected a duration');
  });

  it('is a request error where there is no config to reload', async () => {
    const current = engineContext(flowEvery('1h'));
    const context: OperationsContext = { ...current, connector: () => fixture.source };
    await expect(reloadConfig(context, { actor })).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
  });
});
