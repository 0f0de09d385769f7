import { describe, expect, it } from 'vitest';
import { compileCadence } from '../config/cadence-schema.js';
import type { RunRecord } from '../core/state-store.js';
import { measureChangeRate, niceInterval, planFlows, type FlowPlanInput } from './advisor.js';
import type { ProbeCurve, ProbeStep } from './probe-curve.js';

const START = Date.parse('2026-11-23T00:00:00Z');
const MINUTE = 60_000;

/** Succeeded cycles every `everyMin` minutes for `hours`, each reading the changes of `perMin(hour)`. */
function runs(hours: number, everyMin: number, perMin: (hourOfDay: number) => number): RunRecord[] {
  const records: RunRecord[] = [];
  for (let at = START, id = 1; at <= START + hours * 60 * MINUTE; at += everyMin * MINUTE, id += 1) {
    const hour = new Date(at).getUTCHours();
    records.push({
      id,
      flow: 'orders',
      trigger: 'schedule',
      status: 'succeeded',
      startedAt: new Date(at).toISOString(),
      finishedAt: new Date(at + 1_000).toISOString(),
      durationMs: 1_000,
      counts: {
        read: perMin(hour) * everyMin,
        written: perMin(hour) * everyMin,
        unchanged: 0,
        quarantined: 0,
        failed: 0,
        deleted: 0,
      },
      error: undefined,
    });
  }
  return records.reverse();
}

function probe(rowsPerSecond: number, batchSize = 500): ProbeCurve {
  const knee: ProbeStep = {
    batchSize,
    concurrency: 1,
    batches: 10,
    rows: 10 * batchSize,
    rowsPerSecond,
    p50Ms: 40,
    p95Ms: 80,
    errors: 0,
  };
  return {
    version: 1,
    connection: 'erp',
    table: 'syncline_probe_ab',
    measuredAt: '2026-11-25T10:00:00.000Z',
    steps: [knee],
    knee,
    stoppedBecause: 'all steps done',
  };
}

function input(overrides: Partial<FlowPlanInput> = {}): FlowPlanInput {
  return {
    flow: 'orders',
    targetConnection: 'erp',
    cadence: compileCadence({ every: '5m', freshness: '1m' }),
    batchSize: 1000,
    runs: runs(24, 5, (hour) => (hour === 9 ? 12_000 : 1_000)),
    probe: probe(150),
    ...overrides,
  };
}

describe('measureChangeRate', () => {
  it('finds the average and the busiest hour of day from successive cycles', () => {
    const rate = measureChangeRate(runs(24, 5, (hour) => (hour === 9 ? 600 : 60)));
    expect(rate?.peakHour).toBe(9);
    expect(rate?.peakPerMinute).toBeCloseTo(600);
    expect(rate?.averagePerMinute).toBeGreaterThan(60);
    expect(rate?.averagePerMinute).toBeLessThan(600);
  });

  it('does not count lookback re-reads of unchanged rows, resyncs or failed cycles', () => {
    const history = runs(2, 5, () => 10).map((run, index) => ({
      ...run,
      counts: { ...run.counts, read: run.counts.read + 7, unchanged: 7 },
      ...(index === 3 ? { trigger: 'resync' as const } : {}),
      ...(index === 4 ? { status: 'failed' as const } : {}),
    }));
    expect(measureChangeRate(history)?.peakPerMinute).toBeCloseTo(10);
  });

  it('gives no rate with too little history', () => {
    expect(measureChangeRate(runs(0.15, 5, () => 10))).toBeUndefined();
  });
});

describe('planFlows', () => {
  it('names an objective the target cannot sustain at peak, with the numbers', () => {
    const [plan] = planFlows([input()]);
    expect(plan?.canMeet).toBe(false);
    expect(plan?.notes).toContain(
      'orders: freshness 1m needs 12,000 rows/min at peak; erp sustains 9,000 rows/min at batch 500 (probe 2026-11-25)',
    );
  });

  it('recommends an interval within the objective with headroom, and the batch at the knee', () => {
    const [plan] = planFlows([input({ probe: probe(2_000) })]);
    expect(plan?.canMeet).toBe(true);
    expect(plan?.batchSize).toBe(500);
    // 1m × 0.75 / (1 + 12,000 / 120,000) ≈ 40.9s → 30s.
    expect(plan?.intervalMs).toBe(30_000);
    expect(plan?.notes).toEqual([]);
  });

  it('uses the configured interval as the objective when no freshness is set', () => {
    const [plan] = planFlows([input({ cadence: compileCadence({ every: '10m' }), probe: probe(2_000) })]);
    expect(plan?.objectiveSource).toBe('interval');
    expect(plan?.objectiveMs).toBe(600_000);
    expect(plan?.intervalMs).toBeLessThan(600_000);
  });

  it('says when there is no probe or too little history, and keeps the configured batch', () => {
    const [plan] = planFlows([input({ probe: undefined, runs: [] })]);
    expect(plan?.canMeet).toBeUndefined();
    expect(plan?.batchSize).toBe(1000);
    expect(plan?.notes.join('\n')).toMatch(/no probe of erp: run "syncline probe --connection erp"/);
    expect(plan?.notes.join('\n')).toMatch(/too little history/);
  });

  it('says a cron flow without freshness has no objective to plan for', () => {
    const [plan] = planFlows([input({ cadence: compileCadence({ cron: '0 2 * * *' }) })]);
    expect(plan?.intervalMs).toBeUndefined();
    expect(plan?.notes.join('\n')).toMatch(/no objective/);
  });

  it('shares a target between its flows: together they may exceed it though each alone fits', () => {
    const light = runs(24, 5, (hour) => (hour === 9 ? 5_000 : 100));
    const plans = planFlows([
      input({ flow: 'orders', runs: light, probe: probe(150) }),
      input({ flow: 'stock', runs: light, probe: probe(150) }),
    ]);
    expect(plans.map((plan) => plan.canMeet)).toEqual([false, false]);
    expect(plans[1]?.notes.join('\n')).toMatch(
      /flows orders, stock share erp and together need 10,000 rows\/min/,
    );
  });
});

describe('niceInterval', () => {
  it('rounds down to a readable interval, 1s at least', () => {
    expect(niceInterval(40_900)).toBe(30_000);
    expect(niceInterval(4 * MINUTE)).toBe(3 * MINUTE);
    expect(niceInterval(200)).toBe(1_000);
  });
});
