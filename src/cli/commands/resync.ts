import { currentActor } from '../../core/audit.js';
import type { ReadRange } from '../../core/connector.js';
import { findFlow } from '../../operations/operations-context.js';
import { resyncFlow, type ResyncTarget } from '../../operations/resync.js';
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

/** The one resync the options ask for, or undefined when they ask for none or several. */
function targetOf(options: ResyncOptions): ResyncTarget | undefined {
  const keys = options.key ?? [];
  const range = rangeOf(options);
  const modes = [options.all === true, keys.length > 0, range !== undefined].filter(Boolean).length;
  if (modes !== 1) return undefined;
  if (options.all === true) return { all: true };
  return range === undefined ? { keys } : { range };
}

/**
 * `syncline resync --flow F` with `--key K` (repeatable), a range (`--from-key/--to-key`,
 * `--since/--until` on the cursor), or `--all`. Every resync runs under the flow's lease and is
 * recorded in the audit log.
 */
export async function resyncCommand(options: ResyncOptions): Promise<number> {
  const { engine, logger } = await openCliEngine(options);
  try {
    const target = targetOf(options);
    if (target === undefined) {
      process.stderr.write(
        'resync needs exactly one of: --key KEY (repeatable), a range (--from-key/--to-key and/or --since/--until), or --all\n',
      );
      return ExitCodes.badConfig;
    }
    const result = await resyncFlow(engine.operations, { actor: currentActor(), flow: options.flow, target });
    if (result.mode === 'all') {
      process.stdout.write(
        `${result.flow}: checkpoint reset; the next cycle reads the whole source again (unchanged records are skipped by hash)\n`,
      );
      return ExitCodes.ok;
    }
    for (const key of result.missingKeys)
      logger.warn(`key ${key} does not exist in ${findFlow(engine.operations, result.flow).source.table}; nothing to resync`, { flow: result.flow, key });
    for (const letter of result.deadLettered)
      process.stderr.write(`${result.flow} key ${letter.key}: ${letter.reason}\n`);
    const { counts } = result;
    const complete =
      result.status === 'succeeded' && result.deadLettered.length === 0 && result.missingKeys.length === 0;
    // "succeeded" only with exit code 0; a key not found or a record dead-lettered is "finished".
    const verdict = complete ? 'succeeded' : result.status === 'failed' ? 'failed' : 'finished';
    process.stdout.write(
      `${result.flow}: resync ${verdict}: ${counts.read} read, ${counts.written} written, ${counts.quarantined + counts.failed} dead-lettered, ${result.missingKeys.length} not found at the source\n`,
    );
    if (result.error !== undefined) process.stderr.write(`${result.error.code}: ${result.error.message}\n`);
    return complete ? ExitCodes.ok : ExitCodes.flowFailed;
  } finally {
    await engine.close();
  }
}
