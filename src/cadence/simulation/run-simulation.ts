import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAcceptance } from './simulation-acceptance.js';
import { renderChart } from './simulation-chart.js';
import { runSimulation } from './simulation-engine.js';
import { COMPARED_STRATEGIES } from './simulation-strategy.js';
import { explainModel } from './simulation-explanation.js';
import { formatStaleness, renderReport, renderSeedSweep, type ScenarioRuns } from './simulation-report.js';
import {
  dayScenario,
  ERP_TARGET,
  festivalWeekScenario,
  flashSaleScenario,
  RETAIL_FLOWS,
} from './simulation-scenarios.js';

const DEFAULT_SEED = 20_261_111;
const SWEEP_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/**
 * `npm run simulate [-- --seed N --out DIR]`: runs the ordinary day and the festival week with
 * every strategy and writes `simulation.md` and `simulation.svg` into DIR (default `docs/`).
 */
function main(argv: readonly string[]): void {
  const option = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  const seed = Number(option('--seed') ?? DEFAULT_SEED);
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const out = option('--out') ?? join(root, 'docs');
  const sections: ScenarioRuns[] = [festivalWeekScenario(), dayScenario()].map((scenario) => {
    const runs = COMPARED_STRATEGIES.map((strategy) => {
      const run = runSimulation(scenario, strategy, seed);
      const { staleness, overloadMinutes } = run.result;
      process.stdout.write(
        `${scenario.name.padEnd(14)} ${run.result.strategy.padEnd(10)} high p95 ${formatStaleness(staleness.high.p95Ms).padStart(8)}` +
          `  overloaded ${String(overloadMinutes).padStart(4)} min\n`,
      );
      return run;
    });
    const verdict = checkAcceptance(runs.map((run) => run.result));
    process.stdout.write(`${scenario.name}: acceptance ${verdict.holds ? 'holds' : 'FAILS'}\n`);
    return { scenario, runs };
  });
  const flashSale = flashSaleScenario();
  const sweep = SWEEP_SEEDS.map((sweepSeed) => ({
    seed: sweepSeed,
    results: COMPARED_STRATEGIES.map((strategy) => runSimulation(flashSale, strategy, sweepSeed).result),
  }));
  const sweepTitle = `Other seeds: ${flashSale.title.toLowerCase()} (08:00–14:00 UTC, the unit test's scenario)`;
  const model = explainModel(RETAIL_FLOWS, ERP_TARGET);
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'simulation.md'),
    renderReport(sections, seed, model, renderSeedSweep(sweepTitle, sweep)),
  );
  writeFileSync(join(out, 'simulation.svg'), renderChart(sections));
  process.stdout.write(`wrote ${join(out, 'simulation.md')} and ${join(out, 'simulation.svg')}\n`);
}

main(process.argv.slice(2));
