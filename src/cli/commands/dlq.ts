import { currentActor } from '../../core/audit.js';
import type { DeadLetterStatus } from '../../core/state-store.js';
import { listDeadLetters, replayDeadLetters } from '../../operations/dead-letters.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';

export interface DlqListOptions extends GlobalOptions {
  readonly flow?: string;
  readonly status?: DeadLetterStatus;
  readonly limit?: number;
  readonly json?: boolean;
}

/** `syncline dlq list`: dead letters, newest first, with flow, key, field and reason. */
export async function dlqListCommand(options: DlqListOptions): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const page = await listDeadLetters(engine.operations, {
      ...(options.flow === undefined ? {} : { flow: options.flow }),
      status: options.status ?? 'open',
      limit: options.limit ?? 100,
    });
    const letters = page.items;
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify({ deadLetters: letters, total: page.total }, null, 2)}\n`);
      return ExitCodes.ok;
    }
    if (letters.length === 0) {
      process.stdout.write(`no ${options.status ?? 'open'} dead letters\n`);
      return ExitCodes.ok;
    }
    for (const letter of letters) {
      process.stdout.write(
        `#${letter.id} ${letter.flow} key=${letter.key}${letter.field === undefined ? '' : ` field=${letter.field}`} ${letter.kind} ${letter.code} (${letter.occurrences}×, ${letter.updatedAt})\n    ${letter.reason}\n`,
      );
    }
    if (page.total > letters.length)
      process.stdout.write(`(${letters.length} of ${page.total}; --limit shows more)\n`);
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}

export interface DlqReplayOptions extends GlobalOptions {
  readonly flow?: string;
  readonly id?: readonly number[];
}

/**
 * `syncline dlq replay`: reads the current source row of each open dead letter and writes it
 * through the normal pipeline, after the cause was fixed. Entries that now succeed are marked
 * replayed; those that fail again stay open with the new reason.
 */
export async function dlqReplayCommand(options: DlqReplayOptions): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const outcome = await replayDeadLetters(engine.operations, {
      actor: currentActor(),
      ...(options.flow === undefined ? {} : { flow: options.flow }),
      ...(options.id === undefined ? {} : { ids: options.id }),
    });
    for (const flow of outcome.flows) {
      process.stdout.write(
        `${flow.flow}: replayed ${flow.replayed}: ${flow.counts.written} written, ${flow.stillFailingCount} still failing, ${flow.discarded} discarded (no longer at the source)\n`,
      );
      for (const letter of flow.stillFailing) process.stdout.write(`  key ${letter.key}: ${letter.reason}\n`);
      if (flow.stillFailingCount > flow.stillFailing.length)
        process.stdout.write(`  … and ${flow.stillFailingCount - flow.stillFailing.length} more (syncline dlq list)\n`);
    }
    if (outcome.flows.length === 0) process.stdout.write('no open dead letters to replay\n');
    return outcome.isClean ? ExitCodes.ok : ExitCodes.flowFailed;
  } finally {
    await engine.close();
  }
}
