import { formatDuration } from '../../config/duration.js';
import { flowStatuses, type FlowStatus } from '../../operations/flow-status.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';
import { cadenceColumn } from '../cadence-column.js';
import { formatTextTable } from '../text-table.js';

export type { FlowStatus };

function hasReason(value: unknown): value is { reason: string } {
  return value !== null && typeof value === 'object' && 'reason' in value && typeof value.reason === 'string';
}

function reconcileLine(status: FlowStatus): string | undefined {
  const last = status.lastReconcile;
  if (last === undefined) return undefined;
  if (last.status === 'failed')
    return `  ${status.flow}: last reconcile failed${last.error === undefined ? '' : `: ${last.error.message}`}`;
  return (
    `  ${status.flow}: last reconcile ${last.finishedAt}: ${last.drift} difference(s)` +
    (last.driftAfterRepair === undefined ? '' : `, ${last.driftAfterRepair} after repair`)
  );
}

/** The statuses as a table, then per flow what needs a look: cadence reasons, pauses, conflicts, errors. */
export function formatStatuses(statuses: readonly FlowStatus[]): string {
  const rows = statuses.map((status) => [
    status.flow,
    status.enabled ? cadenceColumn(status.cadence) : 'disabled',
    status.lastRun === undefined
      ? 'never'
      : `${status.lastRun.status} ${status.lastRun.finishedAt ?? status.lastRun.startedAt}`,
    status.lastRun === undefined ? '' : `${status.lastRun.counts.read}/${status.lastRun.counts.written}`,
    status.stalenessSeconds === undefined ? '-' : formatDuration(status.stalenessSeconds * 1000),
    String(status.openDeadLetters),
  ]);
  const header = ['flow', 'cadence', 'last cycle', 'read/written', 'since success', 'dead letters'];
  const lines = [formatTextTable(header, rows)];
  for (const status of statuses) {
    if (status.paused !== undefined)
      lines.push(
        `  ${status.flow}: paused by ${status.paused.by} at ${status.paused.at}${status.paused.reason === undefined ? '' : ` (${status.paused.reason})`}; syncline resume --flow ${status.flow}`,
      );
    if (hasReason(status.cadenceDecision)) lines.push(`  cadence ${status.cadenceDecision.reason}`);
    if (hasReason(status.forecaster)) lines.push(`  ${status.flow}: forecaster ${status.forecaster.reason}`);
  }
  for (const status of statuses) {
    if (status.openConflicts > 0)
      lines.push(
        `  ${status.flow}: ${status.openConflicts} open conflict(s); see syncline conflicts list --flow ${status.flow}`,
      );
    const reconcile = reconcileLine(status);
    if (reconcile !== undefined) lines.push(reconcile);
  }
  for (const status of statuses) {
    if (status.lastRun?.error !== undefined)
      lines.push(`  ${status.flow}: last error ${status.lastRun.error.code}: ${status.lastRun.error.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `syncline status [--json]`: per flow, the last cycle, staleness, next run and open dead letters. */
export async function statusCommand(options: GlobalOptions & { json?: boolean }): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const statuses = await flowStatuses(engine.operations);
    process.stdout.write(
      options.json === true ? `${JSON.stringify({ flows: statuses }, null, 2)}\n` : formatStatuses(statuses),
    );
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}
