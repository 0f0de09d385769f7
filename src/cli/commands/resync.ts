import { resyncKeys } from '../../core/resync.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';

export interface ResyncOptions extends GlobalOptions {
  readonly flow: string;
  readonly key?: readonly string[];
  /** Forget the checkpoint so the next cycle reads the whole source again. */
  readonly all?: boolean;
}

/** `syncline resync --flow F --key K [--key K2…]` or `--all`. */
export async function resyncCommand(options: ResyncOptions): Promise<number> {
  const { engine, logger } = await openCliEngine(options);
  try {
    const flow = engine.flow(options.flow);
    if (options.all === true) {
      await engine.state.resetCheckpoint(flow.name);
      process.stdout.write(
        `${flow.name}: checkpoint reset; the next cycle reads the whole source again (unchanged records are skipped by hash)\n`,
      );
      return ExitCodes.ok;
    }
    const keys = options.key ?? [];
    if (keys.length === 0) {
      process.stderr.write('resync needs --key KEY (repeatable) or --all\n');
      return ExitCodes.badConfig;
    }
    const result = await resyncKeys(flow, engine.context.portsFor(flow), keys, {
      trigger: 'resync',
      signal: AbortSignal.timeout(10 * 60_000),
    });
    for (const key of result.missingKeys)
      logger.warn(`key ${key} does not exist in ${flow.source.table}; nothing to resync`, {
        flow: flow.name,
        key,
      });
    const letters = await engine.state.listDeadLetters({
      flow: flow.name,
      status: 'open',
      limit: keys.length * 2,
    });
    const failed = letters.filter((letter) => keys.includes(letter.key));
    for (const letter of failed) process.stderr.write(`${flow.name} key ${letter.key}: ${letter.reason}\n`);
    const { counts } = result;
    process.stdout.write(
      `${flow.name}: resync ${result.status}: ${counts.written} written, ${counts.quarantined + counts.failed} dead-lettered, ${result.missingKeys.length} not found at the source\n`,
    );
    if (result.error !== undefined) process.stderr.write(`${result.error.code}: ${result.error.message}\n`);
    return result.status === 'succeeded' && failed.length === 0 && result.missingKeys.length === 0
      ? ExitCodes.ok
      : ExitCodes.flowFailed;
  } finally {
    await engine.close();
  }
}
