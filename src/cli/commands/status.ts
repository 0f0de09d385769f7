import { describeCadence } from '../../cadence/describe-cadence.js';
import { nextRun } from '../../cadence/schedule.js';
import type { Cadence } from '../../config/cadence-schema.js';
import { formatDuration } from '../../config/duration.js';
import type { RunRecord } from '../../core/state-store.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';
import { DECISION_META } from '../../cadence/adaptive-cadence.js';
import { FORECASTER_STATUS_META } from '../../cadence/flow-forecasts.js';
import { RECONCILE_META } from '../../core/reconcile/reconcile.js';

/** The status of one flow, as `status --json` prints it. */
export interface FlowStatus {
  readonly flow: string;
  readonly enabled: boolean;
  /** The compiled cadence (durations in ms). */
  readonly cadence: Cadence;
  readonly lastRun: RunRecord | undefined;
  readonly lastSuccessAt: string | undefined;
  /** Seconds since the last successful cycle started: how stale the target may be. */
  readonly stalenessSeconds: number | undefined;
  readonly nextRunAt: string | undefined;
  readonly nextRunReason: string;
  readonly openDeadLetters: number;
  readonly checkpoint: unknown;
  /** The adaptive controller's latest decision (interval, batch, reason, inputs), if the flow adapts. */
  readonly cadenceDecision: unknown;
  /** Whether the flow's forecaster acts on predicted peaks, and why not yet (`reason`), if the flow adapts. */
  readonly forecaster: unknown;
  /** `one-way` or `both`. */
  readonly direction: 'one-way' | 'both';
  /** Two-way flows: records parked as conflicts, waiting for `syncline conflicts resolve`. */
  readonly openConflicts: number;
  /** The last reconcile: when, its mode, the drift it found (`drift`) and what repair left. */
  readonly lastReconcile: unknown;
}

/** `syncline status [--json]`: per flow, the last cycle, staleness, next run and open dead letters. */
export async function statusCommand(options: GlobalOptions & { json?: boolean }): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const now = Date.now();
    const statuses: FlowStatus[] = [];
    for (const flow of engine.flows) {
      const [
        runs,
        lastSuccess,
        openDeadLetters,
        checkpoint,
        cadenceDecision,
        forecaster,
        openConflicts,
        lastReconcile,
      ] = await Promise.all([
        engine.state.listRuns({ flow: flow.name, limit: 1 }),
        engine.state.lastSuccessfulRun(flow.name),
        engine.state.countDeadLetters({ flow: flow.name, status: 'open' }),
        engine.state.getCheckpoint(flow.name),
        engine.state.getFlowMeta(flow.name, DECISION_META),
        engine.state.getFlowMeta(flow.name, FORECASTER_STATUS_META),
        engine.state.countConflicts({ flow: flow.name, status: 'open' }),
        engine.state.getFlowMeta(flow.name, RECONCILE_META),
      ]);
      const lastRun = runs[0];
      const lastSuccessAt = lastSuccess === undefined ? undefined : Date.parse(lastSuccess.startedAt);
      const decision = nextRun(
        flow.cadence,
        {
          lastSuccessAt,
          lastEndedAt: lastRun?.finishedAt === undefined ? undefined : Date.parse(lastRun.finishedAt),
        },
        now,
      );
      statuses.push({
        flow: flow.name,
        enabled: flow.enabled,
        cadence: flow.cadence,
        lastRun,
        lastSuccessAt: lastSuccess?.startedAt,
        stalenessSeconds: lastSuccessAt === undefined ? undefined : Math.round((now - lastSuccessAt) / 1000),
        nextRunAt: Number.isFinite(decision.dueAt) ? new Date(decision.dueAt).toISOString() : undefined,
        nextRunReason: decision.reason,
        openDeadLetters,
        checkpoint,
        cadenceDecision,
        forecaster,
        direction: flow.direction,
        openConflicts,
        lastReconcile,
      });
    }
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify({ flows: statuses }, null, 2)}\n`);
    } else {
      const rows = statuses.map((status) => [
        status.flow,
        status.enabled ? describeCadence(status.cadence) : 'disabled',
        status.lastRun === undefined
          ? 'never'
          : `${status.lastRun.status} ${status.lastRun.finishedAt ?? status.lastRun.startedAt}`,
        status.lastRun === undefined ? '' : `${status.lastRun.counts.read}/${status.lastRun.counts.written}`,
        status.stalenessSeconds === undefined ? '-' : formatDuration(status.stalenessSeconds * 1000),
        String(status.openDeadLetters),
      ]);
      const header = ['flow', 'cadence', 'last cycle', 'read/written', 'since success', 'dead letters'];
      const widths = header.map((title, column) =>
        Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
      );
      const format = (row: readonly string[]): string =>
        row
          .map((cell, column) => cell.padEnd(widths[column] ?? 0))
          .join('  ')
          .trimEnd();
      process.stdout.write(`${[format(header), ...rows.map(format)].join('\n')}\n`);
      for (const status of statuses) {
        const decision = status.cadenceDecision;
        if (
          decision !== null &&
          typeof decision === 'object' &&
          'reason' in decision &&
          typeof decision.reason === 'string'
        ) {
          process.stdout.write(`  cadence ${decision.reason}\n`);
        }
        const forecaster = status.forecaster;
        if (
          forecaster !== null &&
          typeof forecaster === 'object' &&
          'reason' in forecaster &&
          typeof forecaster.reason === 'string'
        ) {
          process.stdout.write(`  ${status.flow}: forecaster ${forecaster.reason}\n`);
        }
      }
      for (const status of statuses) {
        if (status.openConflicts > 0)
          process.stdout.write(
            `  ${status.flow}: ${status.openConflicts} open conflict(s); see syncline conflicts list --flow ${status.flow}\n`,
          );
        const last = status.lastReconcile;
        if (last !== null && typeof last === 'object' && 'status' in last && last.status === 'failed')
          process.stdout.write(
            `  ${status.flow}: last reconcile failed${'error' in last && last.error !== null && typeof last.error === 'object' && 'message' in last.error ? `: ${String(last.error.message)}` : ''}\n`,
          );
        else if (last !== null && typeof last === 'object' && 'drift' in last && 'finishedAt' in last)
          process.stdout.write(
            `  ${status.flow}: last reconcile ${String(last.finishedAt)}: ${String(last.drift)} difference(s)` +
              `${'driftAfterRepair' in last ? `, ${String(last.driftAfterRepair)} after repair` : ''}\n`,
          );
      }
      for (const status of statuses) {
        if (status.lastRun?.error !== undefined)
          process.stdout.write(
            `  ${status.flow}: last error ${status.lastRun.error.code}: ${status.lastRun.error.message}\n`,
          );
      }
    }
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}
