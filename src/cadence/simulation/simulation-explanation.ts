import { formatDuration } from '../../config/duration.js';
import { DEFAULT_TUNING } from '../adaptive-tuning.js';
import type { SimulatedFlow, TargetModel } from './simulation-scenarios.js';

const percent = (share: number): string => `${Number((share * 100).toFixed(1))}%`;

/** The "model" part of `docs/simulation.md`, written from the parameters actually used. */
export function explainModel(flows: readonly SimulatedFlow[], target: TargetModel): string[] {
  const flowRows = flows.map((flow) => {
    const s = flow.settings;
    return `| ${flow.name} | ${flow.priority} | ${flow.peakRatePerMin.toLocaleString('en-US')} | ${formatDuration(s.baseIntervalMs)} | ${formatDuration(s.minIntervalMs)}–${formatDuration(s.maxIntervalMs)} | ${s.freshnessMs === undefined ? '—' : formatDuration(s.freshnessMs)} | ${s.baseBatch}–${s.maxBatch} |`;
  });
  return [
    '## Reading the results',
    '',
    '- **Fixed cadences** all write the same changes; the interval only decides how they are bunched. Short intervals keep ' +
      'every tier fresh while the ERP has room, but in a peak every flow keeps writing, the ERP stays above the overload level ' +
      'for hours, and its writes slow down so much that even the high tier falls hours behind. Long intervals add bursts and ' +
      'their own staleness.',
    "- **Adaptive** spends the ERP's room by priority: the high tier speeds up to its 30 s minimum whenever the ERP is not " +
      'unhealthy, low-priority flows back off and yield their running cycles first when it is, normal ones next, and the high ' +
      'tier only once the lower tiers are backed off fully or the trouble lasts 15 minutes. Lower tiers catch up when the ERP is healthy again.',
    "- **The price** is the lower tiers' staleness during and after a peak: in the festival week the low tier waits hours, " +
      'longer than under any fixed cadence. That is the configured priority at work, not a loss: no change is dropped, and ' +
      'every change written later is read from the checkpoint.',
    '',
    '## The model',
    '',
    "**Flows.** Six flows write to one ERP. Changes arrive as seeded Poisson counts per second, at each flow's rate " +
      "times the scenario's change-rate curve (1.0 = an ordinary weekday's busiest hour; quiet nights at 0.08; weekends at half). " +
      'The fixed cadences run every flow at the same interval with batch 500; the adaptive cadence starts from the settings below.',
    '',
    '| flow | tier | changes/min at 1.0 | base | adaptive min–max | freshness | batch |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...flowRows,
    '',
    `**Cycles.** As in the core: a cycle writes the changes waiting when it starts, one batch at a time, in order; a refused batch is retried ` +
      "with the core's back-off (5 tries, 500 ms doubling to 30 s, equal jitter, at least the Retry-After); when the tries run out the " +
      'cycle fails and the changes wait for the next one. The next cycle is due one interval after the previous one ended (`every`).',
    '',
    `**The ERP.** It can do ${target.capacityRowsPerSec.toLocaleString('en-US')} row writes per second, shared with its own users ` +
      '(the background load: 8% at night, 40% in business hours, up to 45% during the festival and the flash sale). One connection moves at most ' +
      `${target.connectionRowsPerSec.toLocaleString('en-US')} rows/s, or its fair share of the spare capacity when writers together want more. ` +
      `Each batch costs ${target.batchOverheadRows} rows of capacity beyond its rows, and its fixed part (${target.fixedLatencyMs} ms idle: ` +
      'round trip, locks, commit) queues behind all other work, stretching by 1/(1 − load) like an M/M/1 queue — so write latency rises ' +
      `with load. Above ${percent(target.throttleAbove)} load its gateway answers ${percent(target.throttleProbability)} of writes with 429 and ` +
      `Retry-After ${target.retryAfterSeconds} s; above ${percent(target.lockTimeoutAbove)} batches start to fail with lock wait timeouts ` +
      `(up to ${percent(target.lockTimeoutProbability)} at full load); with ${target.deadlockWriters} or more writers at once a batch deadlocks with ` +
      `probability ${percent(target.deadlockProbability)}. Load is smoothed over 5 s.`,
    '',
    `**Overloaded.** A minute counts as overloaded when the ERP's mean load in it is at least ${percent(target.overloadUtilization)}: ` +
      `its own users then wait at least ${(1 / (1 - target.overloadUtilization)).toFixed(1)}× as long as on an idle system. ` +
      'Writers wait for their round trips, so load saturates near 80% rather than at 100%; the backlog grows instead.',
    '',
    `**Adaptive.** The ERP's p95 write latency limit is configured at ${target.latencyThresholdMs} ms ` +
      `(strained above ${percent(DEFAULT_TUNING.health.cautionRatio)} of it); every other knob is the controller's default ` +
      '(`DEFAULT_TUNING` in `src/cadence/adaptive-tuning.ts`). The runner asks the controller after every cycle and once a minute while ' +
      'a flow waits, and after every batch whether the cycle should yield (graceful stop); the health window is 2 minutes, read at most ' +
      "every 5 s; each flow's forecaster learns from its cycles and is asked for a peak within the next 30 minutes.",
    '',
    '**Limits of the model.** One target; every write is an upsert of equal cost; the source is never the bottleneck; the festival is a ' +
      'one-off, so the hour-of-week forecaster cannot predict it (a `peaks` calendar entry is the tool for that). The numbers show how the ' +
      'policies behave relative to each other, not what a particular ERP will do.',
    '',
  ];
}
