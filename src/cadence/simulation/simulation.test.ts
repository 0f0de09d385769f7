import { describe, expect, it } from 'vitest';
import { checkAcceptance } from './simulation-acceptance.js';
import { renderChart } from './simulation-chart.js';
import { runSimulation, type SimulationRun } from './simulation-engine.js';
import { COMPARED_STRATEGIES } from './simulation-strategy.js';
import { renderReport } from './simulation-report.js';
import { flashSaleScenario, type Scenario } from './simulation-scenarios.js';

const runAll = (scenario: Scenario, seed: number): SimulationRun[] =>
  COMPARED_STRATEGIES.map((strategy) => runSimulation(scenario, strategy, seed));

describe('cadence simulation', () => {
  it('gives the same result for the same seed, and another for another seed', () => {
    const scenario = flashSaleScenario();
    const first = runSimulation(scenario, { kind: 'adaptive' }, 7);
    const again = runSimulation(scenario, { kind: 'adaptive' }, 7);
    const other = runSimulation(scenario, { kind: 'adaptive' }, 8);
    expect(again).toEqual(first);
    expect(first.decisions.length).toBeGreaterThan(0);
    expect(other.result.rowsWritten).not.toBe(first.result.rowsWritten);
  });

  it('adaptive beats the fixed cadences that spare the ERP as much on a quiet morning', () => {
    const results = runAll(flashSaleScenario(1), 7).map((run) => run.result);
    const verdict = checkAcceptance(results);
    expect(verdict.comparisons.filter((comparison) => comparison.isComparable).length).toBeGreaterThan(0);
    expect(verdict.holds).toBe(true);
  });

  it('adaptive beats every fixed cadence on the combined goal through a 10× flash sale', () => {
    const results = runAll(flashSaleScenario(10), 7).map((run) => run.result);
    expect(checkAcceptance(results).holds).toBe(true);
  });

  it('backs low-priority flows off first when the ERP struggles, and keeps the high-priority ones going', () => {
    const run = runSimulation(flashSaleScenario(10), { kind: 'adaptive' }, 7);
    const backOffs = run.decisions.filter(
      (d) => d.health === 'unhealthy' && d.intervalMs > d.intervalMsBefore,
    );
    const tierOf = (flow: string): string =>
      ['orders', 'stock'].includes(flow)
        ? 'high'
        : ['customers', 'contacts'].includes(flow)
          ? 'normal'
          : 'low';
    expect(backOffs[0]?.reason).toMatch(
      /^(invoices|prices): every 15m → 45m, batch 500 → 250: ERP p95 write latency/,
    );
    const firstNormal = backOffs.find((d) => tierOf(d.flow) === 'normal');
    expect(firstNormal?.at).toBeGreaterThan(backOffs[0]?.at ?? Infinity);
    expect(backOffs.filter((d) => tierOf(d.flow) === 'high')).toEqual([]);
  });

  it('renders the report and the chart from the runs', () => {
    const scenario = flashSaleScenario(10);
    const runs = runAll(scenario, 7);
    const report = renderReport([{ scenario, runs }], 7, ['## The model']);
    expect(report).toContain('| cadence | high p95 | high max |');
    expect(report).toMatch(/\*\*Acceptance holds\.\*\*/);
    const chart = renderChart([{ scenario, runs }]);
    expect(chart.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // Staleness and load, per strategy.
    expect(chart.match(/<polyline /g)?.length).toBe(2 * COMPARED_STRATEGIES.length);
  });
});
