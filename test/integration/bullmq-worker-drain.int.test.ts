import { afterEach, describe, expect, it } from 'vitest';
import { compileCadence } from '../../src/config/cadence-schema.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { CycleWorker } from '../../src/runtime/bullmq/cycle-worker.js';
import { RemoteCycles } from '../../src/runtime/bullmq/remote-cycles.js';
import type { EngineContext } from '../../src/runtime/runtime.js';
import { eventually } from '../support/eventually.js';
import { gate } from '../conformance/runtime-event-log.js';
import { dropPrefix, testSettings, uniquePrefix } from '../support/redis.js';
import { customersFlowConfig, plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// SIGTERM on `syncline worker` drains it: the batch in hand is written and committed, the cycle
// ends, no new job is taken, and what was not read yet is read by the flow's next cycle.

describe('draining a BullMQ worker', () => {
  const prefix = uniquePrefix('drain');
  let fixture: SqliteFlowFixture | undefined;
  let remote: RemoteCycles | undefined;
  const workers: CycleWorker[] = [];

  afterEach(async () => {
    for (const worker of workers) await worker.abort();
    await remote?.close();
    await fixture?.close();
    await dropPrefix(prefix);
  });

  it('commits the batch in hand, ends the cycle and takes no new job; the next worker reads on', async () => {
    fixture = await SqliteFlowFixture.create();
    fixture.insertAccounts(plainAccounts(9)); // batches of 3
    const flow = compileFlow('customers', {
      ...customersFlowConfig(),
      cadence: compileCadence({ every: '1h' }),
    });
    const ports = fixture.ports();
    const context: EngineContext = {
      flows: [flow],
      state: fixture.state,
      logger: silentLogger,
      portsFor: () => ports,
    };
    const settings = testSettings(prefix);
    remote = new RemoteCycles(settings, silentLogger, 'drain-test');
    const first = new CycleWorker({ settings, context: () => context, concurrency: 2, id: 'first' });
    workers.push(first);
    await first.start();

    const writes = gate();
    let hasWriteStarted = false;
    fixture.target.beforeWrite((call) => {
      if (call !== 1) return undefined;
      hasWriteStarted = true;
      return writes.wait;
    });
    const cycle = remote.run(flow, ports, { trigger: 'schedule', signal: new AbortController().signal });
    await eventually(() => hasWriteStarted, 'the first batch is being written');
    const drained = first.drain();
    expect(first.heartbeat().state).toBe('draining');
    writes.open();
    const result = await cycle;
    await drained;
    expect(result.status).toBe('aborted');
    const committed = fixture.customers().length;
    expect(committed).toBeGreaterThanOrEqual(3);
    expect(committed).toBeLessThan(9);
    expect(result.counts.written).toBe(committed);

    // A job queued now waits: the drained worker takes none.
    const queue = await remote.queue();
    const next = remote.run(flow, ports, { trigger: 'schedule', signal: new AbortController().signal });
    await eventually(
      async () => (await queue.getJobCounts('prioritized')).prioritized === 1,
      'the next job waits',
    );

    const second = new CycleWorker({ settings, context: () => context, concurrency: 1, id: 'second' });
    workers.push(second);
    await second.start();
    const after = await next;
    expect(after.status).toBe('succeeded');
    expect(after.counts.written).toBe(9 - committed);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });
});
