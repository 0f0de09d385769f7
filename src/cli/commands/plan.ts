import type { FlowRecommendation } from '../../cadence/advisor.js';
import { planCadence } from '../../operations/advisor.js';
import { formatDuration } from '../../config/duration.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';
import { formatTextTable } from '../text-table.js';

function duration(ms: number | undefined): string {
  return ms === undefined ? '-' : formatDuration(ms);
}

function rateText(plan: FlowRecommendation): string {
  if (plan.rate === undefined) return '-';
  const hour = String(plan.rate.peakHour).padStart(2, '0');
  return `${Math.round(plan.rate.averagePerMinute).toLocaleString('en-US')} / ${Math.round(plan.rate.peakPerMinute).toLocaleString('en-US')} (${hour}h UTC)`;
}

function verdict(plan: FlowRecommendation): string {
  if (plan.canMeet === true) return 'meets';
  if (plan.canMeet === false) return 'CANNOT MEET';
  return 'unknown';
}

/** The recommendations as a table, then each flow's notes. */
export function formatPlan(plans: readonly FlowRecommendation[]): string {
  const header = [
    'flow',
    'objective',
    'interval now→advised',
    'batch now→advised',
    'changes/min avg / peak',
    'target rows/min',
    'verdict',
  ];
  const rows = plans.map((plan) => [
    plan.flow,
    plan.objectiveMs === undefined ? '-' : `${plan.objectiveSource} ${formatDuration(plan.objectiveMs)}`,
    `${duration(plan.currentIntervalMs)} → ${duration(plan.intervalMs)}`,
    `${String(plan.currentBatchSize)} → ${String(plan.batchSize)}`,
    rateText(plan),
    plan.capacity === undefined ? '-' : Math.round(plan.capacity.rowsPerMinute).toLocaleString('en-US'),
    verdict(plan),
  ]);
  const notes = plans.flatMap((plan) =>
    plan.notes.map((note) => (note.startsWith(`${plan.flow}:`) ? note : `${plan.flow}: ${note}`)),
  );
  return `${formatTextTable(header, rows)}\n${notes.map((note) => `  ${note}`).join('\n')}${notes.length > 0 ? '\n' : ''}`;
}

/**
 * `syncline plan [--json]`: per flow, an interval and batch size that meet its freshness objective
 * with headroom, from its run history and its target's stored probe curve (`syncline probe`).
 * Read-only: it changes no config and no state.
 */
export async function planCommand(options: GlobalOptions & { json?: boolean }): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const plans = await planCadence(engine.operations);
    process.stdout.write(options.json === true ? `${JSON.stringify(plans, null, 2)}\n` : formatPlan(plans));
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}
