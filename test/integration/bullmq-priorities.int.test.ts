import { afterEach, describe, expect, it } from 'vitest';
import { compileCadence, type CadenceInput } from '../../src/config/cadence-schema.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { CycleWorker } from '../../src/runtime/bullmq/cycle-worker.js';
import { RemoteCycles } from '../../src/runtime/bullmq/remote-cycles.js';
import type { EngineContext } from '../../src/runtime/runtime.js';
import { eventually } from '../support/eventually.js';
import { dropPrefix, testSettings, uniquePrefix } from '../support/redis.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// Priorities by tier: cycle jobs queued while every worker is busy are taken realtime first, then
// short intervals, then hourly, then nightly, whatever order they were queued in.

describe('BullMQ cycle priorities', () => {
  const prefix = uniquePrefix('priorities');
  let fixture: SqliteFlowFixture | undefined;
  let remote: RemoteCycles | undefined;
  let worker: CycleWorker | undefined;

  afterEach(async () => {
    await worker?.drain();
    await remote?.close();
    await fixture?.close();
    await dropPrefix(prefix);
  });

  it('runs queued cycles realtime first, nightly last', async () => {
    fixture = await SqliteFlowFixture.create();
    fixture.insertAccounts(plainAccounts(3));
    const cadences: Record<string, CadenceInput> = {
      nightly: { cron: '0 2 * * *' },
      hourly: { every: '1h' },
      stock: { every: '5m' },
      orders: { realtime: true },
    };
    const flows = Object.entries(cadences).map(([name, cadence]) =>
      compileFlow(name, { ...customersFlowConfig(), cadence: compileCadence(cadence) }),
    );
    const state = fixture.state;
    const ports = fixture.ports(state);
    const context: EngineContext = { flows, state, logger: silentLogger, portsFor: () => ports };
    const settings = testSettings(prefix);
    remote = new RemoteCycles(settings, silentLogger, 'priorities-test');
    const queue = await remote.queue();
    const executor = remote;
    // Queued in the worst order: nightly first, realtime last, before any worker runs.
    const results = flows.map((flow) =>
      executor.run(flow, ports, { trigger: 'schedule', signal: new AbortController().signal }),
    );
    await eventually(
      async () => (await queue.getJobCounts('prioritized', 'waiting')).prioritized === 4,
      'all four queued',
    );

    worker = new CycleWorker({ settings, context: () => context, concurrency: 1, id: 'one-slot' });
    await worker.start();
    const finished = await Promise.all(results);
    expect(finished.map((result) => result.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);

    const runs = (await state.listRuns({ limit: 10 })).reverse();
    expect(runs.map((run) => run.flow)).toEqual(['orders', 'stock', 'hourly', 'nightly']);
  });
});
