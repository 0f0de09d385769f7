import { describe, expect, it } from 'vitest';
import { HealthWindow } from './health-window.js';

const T = Date.parse('2026-11-11T12:00:00Z');

describe('HealthWindow', () => {
  it('reports p50 and p95 write latency of the successful writes inside the window', () => {
    const window = new HealthWindow({ windowMs: 60_000 });
    for (let index = 1; index <= 100; index += 1)
      window.record({ at: T + index * 100, latencyMs: index, outcome: 'ok' });
    window.record({ at: T + 10_100, latencyMs: 5, outcome: 'error', code: 'CONNECTOR_THROTTLED' });
    const snapshot = window.snapshot(T + 20_000);
    expect(snapshot).toMatchObject({ writes: 101, errors: 1, p50LatencyMs: 50, p95LatencyMs: 95 });
    expect(snapshot.errorRate).toBeCloseTo(1 / 101);
  });

  it('forgets writes older than the window', () => {
    const window = new HealthWindow({ windowMs: 60_000 });
    window.record({ at: T, latencyMs: 5_000, outcome: 'ok' });
    window.record({ at: T + 50_000, latencyMs: 100, outcome: 'ok' });
    expect(window.snapshot(T + 55_000).p95LatencyMs).toBe(5_000);
    expect(window.snapshot(T + 70_000)).toMatchObject({ writes: 1, p95LatencyMs: 100 });
    expect(window.snapshot(T + 200_000)).toMatchObject({ writes: 0, errorRate: 0, p95LatencyMs: undefined });
  });

  it('counts throttled writes with the largest Retry-After, deadlocks and lock wait timeouts', () => {
    const window = new HealthWindow();
    window.record({
      at: T,
      latencyMs: 20,
      outcome: 'error',
      code: 'CONNECTOR_THROTTLED',
      retryAfterSeconds: 30,
    });
    window.record({
      at: T + 1_000,
      latencyMs: 20,
      outcome: 'error',
      code: 'CONNECTOR_THROTTLED',
      retryAfterSeconds: 5,
    });
    window.record({ at: T + 2_000, latencyMs: 900, outcome: 'error', code: 'CONNECTOR_DEADLOCK' });
    window.record({ at: T + 3_000, latencyMs: 50_000, outcome: 'error', code: 'CONNECTOR_LOCK_TIMEOUT' });
    window.record({
      at: T + 4_000,
      latencyMs: 300,
      outcome: 'error',
      code: 'CONNECTOR_TOO_MANY_CONNECTIONS',
    });
    expect(window.snapshot(T + 5_000)).toMatchObject({
      writes: 5,
      errors: 5,
      throttled: 3,
      maxRetryAfterSeconds: 30,
      retryAfterUntil: T + 30_000,
      deadlocks: 1,
      lockTimeouts: 1,
      p95LatencyMs: undefined,
    });
  });

  it('keeps the Retry-After deadline after the throttled write has left the window', () => {
    const window = new HealthWindow({ windowMs: 60_000 });
    window.record({
      at: T,
      latencyMs: 20,
      outcome: 'error',
      code: 'CONNECTOR_THROTTLED',
      retryAfterSeconds: 600,
    });
    expect(window.snapshot(T + 120_000)).toMatchObject({ throttled: 0, retryAfterUntil: T + 600_000 });
  });

  it('keeps at most maxSamples writes', () => {
    const window = new HealthWindow({ windowMs: 3_600_000, maxSamples: 10 });
    for (let index = 0; index < 5_000; index += 1)
      window.record({ at: T + index, latencyMs: index, outcome: 'ok' });
    expect(window.snapshot(T + 5_000)).toMatchObject({ writes: 10, p50LatencyMs: 4_994 });
  });

  it('leaves a refused record out of the error rate, the write count and the latencies', () => {
    const window = new HealthWindow({ windowMs: 60_000 });
    for (let index = 1; index <= 10; index += 1)
      window.record({ at: T + index * 100, latencyMs: 40, outcome: 'ok' });
    const before = window.snapshot(T + 5_000);
    for (let index = 1; index <= 10; index += 1)
      window.record({
        at: T + 1_000 + index * 100,
        latencyMs: 2,
        outcome: 'refused',
        code: 'CONNECTOR_CONSTRAINT_VIOLATION',
      });
    expect(window.snapshot(T + 5_000)).toEqual(before);
    expect(before).toMatchObject({ writes: 10, errors: 0, errorRate: 0, p95LatencyMs: 40 });
  });
});
