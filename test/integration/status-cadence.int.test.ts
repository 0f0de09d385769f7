import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DECISION_LOG_META, DECISION_META } from '../../src/cadence/adaptive-cadence.js';
import { FORECASTER_STATUS_META } from '../../src/cadence/flow-forecasts.js';
import { formatStatuses } from '../../src/cli/commands/status.js';
import { compileFlow, type Flow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { flowStatuses } from '../../src/operations/flow-status.js';
import type { OperationsContext } from '../../src/operations/operations-context.js';
import { customersFlowConfig, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// `status` shows the cadence a flow runs at, not only the configured one: the adaptive
// controller's recorded decision, parsed into a typed field, and the next cycle it leads to.

const MIN = 60_000;
let fixture: SqliteFlowFixture;

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
});

afterEach(async () => {
  await fixture.close();
});

function contextFor(flows: Flow[], now: number): OperationsContext {
  return {
    flows,
    state: fixture.state,
    logger: silentLogger,
    portsFor: () => fixture.ports(),
    connector: (name) => (name === 'crm' ? fixture.source : fixture.target),
    now: () => now,
  };
}

/** Records a back-off from every 5m, batch 500 to every 20m, batch 250, as the controller does. */
async function recordBackOff(flow: string, changedAt: string, decidedAt: string): Promise<void> {
  const change = {
    flow,
    at: changedAt,
    intervalMsBefore: 5 * MIN,
    intervalMs: 20 * MIN,
    batchBefore: 500,
    batch: 250,
    reason: `${flow}: every 5m → 20m, batch 500 → 250: erp p95 write latency 2.4 s > 1 s`,
    health: 'unhealthy',
  };
  await fixture.state.setFlowMeta(flow, DECISION_LOG_META, [change]);
  await fixture.state.setFlowMeta(flow, DECISION_META, {
    ...change,
    at: decidedAt,
    intervalMsBefore: 20 * MIN,
    batchBefore: 250,
    reason: `${flow}: stays every 20m: erp p95 write latency 2.2 s > 1 s`,
  });
}

async function finishedRun(flow: string): Promise<number> {
  const id = await fixture.state.startRun(flow, 'schedule');
  await fixture.state.finishRun(id, {
    status: 'succeeded',
    counts: { read: 3, written: 3, unchanged: 0, quarantined: 0, failed: 0, deleted: 0 },
  });
  const [run] = await fixture.state.listRuns({ flow, limit: 1 });
  return Date.parse(run?.finishedAt ?? '');
}

describe('status: the effective cadence', () => {
  it("shows the adaptive controller's interval, batch and reason, and the next cycle it leads to", async () => {
    const flow = compileFlow('customers', customersFlowConfig({ batch: 500 }));
    const endedAt = await finishedRun('customers');
    await recordBackOff('customers', '2026-12-03T07:00:00.000Z', '2026-12-03T07:30:00.000Z');
    const now = endedAt + 2 * MIN;
    const [status] = await flowStatuses(contextFor([flow], now));
    expect(status?.effectiveCadence).toEqual({
      intervalMs: 20 * MIN,
      batch: 250,
      configuredIntervalMs: 5 * MIN,
      configuredBatch: 500,
      reason: 'customers: stays every 20m: erp p95 write latency 2.2 s > 1 s',
      since: '2026-12-03T07:00:00.000Z',
      decidedAt: '2026-12-03T07:30:00.000Z',
    });
    expect(status?.nextRunAt).toBe(new Date(endedAt + 20 * MIN).toISOString());
    expect(status?.nextRunReason).toBe('adaptive: every 20m (configured 5m)');

    const text = formatStatuses(status === undefined ? [] : [status], now);
    expect(text).toMatch(
      /^flow\s+cadence\s+last cycle\s+read\/written\s+since success\s+dead letters\s+next$/m,
    );
    expect(text).toMatch(/^customers\s+\{every:5m\}\s+succeeded .* in 18m \(\S+Z\): adaptive: every 20m/m);
    expect(text).toContain(
      '  customers: now every 20m, batch 250 (backed off from every 5m, batch 500 since 2026-12-03T07:00:00Z: erp p95 write latency 2.2 s > 1 s)',
    );
  });

  it('ignores a recorded decision once the flow no longer adapts, and a forecaster that cannot apply', async () => {
    const flow = compileFlow('customers', {
      ...customersFlowConfig(),
      cadence: { everyMs: 5 * MIN, adaptive: false },
    });
    const endedAt = await finishedRun('customers');
    await recordBackOff('customers', '2026-12-03T07:00:00.000Z', '2026-12-03T07:30:00.000Z');
    await fixture.state.setFlowMeta('customers', FORECASTER_STATUS_META, {
      isWarm: false,
      reason:
        'learning: 3 of 168 hours of the week seen twice, needs 152 (about 2 weeks of history) before it acts',
      hoursLearned: 3,
      hoursNeeded: 152,
    });
    const [status] = await flowStatuses(contextFor([flow], endedAt + MIN));
    expect(status?.effectiveCadence).toBeUndefined();
    expect(status?.forecaster).toBeUndefined();
    expect(status?.nextRunReason).toBe('every 5m after the previous cycle');
  });

  it('reads the forecaster status as a typed note that says whether a forecast can apply', async () => {
    const flow = compileFlow('customers', {
      ...customersFlowConfig(),
      cadence: { everyMs: 5 * MIN, freshnessMs: 10 * MIN },
    });
    await fixture.state.setFlowMeta('customers', FORECASTER_STATUS_META, {
      isWarm: true,
      reason: 'warm: 160 of 168 hours of the week learned',
      hoursLearned: 160,
      hoursNeeded: 152,
      at: '2026-12-03T07:00:00.000Z',
    });
    const [status] = await flowStatuses(contextFor([flow], Date.now()));
    expect(status?.forecaster).toEqual({
      isWarm: true,
      reason: 'warm: 160 of 168 hours of the week learned',
      hoursLearned: 160,
      hoursNeeded: 152,
      canApply: true,
    });
  });
});
