import { beforeEach, describe, expect, it } from 'vitest';
import { compileCadence } from '../config/cadence-schema.js';
import { AdaptiveController } from './adaptive-controller.js';
import type { DecisionInputs } from './adaptive-decision.js';
import type { AdaptiveSettings, Priority } from './adaptive-tuning.js';
import { HealthWindow, type HealthSnapshot } from './health-window.js';

const MIN = 60_000;
const START = Date.parse('2026-11-11T12:00:00Z');

/** A fake clock and a target connection whose writes the test makes up. */
class FakeTarget {
  now = START;
  readonly window = new HealthWindow({ windowMs: 2 * MIN });

  /** Advances the clock by `ms`, recording ten writes of `latencyMs` along the way. */
  writes(ms: number, latencyMs: number): HealthSnapshot {
    for (let step = 1; step <= 10; step += 1)
      this.window.record({ at: this.now + (ms * step) / 10, latencyMs, outcome: 'ok' });
    this.now += ms;
    return this.window.snapshot(this.now);
  }

  /** Advances the clock by `ms` without any write. */
  idle(ms: number): HealthSnapshot {
    this.now += ms;
    return this.window.snapshot(this.now);
  }
}

function settings(priority: Priority, overrides: Partial<AdaptiveSettings> = {}): AdaptiveSettings {
  return {
    baseIntervalMs: 10 * MIN,
    minIntervalMs: MIN,
    maxIntervalMs: 60 * MIN,
    freshnessMs: 15 * MIN,
    priority,
    baseBatch: 500,
    maxBatch: 2_000,
    ...overrides,
  };
}

describe('AdaptiveController', () => {
  let erp: FakeTarget;
  let controller: AdaptiveController;
  /** Inputs of a decision after a cycle of the flow. */
  const inputs = (flow: string, health: HealthSnapshot, stalenessMs = 0): DecisionInputs => ({
    flow,
    at: erp.now,
    stalenessMs,
    health,
    afterCycle: true,
  });

  beforeEach(() => {
    erp = new FakeTarget();
    controller = new AdaptiveController({ health: { latencyThresholdMs: 1_000 } });
  });

  it('backs off multiplicatively while the target is slow, pacing the writer with smaller batches, and says why', () => {
    controller.register('stock', 'ERP', settings('normal'));
    const decision = controller.decide(inputs('stock', erp.writes(MIN, 2_400)));
    expect(decision).toMatchObject({ intervalMsBefore: 10 * MIN, intervalMs: 20 * MIN, health: 'unhealthy' });
    expect(decision.reason).toBe(
      'stock: every 10m → 20m, batch 500 → 250: ERP p95 write latency 2.4 s > 1 s',
    );
    expect(decision.inputs.health.p95LatencyMs).toBe(2_400);
    for (let cycle = 0; cycle < 3; cycle += 1) controller.decide(inputs('stock', erp.writes(MIN, 2_400)));
    expect(controller.cadenceOf('stock')).toEqual({ intervalMs: 60 * MIN, batch: 50 });
    const atMax = controller.decide(inputs('stock', erp.writes(MIN, 2_400)));
    expect(atMax).toMatchObject({ intervalMsBefore: 60 * MIN, intervalMs: 60 * MIN, batch: 50 });
    expect(atMax.reason).toMatch(/already at the longest interval$/);
  });

  it('backs off once per cycle: a waiting flow is not pushed further until it ran again', () => {
    controller.register('stock', 'ERP', settings('normal'));
    expect(
      controller.decide({ ...inputs('stock', erp.writes(MIN, 2_400)), afterCycle: false }).intervalMs,
    ).toBe(20 * MIN);
    const waiting = controller.decide({ ...inputs('stock', erp.writes(MIN, 2_400)), afterCycle: false });
    expect(waiting.intervalMs).toBe(20 * MIN);
    expect(waiting.reason).toMatch(/backs off again after its next cycle$/);
    expect(controller.decide(inputs('stock', erp.writes(MIN, 2_400))).intervalMs).toBe(40 * MIN);
  });

  it('shortens the interval and grows the batch while the target is healthy and the flow is stale', () => {
    controller.register('orders', 'ERP', settings('normal'));
    const decision = controller.decide({
      ...inputs('orders', erp.writes(MIN, 100), 20 * MIN),
      backlog: 5_000,
    });
    expect(decision).toMatchObject({ intervalMs: 5 * MIN, batch: 1_000, health: 'healthy' });
    expect(decision.reason).toBe(
      'orders: every 10m → 5m, batch 500 → 1000: staleness 20m > freshness 15m, ERP healthy (p95 100 ms)',
    );
    for (let step = 0; step < 5; step += 1)
      controller.decide(inputs('orders', erp.writes(MIN, 100), 20 * MIN));
    expect(controller.cadenceOf('orders')).toEqual({ intervalMs: MIN, batch: 2_000 });
  });

  it('waits at least as long as the target asked with Retry-After, even beyond the longest interval', () => {
    controller.register('orders', 'ERP', settings('high'));
    erp.window.record({
      at: erp.now,
      latencyMs: 30,
      outcome: 'error',
      code: 'CONNECTOR_THROTTLED',
      retryAfterSeconds: 7_200,
    });
    const decision = controller.decide(inputs('orders', erp.idle(1_000)));
    expect(decision.intervalMs).toBe(7_199_000);
    expect(decision.reason).toBe(
      'orders: every 10m → 1h59m59s, batch 500 → 250: ERP throttled 1 write (Retry-After 7200 s)',
    );
    expect(controller.shouldYield('orders', erp.window.snapshot(erp.now))).toMatch(/throttled/);
  });

  it('recovers gradually, and only after the target has stayed healthy for a while', () => {
    controller.register('stock', 'ERP', settings('normal'));
    for (let step = 0; step < 3; step += 1) controller.decide(inputs('stock', erp.writes(MIN, 2_400)));
    expect(controller.cadenceOf('stock').intervalMs).toBe(60 * MIN);
    // Healthy again, but for less than the 5 minutes normal flows wait: no change yet.
    const early = controller.decide(inputs('stock', erp.writes(4 * MIN, 100)));
    expect(early.intervalMs).toBe(60 * MIN);
    expect(early.reason).toMatch(/was unhealthy 4m ago, normal-priority flows wait 5m/);
    const intervals: number[] = [];
    for (let step = 0; step < 8; step += 1)
      intervals.push(controller.decide(inputs('stock', erp.writes(MIN, 100))).intervalMs / 1_000);
    // 60m × 0.75 per minute, rounded down to whole seconds, down to the 10m base; the batch doubles back to 500.
    expect(intervals).toEqual([2_700, 2_025, 1_518, 1_138, 853, 639, 600, 600]);
    expect(controller.cadenceOf('stock').batch).toBe(500);
  });

  it('does not flap: a single healthy minute inside a slow period does not speed the flow up', () => {
    controller.register('stock', 'ERP', settings('normal'));
    const trace: number[] = [];
    for (let minute = 0; minute < 12; minute += 1) {
      const latency = minute % 3 === 2 ? 100 : 2_400;
      trace.push(controller.decide(inputs('stock', erp.writes(MIN, latency), 20 * MIN)).intervalMs / MIN);
    }
    expect(trace.every((interval, index) => index === 0 || interval >= (trace[index - 1] ?? 0))).toBe(true);
  });

  it('changes a flow at most once per step, however often it is asked', () => {
    controller.register('stock', 'ERP', settings('normal'));
    expect(controller.decide(inputs('stock', erp.writes(MIN, 2_400))).intervalMs).toBe(20 * MIN);
    const soon = controller.decide(inputs('stock', erp.writes(10_000, 2_400)));
    expect(soon.intervalMs).toBe(20 * MIN);
    expect(soon.reason).toMatch(/\(last change 10s ago\)$/);
  });

  it('lets low-priority flows back off first and further, and high-priority ones last', () => {
    controller.register('orders', 'ERP', settings('high'));
    controller.register('customers', 'ERP', settings('normal'));
    controller.register('invoices', 'ERP', settings('low', { maxIntervalMs: 4 * 60 * MIN }));
    const slow = erp.writes(MIN, 2_400);
    const high = controller.decide(inputs('orders', slow));
    const normal = controller.decide(inputs('customers', slow));
    const low = controller.decide(inputs('invoices', slow));
    expect([high.intervalMs, normal.intervalMs, low.intervalMs]).toEqual([10 * MIN, 10 * MIN, 30 * MIN]);
    expect(high.reason).toMatch(/lower-priority flows back off first \(customers, invoices\)$/);
    expect(controller.shouldYield('invoices', slow)).toMatch(/low-priority flows yield first$/);
    expect(controller.shouldYield('customers', slow)).toBeUndefined();
    expect(controller.shouldYield('orders', slow)).toBeUndefined();
    // The low flow reaches its longest interval; then the normal one backs off, the high one still holds.
    for (let minute = 0; minute < 2; minute += 1)
      controller.decide(inputs('invoices', erp.writes(MIN, 2_400)));
    expect(controller.cadenceOf('invoices').intervalMs).toBe(4 * 60 * MIN);
    expect(controller.decide(inputs('customers', erp.writes(MIN, 2_400))).intervalMs).toBe(20 * MIN);
    expect(controller.decide(inputs('orders', erp.writes(MIN, 2_400))).intervalMs).toBe(10 * MIN);
    // After 15 minutes of trouble the high-priority flow backs off too, by the smallest factor.
    for (let minute = 0; minute < 12; minute += 1)
      controller.decide(inputs('customers', erp.writes(MIN, 2_400)));
    expect(controller.decide(inputs('orders', erp.writes(MIN, 2_400))).intervalMs).toBe(15 * MIN);
  });

  it('gives the spare capacity of a strained target to high-priority flows only', () => {
    controller.register('orders', 'ERP', settings('high'));
    controller.register('invoices', 'ERP', settings('low'));
    // 700 ms is above 60% of the 1 s limit: strained, not yet unhealthy.
    const strained = erp.writes(MIN, 700);
    const high = controller.decide(inputs('orders', strained, 20 * MIN));
    const low = controller.decide(inputs('invoices', strained, 20 * MIN));
    expect(high).toMatchObject({ health: 'strained', intervalMs: 5 * MIN });
    expect(low).toMatchObject({ health: 'strained', intervalMs: 10 * MIN });
    expect(low.reason).toMatch(/capacity goes to high-priority flows first$/);
  });

  it('keeps a backed-off low-priority flow waiting while the target is only strained; a normal one recovers', () => {
    controller.register('invoices', 'ERP', settings('low'));
    const other = new AdaptiveController({ health: { latencyThresholdMs: 1_000 } });
    other.register('customers', 'ERP', settings('normal'));
    const slow = erp.writes(MIN, 2_400);
    controller.decide(inputs('invoices', slow));
    other.decide(inputs('customers', slow));
    erp.writes(10 * MIN, 100);
    // 700 ms is above 60% of the 1 s limit: strained, not unhealthy.
    const strained = erp.writes(2 * MIN, 700);
    const low = controller.decide(inputs('invoices', strained, 40 * MIN));
    expect(low.intervalMs).toBe(30 * MIN);
    expect(low.reason).toMatch(/low-priority flows stay backed off until it is healthy$/);
    expect(other.decide(inputs('customers', strained)).intervalMs).toBe(15 * MIN);
  });

  it('raises the cadence ahead of a predicted peak that would leave the flow staler than its objective', () => {
    controller.register('orders', 'ERP', settings('normal', { freshnessMs: 10 * MIN, baseBatch: 100 }));
    controller.register('contacts', 'ERP', settings('normal'));
    const health = erp.writes(MIN, 400);
    const forecast = { rate: 600, at: erp.now + 20 * MIN, currentRate: 50 };
    const decision = controller.decide({ ...inputs('orders', health), forecast });
    expect(decision.intervalMs).toBe(5 * MIN);
    // 10 minutes of 600 changes/min is 60 batches of 100 at 400 ms each: 10m24s.
    expect(decision.reason).toBe(
      'orders: every 10m → 5m: forecast 600 changes/min in 20m (now 50/min) would leave it 10m24s stale > freshness 10m, ERP healthy (p95 400 ms)',
    );
    // A peak the flow absorbs within its objective changes nothing.
    expect(controller.decide({ ...inputs('contacts', health), forecast }).intervalMs).toBe(10 * MIN);
  });

  it('judges latency against the learned baseline when no threshold is configured', () => {
    const learning = new AdaptiveController();
    learning.register('stock', 'ERP', settings('normal'));
    for (let minute = 0; minute < 5; minute += 1) learning.decide(inputs('stock', erp.writes(MIN, 200)));
    expect(learning.cadenceOf('stock').intervalMs).toBe(10 * MIN);
    const slow = learning.decide(inputs('stock', erp.writes(3 * MIN, 900)));
    expect(slow.reason).toBe(
      'stock: every 10m → 20m, batch 500 → 250: ERP p95 write latency 900 ms > 600 ms',
    );
  });
});

describe('AdaptiveController interval rounding', () => {
  it('recovers from a 2 s back-off to a 500 ms base: rounding never cancels a recovery step', async () => {
    const { adaptiveSettingsFor } = await import('./adaptive-settings.js');
    const { HealthWindow } = await import('./health-window.js');
    const controller = new AdaptiveController({
      minStepMs: 0,
      recoveryDwellMs: { high: 1_000, normal: 1_000, low: 1_000 },
    });
    controller.register(
      'f',
      'erp',
      adaptiveSettingsFor(
        compileCadence({ every: '500ms', adaptive: { min: '500ms', max: '8s' } }),
        1000,
        0,
      )!,
    );
    const window = new HealthWindow({ windowMs: 3_000 });
    let at = 1_000_000;
    for (let i = 0; i < 3; i++) {
      window.record({ at, latencyMs: 1_000, outcome: 'error', code: 'CONNECTOR_LOCK_TIMEOUT' });
      at += 1_000;
      controller.decide({ flow: 'f', at, stalenessMs: 1_000, health: window.snapshot(at), afterCycle: true });
    }
    expect(controller.cadenceOf('f').intervalMs).toBe(2_000);
    for (let i = 0; i < 12; i++) {
      window.record({ at, latencyMs: 2, outcome: 'ok' });
      at += 1_000;
      controller.decide({ flow: 'f', at, stalenessMs: 1_000, health: window.snapshot(at), afterCycle: true });
    }
    expect(controller.cadenceOf('f').intervalMs).toBe(500);
  });
});

describe('AdaptiveController under Retry-After while a flow waits', () => {
  it('backs off once per cycle: re-deciding while waiting neither compounds the interval nor halves the batch again', async () => {
    const { adaptiveSettingsFor } = await import('./adaptive-settings.js');
    const { HealthWindow } = await import('./health-window.js');
    const controller = new AdaptiveController({ minStepMs: 0 });
    controller.register(
      'f',
      'erp',
      adaptiveSettingsFor(compileCadence({ every: '1m', adaptive: { min: '1m', max: '1h' } }), 1000, 0)!,
    );
    const window = new HealthWindow();
    let at = 1_000_000;
    window.record({
      at,
      latencyMs: 5,
      outcome: 'error',
      code: 'CONNECTOR_THROTTLED',
      retryAfterSeconds: 600,
    });
    controller.decide({ flow: 'f', at, stalenessMs: 0, health: window.snapshot(at), afterCycle: true });
    const first = controller.cadenceOf('f');
    for (let minute = 0; minute < 5; minute++) {
      at += 60_000;
      controller.decide({ flow: 'f', at, stalenessMs: 0, health: window.snapshot(at) });
    }
    expect(controller.cadenceOf('f').batch).toBe(first.batch);
    expect(controller.cadenceOf('f').intervalMs).toBeLessThanOrEqual(first.intervalMs);
  });
});
