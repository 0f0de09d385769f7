import { formatDuration } from '../../config/duration.js';
import { toSyncError } from '../../core/errors.js';
import { clusterStatus } from '../../operations/cluster-status.js';
import { flowStatuses, type FlowStatus } from '../../operations/flow-status.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { formatClusterSection, type ClusterSection } from '../cluster-section.js';
import { clusterReader } from '../runtime-factory.js';
import { ExitCodes } from '../exit-codes.js';
import { cadenceColumn } from '../cadence-column.js';
import { formatTextTable } from '../text-table.js';

export type { FlowStatus };

/** `2026-12-03T07:36:00Z`: an ISO 8601 time to the second; the text as it is when it is no time. */
function isoSeconds(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The `next` column: `in 36m (2026-12-03T07:36:00Z): every 1h after the previous cycle`. */
function nextColumn(status: FlowStatus, now: number): string {
  if (!status.enabled) return '-';
  const { nextRunAt } = status;
  const dueAt = nextRunAt === undefined ? Number.NaN : Date.parse(nextRunAt);
  if (nextRunAt === undefined || Number.isNaN(dueAt)) return status.nextRunReason;
  const inMs = dueAt - now;
  const when =
    inMs >= 1_000
      ? `in ${formatDuration(inMs)}`
      : inMs > -1_000
        ? 'due now'
        : `due ${formatDuration(-inMs)} ago`;
  return `${when} (${isoSeconds(nextRunAt)}): ${status.nextRunReason}`;
}

/** The controller's reason without the flow's name and the change it describes: what it is about. */
function why(status: FlowStatus, reason: string): string {
  const about = reason.startsWith(`${status.flow}: `) ? reason.slice(status.flow.length + 2) : reason;
  const separator = about.indexOf(': ');
  return separator === -1 ? about : about.slice(separator + 2);
}

/**
 * `stock: now every 20m, batch 250 (backed off from every 10m, batch 500 since …: ERP p95 write
 * latency 2.4 s > 1 s)`, when the adaptive controller runs the flow at other than its configured cadence.
 */
function effectiveCadenceLine(status: FlowStatus): string | undefined {
  const effective = status.effectiveCadence;
  if (effective === undefined) return undefined;
  const { intervalMs, batch, configuredIntervalMs, configuredBatch } = effective;
  if (intervalMs === configuredIntervalMs && batch === configuredBatch) return undefined;
  const change =
    intervalMs > configuredIntervalMs
      ? 'backed off'
      : intervalMs < configuredIntervalMs
        ? 'sped up'
        : 'adapted';
  const batchNow = batch === configuredBatch ? '' : `, batch ${String(batch)}`;
  const batchConfigured = batch === configuredBatch ? '' : `, batch ${String(configuredBatch)}`;
  return (
    `  ${status.flow}: now every ${formatDuration(intervalMs)}${batchNow} (${change} from every ` +
    `${formatDuration(configuredIntervalMs)}${batchConfigured} since ${isoSeconds(effective.since)}: ${why(status, effective.reason)})`
  );
}

/**
 * One line on the forecasters, only where they say something: which flows it acts for, and those
 * that have learned part of the week (with what it still needs); none where a forecast cannot apply.
 */
function forecasterLine(statuses: readonly FlowStatus[]): string | undefined {
  const notes: string[] = [];
  const applying = statuses.filter((status) => status.enabled && status.forecaster?.canApply === true);
  const acting = applying.filter((status) => status.forecaster?.isWarm === true).map((status) => status.flow);
  if (acting.length > 0) notes.push(`acts on predicted peaks for ${acting.join(', ')}`);
  for (const status of applying) {
    const note = status.forecaster;
    if (note === undefined || note.isWarm || note.hoursLearned === 0) continue;
    notes.push(`${status.flow} ${note.reason}`);
  }
  return notes.length === 0 ? undefined : `  forecaster: ${notes.join('; ')}`;
}

/** `customers: backfill in 4 lanes, 1 done; lane 2 after key 1750, lane 3 after key 2100, lane 4 not started`. */
function backfillLine(status: FlowStatus): string | undefined {
  const lanes = status.backfill?.lanes;
  if (lanes === undefined) return undefined;
  const done = lanes.filter((lane) => lane.done).length;
  const open = lanes.flatMap((lane, index) =>
    lane.done
      ? []
      : [`lane ${index + 1} ${lane.after === null ? 'not started' : `after key ${String(lane.after)}`}`],
  );
  return `  ${status.flow}: backfill in ${lanes.length} lanes, ${done} done${open.length === 0 ? '' : `; ${open.join(', ')}`}`;
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

/**
 * The statuses as a table (the configured cadence, and when each flow runs next and why), then
 * what needs a look: cadences the adaptive controller changed, pauses, forecasts, conflicts, errors.
 * `now` (epoch ms) is the time the `next` column counts from.
 */
export function formatStatuses(statuses: readonly FlowStatus[], now: number = Date.now()): string {
  const rows = statuses.map((status) => [
    status.flow,
    status.enabled ? cadenceColumn(status.cadence) : 'disabled',
    status.lastRun === undefined
      ? 'never'
      : `${status.lastRun.status} ${status.lastRun.finishedAt ?? status.lastRun.startedAt}`,
    status.lastRun === undefined ? '' : `${status.lastRun.counts.read}/${status.lastRun.counts.written}`,
    status.stalenessSeconds === undefined ? '-' : formatDuration(status.stalenessSeconds * 1000),
    String(status.openDeadLetters),
    nextColumn(status, now),
  ]);
  const header = ['flow', 'cadence', 'last cycle', 'read/written', 'since success', 'dead letters', 'next'];
  const lines = [formatTextTable(header, rows)];
  for (const status of statuses) {
    if (status.paused !== undefined)
      lines.push(
        `  ${status.flow}: paused by ${status.paused.by} at ${status.paused.at}${status.paused.reason === undefined ? '' : ` (${status.paused.reason})`}; syncline resume --flow ${status.flow}`,
      );
    const { cadenceOverride: override } = status;
    if (override !== undefined)
      lines.push(
        `  ${status.flow}: cadence overridden by ${override.by}: every ${formatDuration(override.everyMs)} until ${override.until}`,
      );
    const effective = effectiveCadenceLine(status);
    if (effective !== undefined) lines.push(effective);
  }
  const forecaster = forecasterLine(statuses);
  if (forecaster !== undefined) lines.push(forecaster);
  for (const status of statuses) {
    if (status.openConflicts > 0)
      lines.push(
        `  ${status.flow}: ${status.openConflicts} open conflict(s); see syncline conflicts list --flow ${status.flow}`,
      );
    const backfill = backfillLine(status);
    if (backfill !== undefined) lines.push(backfill);
    const reconcile = reconcileLine(status);
    if (reconcile !== undefined) lines.push(reconcile);
  }
  for (const status of statuses) {
    if (status.lastRun?.error !== undefined)
      lines.push(
        `  ${status.flow}: last error ${status.lastRun.error.code}: ${status.lastRun.error.message}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** The cluster of a BullMQ config (undefined for the local runtime), or why Redis could not be read. */
async function readCluster(read: ReturnType<typeof clusterReader>): Promise<ClusterSection | undefined> {
  if (read === undefined) return undefined;
  try {
    return await clusterStatus({ readCluster: read });
  } catch (error) {
    const { code, message } = toSyncError(error);
    return { runtime: 'bullmq', error: { code, message } };
  }
}

/**
 * `syncline status [--json]`: per flow, the last cycle, staleness, next run and open dead letters;
 * on a BullMQ config also the cluster (leader, workers, queues), read from Redis within about 3 s.
 */
export async function statusCommand(options: GlobalOptions & { json?: boolean }): Promise<number> {
  const { engine, logger } = await openCliEngine(options);
  try {
    const [statuses, cluster] = await Promise.all([
      flowStatuses(engine.operations),
      readCluster(clusterReader(engine.config, logger)),
    ]);
    process.stdout.write(
      options.json === true
        ? `${JSON.stringify({ flows: statuses, ...(cluster === undefined ? {} : { cluster }) }, null, 2)}\n`
        : formatStatuses(statuses) + (cluster === undefined ? '' : formatClusterSection(cluster)),
    );
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}
