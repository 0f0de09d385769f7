import { audited, currentActor } from '../../core/audit.js';
import { SyncError } from '../../core/errors.js';
import { resolveParkedConflict, type ConflictChoice } from '../../core/two-way/conflict-resolve.js';
import type { Conflict, ConflictStatus } from '../../core/state-store.js';
import { valueText, type Row } from '../../core/values.js';
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
    if (options.flow !== undefined) engine.flow(options.flow);
    const conflicts = await engine.state.listConflicts({
      ...(options.flow === undefined ? {} : { flow: options.flow }),
      status: options.status ?? 'open',
      limit: options.limit ?? 100,
    });
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify({ conflicts }, null, 2)}\n`);
      return ExitCodes.ok;
    }
    if (conflicts.length === 0) {
      process.stdout.write(`no ${options.status ?? 'open'} conflicts\n`);
      return ExitCodes.ok;
    }
    for (const conflict of conflicts)
      process.stdout.write(describeConflict(conflict, engine.flow(conflict.flow)));
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
    const flow = engine.flow(options.flow);
    const choice: ConflictChoice | undefined =
      options.take === 'merge'
        ? 'merge'
        : options.take === 'source' || options.take === flow.sourceConnection
          ? 'source'
          : options.take === 'target' || options.take === flow.targetConnection
            ? 'target'
            : undefined;
    if (choice === undefined) {
      process.stderr.write(
        `--take must be source, target, merge, ${flow.sourceConnection} or ${flow.targetConnection}, not "${options.take}"\n`,
      );
      return ExitCodes.badConfig;
    }
    const actor = currentActor();
    const result = await audited(
      engine.state,
      {
        actor,
        action: 'conflict.resolve',
        flow: flow.name,
        subject: `key ${options.key}`,
        details: { key: options.key, take: choice },
      },
      async () => {
        const value = await resolveParkedConflict(
          flow,
          engine.context.portsFor(flow),
          options.key,
          choice,
          actor,
          AbortSignal.timeout(10 * 60_000),
        );
        return {
          value,
          isSuccess: value.failures.length === 0,
          outcome:
            value.failures.length === 0
              ? `took ${choice} for ${value.fields.join(', ') || 'no differing field'}`
              : `not resolved: ${value.failures.join('; ')}`,
        };
      },
    );
    for (const failure of result.failures)
      process.stderr.write(`${flow.name} key ${options.key}: ${failure}\n`);
    if (result.failures.length > 0) return ExitCodes.flowFailed;
    process.stdout.write(
      `${flow.name} key ${options.key}: resolved, took ${choice}${result.fields.length === 0 ? '' : ` (${result.fields.join(', ')})`}\n`,
    );
    return ExitCodes.ok;
  } catch (error) {
    if (error instanceof SyncError && error.code === 'CONFLICT_NOT_FOUND') {
      process.stderr.write(`${error.message}\n`);
      return ExitCodes.badConfig;
    }
    throw error;
  } finally {
    await engine.close();
  }
}
