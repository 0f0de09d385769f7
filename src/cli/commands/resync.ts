import { audited, currentActor } from '../../core/audit.js';
import type { ReadRange } from '../../core/connector.js';
import { resyncAll, resyncKeys, resyncRange, type ResyncResult } from '../../core/resync.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';

export interface ResyncOptions extends GlobalOptions {
  readonly flow: string;
  readonly key?: readonly string[];
  /** Forget the checkpoint so the next cycle reads the whole source again. */
  readonly all?: boolean;
  /** Key range, inclusive. */
  readonly fromKey?: string;
  readonly toKey?: string;
  /** Cursor (time) range, inclusive. */
  readonly since?: string;
  readonly until?: string;
}

function rangeOf(options: ResyncOptions): ReadRange | undefined {
  const range: ReadRange = {
    ...(options.fromKey === undefined ? {} : { fromKey: options.fromKey }),
    ...(options.toKey === undefined ? {} : { toKey: options.toKey }),
    ...(options.since === undefined ? {} : { fromCursor: options.since }),
    ...(options.until === undefined ? {} : { toCursor: options.until }),
  };
  return Object.keys(range).length === 0 ? undefined : range;
}

function describeRange(range: ReadRange): string {
  const parts: string[] = [];
  if (range.fromKey !== undefined || range.toKey !== undefined)
    parts.push(`keys ${String(range.fromKey ?? '…')} to ${String(range.toKey ?? '…')}`);
  if (range.fromCursor !== undefined || range.toCursor !== undefined)
    parts.push(`changed ${String(range.fromCursor ?? '…')} to ${String(range.toCursor ?? '…')}`);
  return parts.join(', ');
}

/**
 * `syncline resync --flow F` with `--key K` (repeatable), a range (`--from-key/--to-key`,
 * `--since/--until` on the cursor), or `--all`. Every resync is recorded in the audit log.
 */
export async function resyncCommand(options: ResyncOptions): Promise<number> {
  const { engine, logger } = await openCliEngine(options);
  try {
    const flow = engine.flow(options.flow);
    const actor = currentActor();
    const keys = options.key ?? [];
    const range = rangeOf(options);
    const modes = [options.all === true, keys.length > 0, range !== undefined].filter(Boolean).length;
    if (modes !== 1) {
      process.stderr.write(
        'resync needs exactly one of: --key KEY (repeatable), a range (--from-key/--to-key and/or --since/--until), or --all\n',
      );
      return ExitCodes.badConfig;
    }
    if (options.all === true) {
      await audited(
        engine.state,
        { actor, action: 'resync.all', flow: flow.name, subject: 'whole flow' },
        async () => {
          // Under the flow's lease: waits for a running cycle, which could otherwise undo the reset.
          await resyncAll(flow, engine.context.portsFor(flow), AbortSignal.timeout(5 * 60_000));
          return { value: undefined, isSuccess: true, outcome: 'checkpoint reset' };
        },
      );
      process.stdout.write(
        `${flow.name}: checkpoint reset; the next cycle reads the whole source again (unchanged records are skipped by hash)\n`,
      );
      return ExitCodes.ok;
    }
    const signal = AbortSignal.timeout(60 * 60_000);
    const ports = engine.context.portsFor(flow);
    const subject = range === undefined ? `keys ${keys.join(', ')}` : describeRange(range);
    const result: ResyncResult = await audited(
      engine.state,
      { actor, action: 'resync', flow: flow.name, subject, details: { keys: [...keys], ...(range ?? {}) } },
      async () => {
        const value =
          range === undefined
            ? await resyncKeys(flow, ports, keys, { trigger: 'resync', signal })
            : await resyncRange(flow, ports, range, { trigger: 'resync', signal });
        const { counts } = value;
        return {
          value,
          isSuccess: value.status === 'succeeded' && counts.quarantined + counts.failed === 0,
          outcome: `${value.status}: ${counts.read} read, ${counts.written} written, ${counts.quarantined + counts.failed} dead-lettered, ${value.missingKeys.length} not found`,
        };
      },
    );
    for (const key of result.missingKeys)
      logger.warn(`key ${key} does not exist in ${flow.source.table}; nothing to resync`, {
        flow: flow.name,
        key,
      });
    const failed =
      range === undefined
        ? await engine.state.listDeadLetters({ flow: flow.name, status: 'open', keys, limit: keys.length })
        : (await engine.state.listDeadLetters({ flow: flow.name, status: 'open', limit: 10_000 })).filter(
            (letter) => Date.parse(letter.updatedAt) >= Date.now() - result.durationMs - 1000,
          );
    for (const letter of failed) process.stderr.write(`${flow.name} key ${letter.key}: ${letter.reason}\n`);
    const { counts } = result;
    process.stdout.write(
      `${flow.name}: resync ${result.status}: ${counts.read} read, ${counts.written} written, ${counts.quarantined + counts.failed} dead-lettered, ${result.missingKeys.length} not found at the source\n`,
    );
    if (result.error !== undefined) process.stderr.write(`${result.error.code}: ${result.error.message}\n`);
    return result.status === 'succeeded' && failed.length === 0 && result.missingKeys.length === 0
      ? ExitCodes.ok
      : ExitCodes.flowFailed;
  } finally {
    await engine.close();
  }
}
