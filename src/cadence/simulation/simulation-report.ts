import { formatDuration } from '../../config/duration.js';
import { Priorities } from '../adaptive-tuning.js';
import { checkAcceptance } from './simulation-acceptance.js';
import type { SimulationRun } from './simulation-engine.js';
import type { SimulationResult } from './simulation-metrics.js';
import type { Scenario } from './simulation-scenarios.js';

/** One scenario with the runs of every strategy. */
export interface ScenarioRuns {
  readonly scenario: Scenario;
  readonly runs: readonly SimulationRun[];
}

/** Staleness for people: `36 s`, `14.5 min`, `5.6 h`. */
export function formatStaleness(ms: number): string {
  if (ms < 100_000) return `${Math.round(ms / 1_000)} s`;
  if (ms < 6_000_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const thousands = (value: number): string => value.toLocaleString('en-US');

function resultsTable(results: readonly SimulationResult[]): string[] {
  const rows = [
    '| cadence | high p95 | high max | normal p95 | normal max | low p95 | low max | overloaded min | writes (refused) | cycles |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const result of results) {
    const tiers = Priorities.flatMap((tier) => [
      formatStaleness(result.staleness[tier].p95Ms),
      formatStaleness(result.staleness[tier].maxMs),
    ]);
    const name = result.strategy === 'adaptive' ? '**adaptive**' : result.strategy;
    const writes = `${thousands(result.writes)} (${thousands(result.failedWrites)})`;
    rows.push(
      `| ${[name, ...tiers, result.overloadMinutes, writes, thousands(result.cycles)].join(' | ')} |`,
    );
  }
  return rows;
}

function loadTable(results: readonly SimulationResult[]): string[] {
  const levels = [0.6, 0.7, 0.8];
  const rows = [
    `| cadence | ${levels.map((level) => `minutes ≥ ${level * 100}% load`).join(' | ')} | peak minute |`,
    `| --- | ${levels.map(() => '---:').join(' | ')} | ---: |`,
  ];
  for (const result of results) {
    const counts = levels.map((level) => result.loadPerMinute.filter((load) => load >= level).length);
    const peak = Math.max(0, ...result.loadPerMinute);
    rows.push(`| ${result.strategy} | ${counts.join(' | ')} | ${Math.round(peak * 100)}% |`);
  }
  return rows;
}

function verdictLines(results: readonly SimulationResult[]): string[] {
  const verdict = checkAcceptance(results);
  const comparable = verdict.comparisons.filter((comparison) => comparison.isComparable);
  const dominated = verdict.comparisons.filter(
    (comparison) => comparison.hasLowerHighTierP95 && comparison.hasFewerOverloadMinutes,
  );
  const lines = [
    `**Acceptance ${verdict.holds ? 'holds' : 'FAILS'}.** ` +
      (comparable.length === 0
        ? 'Every fixed cadence overloaded the ERP for more minutes than adaptive did, so none is comparable on staleness alone.'
        : `Fixed cadences that overloaded the ERP no more than adaptive: ${comparable.map((c) => c.strategy).join(', ')}; adaptive's high-tier p95 is ${comparable.every((c) => c.hasLowerHighTierP95) ? 'lower than each of them' : 'NOT lower than all of them'}.`),
  ];
  if (dominated.length > 0)
    lines.push(
      `Adaptive has both a lower high-tier p95 and fewer overloaded minutes than ${dominated.map((c) => c.strategy).join(', ')}.`,
    );
  return lines;
}

/** A few real decisions of the adaptive run: each flow's first back-off and first recovery after it. */
function decisionExamples(run: SimulationRun | undefined): string[] {
  if (run === undefined) return [];
  const picked = new Map<string, string>();
  const backedOff = new Set<string>();
  for (const decision of run.decisions) {
    const time = new Date(decision.at).toISOString().slice(0, 16).replace('T', ' ');
    const isBackOff = decision.health === 'unhealthy' && decision.intervalMs > decision.intervalMsBefore;
    if (isBackOff && !backedOff.has(decision.flow)) {
      backedOff.add(decision.flow);
      picked.set(`${decision.flow} back-off`, `${time} ${decision.reason}`);
    } else if (backedOff.has(decision.flow) && decision.reason.includes('recovering')) {
      if (!picked.has(`${decision.flow} recovery`))
        picked.set(`${decision.flow} recovery`, `${time} ${decision.reason}`);
    }
  }
  const lines = [...picked.values()].sort().slice(0, 12);
  return lines.length === 0 ? [] : ['```text', ...lines, '```'];
}

function scenarioSection({ scenario, runs }: ScenarioRuns): string[] {
  const results = runs.map((run) => run.result);
  const adaptive = runs.find((run) => run.result.strategy === 'adaptive');
  const forecastDecisions = adaptive?.decisions.filter((d) => d.reason.includes('forecast')).length ?? 0;
  const from = new Date(scenario.measureFrom).toISOString().slice(0, 16).replace('T', ' ');
  const to = new Date(scenario.endAt).toISOString().slice(0, 16).replace('T', ' ');
  return [
    `## ${scenario.title}`,
    '',
    `Measured ${from} to ${to} UTC, after ${formatDuration(scenario.measureFrom - scenario.startAt)} of warm-up.`,
    '',
    ...resultsTable(results),
    '',
    ...verdictLines(results),
    '',
    'Load on the ERP (its own users plus the sync), per minute:',
    '',
    ...loadTable(results),
    '',
    `Adaptive: ${adaptive?.result.decisionsChanged ?? 0} decisions changed an interval or batch, ${adaptive?.result.yields ?? 0} cycles yielded; ` +
      `forecaster at the start of measuring: ${adaptive?.forecaster?.reason ?? 'n/a'}; ${forecastDecisions} decisions cited a forecast` +
      (forecastDecisions === 0
        ? " (at their cadences every predicted rise of an ordinary week stays within the flows' freshness objectives, so none called for raising the cadence ahead; the festival is a one-off the hour-of-week profile cannot foresee)."
        : '.'),
    '',
    ...(adaptive === undefined || adaptive.decisions.length === 0
      ? []
      : [
          "Examples of recorded decisions (each flow's first back-off and first recovery):",
          '',
          ...decisionExamples(adaptive),
          '',
        ]),
  ];
}

/** One seed of a seed sweep: the results of every strategy. */
export interface SeedResults {
  readonly seed: number;
  readonly results: readonly SimulationResult[];
}

/** A table of the acceptance verdict of one scenario over several seeds. */
export function renderSeedSweep(title: string, sweep: readonly SeedResults[]): string[] {
  const rows = [
    `## ${title}`,
    '',
    '| seed | acceptance | adaptive overloaded min | fixed overloaded min (1m, 5m, 15m, 1h) | adaptive high p95 | best fixed high p95 |',
    '| ---: | --- | ---: | --- | ---: | ---: |',
  ];
  for (const { seed, results } of sweep) {
    const adaptive = results.find((result) => result.strategy === 'adaptive');
    const fixedResults = results.filter((result) => result !== adaptive);
    const bestFixed = Math.min(...fixedResults.map((result) => result.staleness.high.p95Ms));
    rows.push(
      `| ${seed} | ${checkAcceptance(results).holds ? 'holds' : 'FAILS'} | ${adaptive?.overloadMinutes ?? '—'} | ` +
        `${fixedResults.map((result) => result.overloadMinutes).join(', ')} | ` +
        `${adaptive === undefined ? '—' : formatStaleness(adaptive.staleness.high.p95Ms)} | ${formatStaleness(bestFixed)} |`,
    );
  }
  return [...rows, ''];
}

/** The whole `docs/simulation.md`; `extra` sections go between the scenarios and the model. */
export function renderReport(
  scenarios: readonly ScenarioRuns[],
  seed: number,
  model: readonly string[],
  extra: readonly string[] = [],
): string {
  return [
    '# Cadence simulation',
    '',
    '<!-- Generated by `npm run simulate` (src/cadence/simulation/run-simulation.ts); do not edit by hand. -->',
    '',
    `A deterministic, virtual-clock simulation (seed ${seed}) of six flows in three tiers writing to one ERP. ` +
      'It compares fixed cadences (every flow every 1m, 5m, 15m or 1h) with the adaptive cadence, which runs the real ' +
      '`AdaptiveController`, `HealthWindow` and `Forecaster` from `src/cadence/`. Staleness is the age of the oldest ' +
      'change not yet written to the ERP, sampled every 10 s per flow and pooled per tier.',
    '',
    '![Staleness of the high tier and load on the ERP, adaptive against fixed cadences](simulation.svg)',
    '',
    ...scenarios.flatMap(scenarioSection),
    ...extra,
    ...model,
  ].join('\n');
}
