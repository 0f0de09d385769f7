import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeRuntime, idleSnapshot, NO_COUNTS } from '../../../test/support/fake-runtime.js';
import { labelValues, parseExposition, sampleValue } from '../../../test/support/prometheus-text.js';
import { customersFlowConfig, SqliteFlowFixture } from '../../../test/support/sqlite-flow-fixture.js';
import { compileFlow } from '../../core/flow.js';
import { silentLogger } from '../../core/logger.js';
import type { OperationsContext } from '../../operations/operations-context.js';
import type { RuntimeEvent } from '../../runtime/runtime.js';
import { createMetrics, type MetricsInternals, type SynclineMetrics } from './syncline-metrics.js';

// Event-fed counters and histograms with a fake runtime; the gauges read the fixture's real SQLite state store.

let fixture: SqliteFlowFixture;
let runtime: FakeRuntime;
let metrics: SynclineMetrics & MetricsInternals;
const AT = Date.parse('2026-12-01T10:00:00Z');

function noPorts(): never {
  throw new Error('metrics read no source or target');
}

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  runtime = new FakeRuntime();
  const operations: OperationsContext = {
    flows: [compileFlow('customers', customersFlowConfig())],
    state: fixture.state,
    logger: silentLogger,
    portsFor: noPorts,
    connector: noPorts,
  };
  metrics = createMetrics({ runtime, operations, version: '9.8.7', now: () => AT });
});

afterEach(async () => {
  metrics.close();
  await fixture.close();
});

function emit(...events: RuntimeEvent[]): void {
  for (const event of events) runtime.emit(event);
}

async function scrape(): Promise<ReturnType<typeof parseExposition>> {
  return parseExposition(await metrics.scrape());
}

describe('metrics from runtime events', () => {
  it('counts the records of a cycle once, as its batches commit and when it ends', async () => {
    const flow = 'customers';
    emit(
      { type: 'cycle.started', flow, trigger: 'schedule', reason: 'every 1m', at: AT },
      {
        type: 'cycle.progress',
        flow,
        counts: { ...NO_COUNTS, read: 3, written: 2, unchanged: 1 },
        elapsedMs: 5,
        at: AT,
      },
    );
    let exposition = await scrape();
    expect(sampleValue(exposition, 'syncline_records_read_total', { flow })).toBe(3);
    expect(sampleValue(exposition, 'syncline_records_total', { flow, outcome: 'written' })).toBe(2);
    emit(
      {
        type: 'cycle.progress',
        flow,
        counts: { ...NO_COUNTS, read: 6, written: 4, unchanged: 1, quarantined: 1 },
        elapsedMs: 9,
        at: AT,
      },
      {
        type: 'cycle.finished',
        flow,
        status: 'succeeded',
        runId: 1,
        trigger: 'schedule',
        counts: { read: 7, written: 4, unchanged: 1, quarantined: 1, failed: 0, deleted: 1 },
        durationMs: 1500,
        at: AT,
      },
    );
    exposition = await scrape();
    expect(sampleValue(exposition, 'syncline_records_read_total', { flow })).toBe(7);
    expect(sampleValue(exposition, 'syncline_records_total', { flow, outcome: 'written' })).toBe(4);
    expect(sampleValue(exposition, 'syncline_records_total', { flow, outcome: 'quarantined' })).toBe(1);
    expect(sampleValue(exposition, 'syncline_records_total', { flow, outcome: 'deleted' })).toBe(1);
    expect(sampleValue(exposition, 'syncline_records_total', { flow, outcome: 'failed' })).toBe(0);
    expect(sampleValue(exposition, 'syncline_cycles_total', { flow, status: 'succeeded' })).toBe(1);
    expect(sampleValue(exposition, 'syncline_cycle_duration_seconds_count', { flow })).toBe(1);
    expect(sampleValue(exposition, 'syncline_cycle_duration_seconds_sum', { flow })).toBe(1.5);
    expect(sampleValue(exposition, 'syncline_cycle_duration_seconds_bucket', { flow, le: '2.5' })).toBe(1);
    expect(sampleValue(exposition, 'syncline_cycle_duration_seconds_bucket', { flow, le: '1' })).toBe(0);
  });

  it('counts cycles by status and failed ones by error code; a busy cycle has no duration', async () => {
    const flow = 'customers';
    const finished = {
      type: 'cycle.finished',
      flow,
      runId: undefined,
      trigger: 'schedule',
      counts: NO_COUNTS,
    } as const;
    emit(
      { ...finished, status: 'busy', durationMs: 0, at: AT },
      {
        ...finished,
        status: 'failed',
        durationMs: 200,
        error: { code: 'CONNECTOR_UNAVAILABLE', message: 'ECONNREFUSED 10.0.0.7', retryable: true },
        at: AT,
      },
    );
    const exposition = await scrape();
    expect(sampleValue(exposition, 'syncline_cycles_total', { flow, status: 'busy' })).toBe(1);
    expect(sampleValue(exposition, 'syncline_cycles_total', { flow, status: 'failed' })).toBe(1);
    expect(
      sampleValue(exposition, 'syncline_cycle_errors_total', { flow, code: 'CONNECTOR_UNAVAILABLE' }),
    ).toBe(1);
    expect(sampleValue(exposition, 'syncline_cycle_duration_seconds_count', { flow })).toBe(1);
    expect(labelValues(exposition).join(' ')).not.toContain('10.0.0.7');
  });

  it('times write attempts per target and counts throttling, lock waits, deadlocks and retries', async () => {
    const sample = { type: 'write.sample', flow: 'customers', target: 'erp', at: AT } as const;
    emit(
      { ...sample, latencyMs: 20, outcome: 'ok', rows: 3 },
      { ...sample, latencyMs: 100, outcome: 'error', code: 'CONNECTOR_THROTTLED' },
      { ...sample, latencyMs: 1000, outcome: 'error', code: 'CONNECTOR_LOCK_TIMEOUT' },
      { ...sample, latencyMs: 10, outcome: 'error', code: 'CONNECTOR_CONSTRAINT_VIOLATION' },
      { ...sample, latencyMs: 10, outcome: 'error', code: 'some driver text 42P01' },
    );
    const exposition = await scrape();
    const labels = { flow: 'customers', target: 'erp' };
    expect(
      sampleValue(exposition, 'syncline_target_write_errors_total', {
        ...labels,
        code: 'CONNECTOR_THROTTLED',
      }),
    ).toBe(1);
    expect(
      sampleValue(exposition, 'syncline_target_write_errors_total', {
        ...labels,
        code: 'CONNECTOR_LOCK_TIMEOUT',
      }),
    ).toBe(1);
    expect(
      sampleValue(exposition, 'syncline_target_write_errors_total', {
        ...labels,
        code: 'CONNECTOR_DEADLOCK',
      }),
    ).toBe(0);
    expect(sampleValue(exposition, 'syncline_target_write_errors_total', { ...labels, code: 'OTHER' })).toBe(
      1,
    );
    // Throttled and lock timeout are retryable; a constraint violation is not.
    expect(sampleValue(exposition, 'syncline_target_write_retries_total', labels)).toBe(2);
    const ok = { target: 'erp', outcome: 'ok' };
    expect(sampleValue(exposition, 'syncline_target_write_duration_seconds_count', ok)).toBe(1);
    expect(sampleValue(exposition, 'syncline_target_write_duration_seconds_sum', ok)).toBe(0.02);
    const failed = { target: 'erp', outcome: 'error' };
    expect(sampleValue(exposition, 'syncline_target_write_duration_seconds_count', failed)).toBe(4);
  });

  it('labels dead letters, conflicts and reconciles with bounded values, never a record key or reason', async () => {
    emit(
      {
        type: 'dead-letter',
        flow: 'customers',
        key: 'ACME-4711',
        kind: 'write',
        code: 'CONNECTOR_VALUE_REJECTED',
        reason: 'value too long for name: Zhang San Trading',
        at: AT,
      },
      {
        type: 'conflict',
        flow: 'customers',
        key: 'ACME-4712',
        fields: ['name'],
        reason: 'both changed',
        at: AT,
      },
      {
        type: 'reconcile.finished',
        flow: 'customers',
        mode: 'checksum',
        status: 'succeeded',
        missing: 2,
        extra: 0,
        different: 1,
        repaired: 0,
        at: AT,
      },
    );
    const text = await metrics.scrape();
    const exposition = parseExposition(text);
    expect(
      sampleValue(exposition, 'syncline_dead_letters_total', {
        kind: 'write',
        code: 'CONNECTOR_VALUE_REJECTED',
      }),
    ).toBe(1);
    expect(sampleValue(exposition, 'syncline_conflicts_total', { flow: 'customers' })).toBe(1);
    expect(
      sampleValue(exposition, 'syncline_reconciles_total', { mode: 'checksum', status: 'succeeded' }),
    ).toBe(1);
    for (const leaked of ['ACME-4711', 'ACME-4712', 'Zhang San', 'both changed'])
      expect(text).not.toContain(leaked);
  });

  it('counts alert notices by channel and outcome', async () => {
    metrics.recordAlert('ops', 'sent');
    metrics.recordAlert('ops', 'sent');
    metrics.recordAlert('dingtalk', 'suppressed');
    const exposition = await scrape();
    expect(
      sampleValue(exposition, 'syncline_alert_notifications_total', { channel: 'ops', outcome: 'sent' }),
    ).toBe(2);
    expect(
      sampleValue(exposition, 'syncline_alert_notifications_total', {
        channel: 'dingtalk',
        outcome: 'suppressed',
      }),
    ).toBe(1);
  });

  it('stops counting after close', async () => {
    expect(runtime.subscriberCount).toBe(1);
    metrics.close();
    expect(runtime.subscriberCount).toBe(0);
    emit({ type: 'conflict', flow: 'customers', key: '1', fields: [], reason: 'both changed', at: AT });
    expect(sampleValue(await scrape(), 'syncline_conflicts_total', { flow: 'customers' })).toBeUndefined();
  });
});

describe('metrics computed at scrape', () => {
  it('reports the runtime snapshot in base units and the state store counts', async () => {
    runtime.snapshots = [
      {
        ...idleSnapshot('customers', { intervalMs: 30_000, configuredIntervalMs: 60_000, batch: 250 }),
        activity: 'paused',
        paused: { by: 'ops@example', at: '2026-12-01T09:00:00.000Z' },
      },
    ];
    const exposition = await scrape();
    const flow = { flow: 'customers' };
    expect(sampleValue(exposition, 'syncline_cadence_interval_seconds', flow)).toBe(30);
    expect(sampleValue(exposition, 'syncline_cadence_configured_interval_seconds', flow)).toBe(60);
    expect(sampleValue(exposition, 'syncline_cadence_batch_size', flow)).toBe(250);
    expect(sampleValue(exposition, 'syncline_cadence_configured_batch_size', flow)).toBe(1000);
    expect(sampleValue(exposition, 'syncline_flow_paused', flow)).toBe(1);
    expect(sampleValue(exposition, 'syncline_flow_running', flow)).toBe(0);
    expect(sampleValue(exposition, 'syncline_dead_letters_open', flow)).toBe(0);
    expect(sampleValue(exposition, 'syncline_conflicts_open', flow)).toBe(0);
    expect(sampleValue(exposition, 'syncline_state_store_up')).toBe(1);
    // Nothing synced yet: no lag to report, rather than a made-up one.
    expect(sampleValue(exposition, 'syncline_freshness_lag_seconds', flow)).toBeUndefined();
  });

  it('still serves counters and process metrics when the state store does not answer', async () => {
    runtime.snapshots = [idleSnapshot('customers')];
    await fixture.state.close();
    const exposition = await scrape();
    expect(sampleValue(exposition, 'syncline_state_store_up')).toBe(0);
    expect(sampleValue(exposition, 'syncline_dead_letters_open', { flow: 'customers' })).toBeUndefined();
    expect(sampleValue(exposition, 'syncline_cadence_batch_size', { flow: 'customers' })).toBe(1000);
    expect(exposition.families.has('syncline_process_cpu_seconds_total')).toBe(true);
  });

  it('answers concurrent scrapes one after the other, each complete', async () => {
    const texts = await Promise.all([metrics.scrape(), metrics.scrape(), metrics.scrape()]);
    for (const text of texts) expect(sampleValue(parseExposition(text), 'syncline_state_store_up')).toBe(1);
  });
});
