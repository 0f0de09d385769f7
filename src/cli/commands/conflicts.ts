import { currentActor } from '../../core/audit.js';
import type { Conflict, ConflictStatus } from '../../core/state-store.js';
import { valueText, type Row } from '../../core/values.js';
import { listConflicts, resolveConflict } from '../../operations/conflicts.js';
import { findFlow } from '../../operations/operations-context.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';

export interface ConflictsListOptions extends GlobalOptions {
  readonly flow?: string;
  readonly status?: ConflictStatus;
  readonly limit?: number;
  readonly json?: boolean;
}

function show(row: Row, fields: readonly string[]): string {
  return fields.map((field) => `${field}=${JSON.stringify(valueText(row[field] ?? null))}`).join(', ');
}

/** `syncline conflicts list`: records both sides changed, parked with both versions. */
export async function conflictsListCommand(options: ConflictsListOptions): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const page = await listConflicts(engine.operations, {
      ...(options.flow === undefined ? {} : { flow: options.flow }),
      status: options.status ?? 'open',
      limit: options.limit ?? 100,
    });
    const conflicts = page.items;
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify({ conflicts, total: page.total }, null, 2)}\n`);
      return ExitCodes.ok;
    }
    if (conflicts.length === 0) {
      process.stdout.write(`no ${options.status ?? 'open'} conflicts\n`);
      return ExitCodes.ok;
    }
    for (const conflict of conflicts)
      process.stdout.write(describeConflict(conflict, findFlow(engine.operations, conflict.flow)));
    if (page.total > conflicts.length)
      process.stdout.write(`(${conflicts.length} of ${page.total}; --limit shows more)\n`);
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}

function describeConflict(
  conflict: Conflict,
  flow: { sourceConnection: string; targetConnection: string },
): string {
  const resolved =
    conflict.status === 'resolved'
      ? ` resolved: took ${conflict.resolution ?? '?'} (by ${conflict.resolvedBy ?? '?'}, ${conflict.resolvedAt ?? ''})`
      : '';
  return (
    `#${conflict.id} ${conflict.flow} key=${conflict.key} fields=${conflict.fields.join(',')} (${conflict.occurrences}×, ${conflict.updatedAt})${resolved}\n` +
    `    ${conflict.reason}\n` +
    `    ${flow.sourceConnection} (source): ${show(conflict.source, conflict.fields)}\n` +
    `    ${flow.targetConnection} (target): ${show(conflict.target, conflict.fields)}\n`
  );
}

export interface ConflictsResolveOptions extends GlobalOptions {
  readonly flow: string;
  readonly key: string;
  /** `source`, `target`, `merge`, or the name of the source's or target's connection. */
  readonly take: string;
}

/** `syncline conflicts resolve --flow F --key K --take crm|erp|source|target|merge` (audited). */
export async function conflictsResolveCommand(options: ConflictsResolveOptions): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const result = await resolveConflict(engine.operations, {
      actor: currentActor(),
      flow: options.flow,
      key: options.key,
      take: options.take,
    });
    for (const failure of result.failures)
      process.stderr.write(`${result.flow} key ${options.key}: ${failure}\n`);
    if (result.failures.length > 0) return ExitCodes.flowFailed;
    process.stdout.write(
      `${result.flow} key ${options.key}: resolved, took ${result.choice}${result.fields.length === 0 ? '' : ` (${result.fields.join(', ')})`}\n`,
    );
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}
