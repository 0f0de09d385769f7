import { writeFileSync } from 'node:fs';
import { currentActor } from '../../core/audit.js';
import { runAuditedReconcile } from '../../core/reconcile/audited-reconcile.js';
import type { Difference } from '../../core/reconcile/reconcile-compare.js';
import type { ComparisonResult, ReconcileReport } from '../../core/reconcile/reconcile.js';
import { valueText } from '../../core/values.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';

export interface ReconcileCommandOptions extends GlobalOptions {
  readonly flow: string;
  readonly repair?: boolean;
  readonly full?: boolean;
  readonly json?: boolean;
  /** Also write the JSON report to this file. */
  readonly report?: string;
  /** Differences listed (all are counted). */
  readonly limit?: number;
}

const number = new Intl.NumberFormat('en-US');

function drift(result: ComparisonResult): number {
  return result.missing + result.extra + result.different;
}

function describeDifference(difference: Difference): string {
  const head = `    ${difference.kind.padEnd(9)} ${difference.key}`;
  if (difference.kind === 'different' && difference.fields !== undefined && difference.source !== undefined) {
    const fields = difference.fields
      .map(
        (field) =>
          `${field}: ${JSON.stringify(valueText(difference.source?.[field] ?? null))} ≠ ${JSON.stringify(valueText(difference.target?.[field] ?? null))}`,
      )
      .join('; ');
    return `${head}  ${fields}${difference.note === undefined ? '' : ` (${difference.note})`}`;
  }
  return `${head}${difference.note === undefined ? '' : `  ${difference.note}`}`;
}

function describeResult(result: ComparisonResult): string {
  const { transfer } = result;
  const digests =
    transfer.checksumQueries === 0
      ? ''
      : `${number.format(transfer.bucketRows)} bucket checksums in ${transfer.checksumQueries} queries, `;
  return (
    `  ${number.format(result.sourceRows)} source rows, ${number.format(result.targetRows)} target rows\n` +
    `  missing ${number.format(result.missing)}, extra ${number.format(result.extra)}, different ${number.format(result.different)}\n` +
    `  read ${digests}${number.format(transfer.sourceRows)} + ${number.format(transfer.targetRows)} rows (~${number.format(Math.round(transfer.bytes / 1024))} KiB) in ${(result.durationMs / 1000).toFixed(1)} s\n`
  );
}

function describeReport(report: ReconcileReport, limit: number): string {
  let text = `${report.flow}: reconcile (${report.mode})\n${describeResult(report.comparison)}`;
  const shown = report.differences.slice(0, limit);
  if (shown.length > 0)
    text += `  differences${shown.length < drift(report.comparison) ? ` (first ${shown.length})` : ''}:\n`;
  for (const difference of shown) text += `${describeDifference(difference)}\n`;
  for (const column of report.unchecked)
    text += `  not compared by checksum: ${column.column} (${column.reason}); compared in rows read, or with --full\n`;
  if (report.repair !== undefined) {
    const { repair } = report;
    text += `  repair: ${number.format(repair.repaired)} repaired, ${repair.skipped.length} left, ${repair.failed.length} failed\n`;
    for (const item of repair.skipped) text += `    left ${item.key}: ${item.reason}\n`;
    for (const item of repair.failed) text += `    failed ${item.key}: ${item.reason}\n`;
    text += `  after repair:\n${describeResult(repair.after)}`;
  }
  return text;
}

/** `syncline reconcile --flow F [--repair] [--full] [--json] [--report FILE]` (audited). */
export async function reconcileCommand(options: ReconcileCommandOptions): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const flow = engine.flow(options.flow);
    const mode = options.full === true ? 'full' : 'checksum';
    const repair = options.repair === true;
    const report = await runAuditedReconcile(flow, engine.context.portsFor(flow), {
      actor: currentActor(),
      mode,
      repair,
      signal: AbortSignal.timeout(6 * 60 * 60_000),
      detailLimit: Math.max(
        options.limit ?? 20,
        options.json === true || options.report !== undefined ? 1000 : 0,
      ),
    });
    if (options.report !== undefined) writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);
    if (options.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(describeReport(report, options.limit ?? 20));
    const remaining = report.repair?.after ?? report.comparison;
    return drift(remaining) === 0 ? ExitCodes.ok : ExitCodes.flowFailed;
  } finally {
    await engine.close();
  }
}
