import { handleChanges, type MutableCounts } from './batch-handler.js';
import type { CyclePorts } from './cycle-ports.js';
import type { Flow } from './flow.js';
import type { DeadLetterInput } from './state-store.js';
import type { Logger } from './logger.js';
import type { LeaseFence } from './state-store.js';
import type { RetryPolicy } from 'cockatiel';

/** At most this many waiting records are retried per cycle. */
const MAX_RETRIED_PER_CYCLE = 10_000;

/**
 * Retries the flow's records that wait for a referenced record (open dead letters of kind
 * `reference` tried fewer than `referenceAttempts` times): reads their current source rows and
 * handles them like any change. A record whose reference is there now is written and its dead
 * letter marked replayed; one still waiting counts one more attempt, and after the last attempt
 * it stays dead-lettered until `syncline dlq replay`. Keys gone from the source are discarded.
 * Keys in `triedKeys` were tried by this cycle's read already and are left for the next cycle,
 * so each cycle spends one attempt of a record, not two.
 */
export async function retryWaitingReferences(
  flow: Flow,
  ports: CyclePorts,
  options: {
    readonly policy: RetryPolicy;
    readonly signal: AbortSignal;
    readonly log: Logger;
    readonly triedKeys: ReadonlySet<string>;
    /** The cycle's lease: the discards and commits carry it. */
    readonly fence: LeaseFence;
    /** Told about each dead letter once its commit went through. */
    readonly onDeadLetter?: ((letter: DeadLetterInput) => void) | undefined;
  },
  counts: MutableCounts,
): Promise<void> {
  if (flow.references.length === 0) return;
  const letters = (
    await ports.state.listDeadLetters({ flow: flow.name, status: 'open', limit: MAX_RETRIED_PER_CYCLE })
  ).filter(
    (letter) =>
      letter.kind === 'reference' &&
      letter.occurrences < flow.referenceAttempts &&
      !options.triedKeys.has(letter.key),
  );
  if (letters.length === 0) return;
  const context = {
    flow,
    target: ports.target,
    source: ports.source,
    state: ports.state,
    policy: options.policy,
    signal: options.signal,
    force: false,
  };
  let resolved = 0;
  for (let start = 0; start < letters.length; start += flow.source.batchSize) {
    const slice = letters.slice(start, start + flow.source.batchSize);
    const changes = await ports.source.readByKeys(
      flow.source,
      slice.map((letter) => letter.key),
      options.signal,
    );
    const found = new Set(changes.map((change) => change.key));
    const gone = slice.filter((letter) => !found.has(letter.key));
    if (gone.length > 0)
      await ports.state.setDeadLetterStatus(
        options.fence,
        gone.map((letter) => letter.id),
        'discarded',
      );
    const commit = await handleChanges(context, changes, counts);
    await ports.state.commitBatch(options.fence, commit);
    resolved += commit.resolvedKeys.length;
    for (const letter of commit.deadLetters) {
      options.onDeadLetter?.(letter);
      const before = slice.find((entry) => entry.key === letter.key);
      if (
        letter.kind === 'reference' &&
        before !== undefined &&
        before.occurrences + 1 >= flow.referenceAttempts
      )
        options.log.warn(
          `record ${letter.key} waited ${flow.referenceAttempts} cycles for its reference and stays dead-lettered: ${letter.reason}. ` +
            `Sync the referenced record, then run: syncline dlq replay --flow ${flow.name}`,
          { key: letter.key, code: letter.code },
        );
    }
  }
  options.log.info(`retried ${letters.length} record(s) waiting for a reference: ${resolved} written`);
}
