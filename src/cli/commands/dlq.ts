import { audited, currentActor } from '../../core/audit.js';
import type { CyclePorts } from '../../core/cycle-ports.js';
import type { Flow } from '../../core/flow.js';
import { resyncKeys, type ResyncResult } from '../../core/resync.js';
import { settleKeys } from '../../core/two-way/settle-keys.js';
import type { DeadLetter, DeadLetterStatus } from '../../core/state-store.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import type { Engine } from '../engine.js';
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
    if (options.flow !== undefined) engine.flow(options.flow);
    const letters = await engine.state.listDeadLetters({
      ...(options.flow === undefined ? {} : { flow: options.flow }),
      status: options.status ?? 'open',
      limit: options.limit ?? 100,
    });
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify({ deadLetters: letters }, null, 2)}\n`);
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
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}

/**
 * Writes the keys again: one-way flows from the source; two-way flows settle each key from both
 * sides' current records, so a target change that failed on its way back goes to the source.
 */
async function replayKeys(flow: Flow, ports: CyclePorts, keys: readonly string[]): Promise<ResyncResult> {
  const signal = AbortSignal.timeout(30 * 60_000);
  if (flow.twoWay === undefined)
    return resyncKeys(flow, ports, keys, { trigger: 'replay', signal, discardMissing: true });
  const started = Date.now();
  const settled = await settleKeys(flow, ports, keys, 'replay', signal, { discardMissing: true });
  return {
    flow: flow.name,
    status: 'succeeded',
    runId: undefined,
    counts: settled.counts,
    durationMs: Date.now() - started,
    error: undefined,
    missingKeys: settled.missing,
  };
}

export interface DlqReplayOptions extends GlobalOptions {
  readonly flow?: string;
  readonly id?: readonly number[];
}

/** Open dead letters replayed per audited action and state-store page. */
const REPLAY_PAGE = 1_000;

/** Pages of open dead letters (of `flow`, when given), newest first, by id. */
async function* openLetterPages(engine: Engine, flow: string | undefined): AsyncGenerator<DeadLetter[]> {
  let beforeId: number | undefined;
  for (;;) {
    const page = await engine.state.listDeadLetters({
      ...(flow === undefined ? {} : { flow }),
      status: 'open',
      limit: REPLAY_PAGE,
      ...(beforeId === undefined ? {} : { beforeId }),
    });
    if (page.length === 0) return;
    yield page;
    // Keyset by id: entries replayed meanwhile leave the open list, those failing again keep their id.
    beforeId = page.at(-1)?.id;
  }
}

/** Replays dead letters of one flow as one audited action; false when some still fail. */
async function replayFlowLetters(
  engine: Engine,
  name: string,
  entries: readonly DeadLetter[],
): Promise<boolean> {
  const flow = engine.flow(name);
  const result = await audited(
    engine.state,
    {
      actor: currentActor(),
      action: 'dlq.replay',
      flow: name,
      subject: `dead letters ${entries.map((entry) => `#${entry.id}`).join(', ')}`,
      details: { ids: entries.map((entry) => entry.id) },
    },
    async () => {
      const value = await replayKeys(
        flow,
        engine.context.portsFor(flow),
        entries.map((entry) => entry.key),
      );
      const failing = value.counts.quarantined + value.counts.failed;
      return {
        value,
        isSuccess: value.status === 'succeeded' && failing === 0,
        outcome: `${value.status}: ${value.counts.written} written, ${failing} still failing, ${value.missingKeys.length} no longer at the source`,
      };
    },
  );
  // The replay discarded these under the flow's lease (a cycle cannot run beside it).
  const missing = new Set(result.missingKeys);
  const gone = entries.filter((entry) => missing.has(entry.key));
  const keys = [...new Set(entries.map((entry) => entry.key))];
  const stillOpen = await engine.state.listDeadLetters({
    flow: name,
    status: 'open',
    keys,
    limit: keys.length,
  });
  process.stdout.write(
    `${name}: replayed ${entries.length}: ${result.counts.written} written, ${stillOpen.length} still failing, ${gone.length} discarded (no longer at the source)\n`,
  );
  for (const letter of stillOpen) process.stdout.write(`  key ${letter.key}: ${letter.reason}\n`);
  return result.status === 'succeeded' && stillOpen.length === 0;
}

/**
 * `syncline dlq replay`: reads the current source row of each open dead letter and writes it
 * through the normal pipeline, after the cause was fixed. Entries that now succeed are marked
 * replayed; those that fail again stay open with the new reason. Without `--id`, the open dead
 * letters are replayed a page of 1,000 at a time, one audited replay per flow and page.
 */
export async function dlqReplayCommand(options: DlqReplayOptions): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    let pages: AsyncIterable<DeadLetter[]> | Iterable<DeadLetter[]>;
    if (options.id !== undefined && options.id.length > 0) {
      const found = await Promise.all(options.id.map((id) => engine.state.getDeadLetter(id)));
      const missing = options.id.filter((_, index) => found[index] === undefined);
      if (missing.length > 0) {
        process.stderr.write(`no dead letter with id ${missing.join(', ')}\n`);
        return ExitCodes.badConfig;
      }
      pages = [
        found.filter((letter): letter is DeadLetter => letter !== undefined && letter.status === 'open'),
      ];
    } else {
      pages = openLetterPages(engine, options.flow);
    }
    let isClean = true;
    let replayed = 0;
    for await (const letters of pages) {
      const byFlow = new Map<string, DeadLetter[]>();
      for (const letter of letters) byFlow.set(letter.flow, [...(byFlow.get(letter.flow) ?? []), letter]);
      for (const [name, entries] of byFlow) {
        if (!(await replayFlowLetters(engine, name, entries))) isClean = false;
        replayed += entries.length;
      }
    }
    if (replayed === 0) process.stdout.write('no open dead letters to replay\n');
    return isClean ? ExitCodes.ok : ExitCodes.flowFailed;
  } finally {
    await engine.close();
  }
}
