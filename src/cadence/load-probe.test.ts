import { describe, expect, it } from 'vitest';
import type { Connector, TargetRecord, TargetSpec, WriteResult } from '../core/connector.js';
import { ConnectorError } from '../core/errors.js';
import { assertScratchTableName, scratchTargetSpec } from '../core/scratch-table.js';
import { probeRecords, runLoadProbe, scratchTableName } from './load-probe.js';
import { findKnee, percentile, stopReason, type ProbeStep } from './probe-curve.js';

/** A target whose batch write takes `latency(batchSize, concurrency)` virtual ms; records DDL calls. */
class FakeTarget {
  clock = 0;
  active = 0;
  readonly tables = new Set<string>();
  readonly dropped: string[] = [];
  written = 0;
  constructor(
    readonly latency: (batchSize: number, concurrency: number) => number,
    readonly failAt?: number,
    readonly onWrite?: () => void,
  ) {}

  connector(): Connector {
    return {
      capabilities: { source: false, target: true, transactions: true, describe: false },
      probe: () => Promise.resolve({ ok: true }),
      describeTable: () => Promise.resolve(undefined),
      readChanges: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true, value: undefined }) }),
      }),
      readByKeys: () => Promise.resolve([]),
      countPending: () => Promise.resolve(0),
      writeBatch: (target, records, signal) => this.write(target, records, signal),
      createScratchTable: (name) => {
        assertScratchTableName(name);
        this.tables.add(name);
        return Promise.resolve(scratchTargetSpec(name));
      },
      dropScratchTable: (name) => {
        this.tables.delete(name);
        this.dropped.push(name);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }

  async write(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult> {
    signal.throwIfAborted();
    if (!this.tables.has(target.table)) throw new ConnectorError('CONNECTOR_TABLE_NOT_FOUND', target.table);
    this.onWrite?.();
    if (this.failAt !== undefined && records.length >= this.failAt)
      throw new ConnectorError('CONNECTOR_LOCK_TIMEOUT', 'lock wait timeout on the scratch table');
    this.active += 1;
    await Promise.resolve();
    this.clock += this.latency(records.length, this.active);
    this.active -= 1;
    this.written += records.length;
    return { written: records.length };
  }
}

const options = (target: FakeTarget, signal = new AbortController().signal) => ({
  connection: 'erp',
  maxMs: 8_000,
  signal,
  now: () => target.clock,
  maxRowsPerStep: 2_000,
});

describe('runLoadProbe', () => {
  it('writes every step through writeBatch, finds the knee and drops its scratch table', async () => {
    const target = new FakeTarget((rows) => 5 + rows * 0.05);
    const curve = await runLoadProbe(target.connector(), options(target));
    expect(curve.steps.map((step) => `${String(step.batchSize)}×${String(step.concurrency)}`)).toEqual([
      '1×1',
      '1×2',
      '10×1',
      '10×2',
      '100×1',
      '100×2',
      '1000×1',
      '1000×2',
    ]);
    expect(curve.knee?.batchSize).toBe(1000);
    expect(curve.stoppedBecause).toBe('all steps done');
    expect(curve.table).toMatch(/^syncline_probe_[0-9a-f]{12}$/);
    expect(target.tables.size).toBe(0);
    expect(target.dropped).toEqual([curve.table]);
  });

  it('stops at the first errors and still drops the table', async () => {
    const target = new FakeTarget(() => 5, 100);
    const curve = await runLoadProbe(target.connector(), options(target));
    expect(curve.steps.at(-1)).toMatchObject({ batchSize: 100, concurrency: 1, errors: 1 });
    expect(curve.stoppedBecause).toMatch(/^errors at batch 100 × 1: lock wait timeout/);
    expect(curve.knee?.batchSize).toBe(10);
    expect(target.tables.size).toBe(0);
  });

  it('stops once latency rises sharply while throughput falls (past the knee)', async () => {
    const target = new FakeTarget((rows) => (rows >= 1000 ? 4_000 : 5 + rows * 0.05));
    const curve = await runLoadProbe(target.connector(), options(target));
    expect(curve.stoppedBecause).toMatch(/p95 latency 4\.0 s > 2\.0 s at batch 1000 × 1/);
    expect(curve.knee?.batchSize).toBe(100);
  });

  it('drops the scratch table when aborted mid-probe, and stores nothing', async () => {
    const controller = new AbortController();
    let writes = 0;
    const target = new FakeTarget(
      () => 5,
      undefined,
      () => {
        writes += 1;
        if (writes === 50) controller.abort(new Error('Ctrl-C'));
      },
    );
    await expect(runLoadProbe(target.connector(), options(target, controller.signal))).rejects.toThrow(
      'Ctrl-C',
    );
    expect(target.dropped).toHaveLength(1);
    expect(target.tables.size).toBe(0);
  });

  it('refuses a scratch table name that could be a business table', async () => {
    const target = new FakeTarget(() => 5);
    await expect(runLoadProbe(target.connector(), { ...options(target), table: 'orders' })).rejects.toThrow(
      /refusing scratch table "orders"/,
    );
    expect(target.tables.size).toBe(0);
  });
});

describe('probe rows and curve', () => {
  it('makes realistic rows of about 250 bytes with distinct keys', () => {
    const records = probeRecords('ab12', 0, 3);
    expect(new Set(records.map((record) => record.key)).size).toBe(3);
    const bytes = JSON.stringify(Object.values(records[0]?.values ?? {})).length;
    expect(bytes).toBeGreaterThan(200);
    expect(bytes).toBeLessThan(320);
    expect(records[0]?.values.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  });

  it('names scratch tables syncline_probe_<hex> and refuses anything else', () => {
    expect(() => {
      assertScratchTableName(scratchTableName());
    }).not.toThrow();
    for (const name of [
      'accounts',
      'syncline_probe_',
      'syncline_probe_x; drop table orders',
      'public.syncline_probe_ab',
    ])
      expect(() => {
        assertScratchTableName(name);
      }).toThrow(ConnectorError);
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 100], 95)).toBe(100);
    expect(percentile([], 95)).toBe(0);
  });

  it('keeps going while more load buys throughput', () => {
    const step = (rowsPerSecond: number, p95Ms: number): ProbeStep => ({
      batchSize: 10,
      concurrency: 1,
      batches: 5,
      rows: 50,
      rowsPerSecond,
      p50Ms: p95Ms / 2,
      p95Ms,
      errors: 0,
    });
    expect(stopReason([step(100, 10), step(400, 40)])).toBeUndefined();
    expect(stopReason([step(400, 40), step(300, 120)])).toMatch(/latency rose sharply/);
    expect(findKnee([step(100, 10), step(400, 40), step(300, 120)])?.rowsPerSecond).toBe(400);
  });
});
