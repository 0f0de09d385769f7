import type { Change } from './connector.js';
import { toSyncError } from './errors.js';
import type { Logger } from './logger.js';
import { prefetchOne } from './prefetch.js';
import {
  prepareChanges,
  writePrepared,
  type BatchContext,
  type MutableCounts,
  type PreparedBatch,
} from './batch-handler.js';
import type { BatchCommit, DeadLetterInput, LeaseFence } from './state-store.js';

/** A batch of changes and what its commit records besides the batch's own results. */
export interface PumpedBatch {
  readonly changes: readonly Change[];
  readonly commit: Pick<BatchCommit, 'checkpoint' | 'laneCheckpoints'>;
}

/** Writes a stream of batches in order, committing each; false when stopped gracefully. */
export type BatchPump = (batches: AsyncIterable<PumpedBatch>) => Promise<boolean>;

/** What a pump needs: the batch context, where it commits, and whom it tells. */
export interface PumpSetup {
  readonly context: BatchContext;
  readonly fence: LeaseFence;
  readonly counts: MutableCounts;
  readonly log: Logger;
  /** Stops gracefully: the batch in hand is written and committed, then the pump returns false. */
  readonly stop?: AbortSignal;
  /** Told about the dead letters of each commit once it went through; must not throw. */
  readonly announce: (letters: readonly DeadLetterInput[]) => void;
  /** Told after each commit. */
  readonly onCommitted?: () => void;
}

/** A pump, and whether one of its writes failed (a failed write is not retried by re-reading). */
export interface Pump {
  readonly pump: BatchPump;
  hasWriteFailed(): boolean;
}

/**
 * The write side of a cycle as a two-stage pipeline: batch N+1 is read and prepared (mapped,
 * hashed, compared) while batch N is written. Writes and commits of one stream stay strictly in
 * order, one batch at a time; a cycle pumps one stream, a partitioned backfill one per lane (their
 * keys are disjoint). Every commit holds the batch's key map, hashes, dead letters and its
 * checkpoint, only after the target acknowledged the write.
 */
export function createPump(setup: PumpSetup): Pump {
  const { context, fence, counts, log, announce } = setup;
  const { state, signal } = context;
  let hasFailed = false;
  // A batch whose write failed still stores the letters it quarantined (invariant 4), without
  // its checkpoint: the batch is read again, and its letters, already open with the same hash,
  // are not stored twice.
  const keepDeadLetters = async (prepared: PreparedBatch): Promise<void> => {
    if (prepared.deadLetters.length === 0) return;
    try {
      await state.commitBatch(fence, { synced: [], deadLetters: prepared.deadLetters, resolvedKeys: [] });
      announce(prepared.deadLetters);
    } catch (error) {
      // The write's own error is the one the cycle reports; this one is only logged.
      log.error(`could not store the dead letters of a failed batch: ${toSyncError(error).message}`);
    }
  };
  const writeAndCommit = async (prepared: PreparedBatch, extra: PumpedBatch['commit']): Promise<void> => {
    let commit;
    try {
      commit = await writePrepared(context, prepared, counts);
    } catch (error) {
      hasFailed = true;
      await keepDeadLetters(prepared);
      throw error;
    }
    await state.commitBatch(fence, { ...commit, ...extra });
    announce(commit.deadLetters);
    setup.onCommitted?.();
  };
  const pump: BatchPump = async (batches) => {
    let inFlight: Promise<void> | undefined;
    let inFlightHashes: ReadonlyMap<string, string> = new Map<string, string>();
    try {
      for await (const batch of prefetchOne(batches)) {
        signal.throwIfAborted();
        if (setup.stop?.aborted === true) {
          await inFlight;
          return false;
        }
        const prepared = await prepareChanges(context, batch.changes, counts, inFlightHashes);
        try {
          await inFlight;
        } catch (error) {
          // The batch prepared behind the failed one quarantined records too.
          if (hasFailed) await keepDeadLetters(prepared);
          throw error;
        }
        inFlightHashes = prepared.hashes;
        inFlight = writeAndCommit(prepared, batch.commit);
        // Observed by the next `await inFlight`; this only keeps Node from reporting it early.
        inFlight.catch(() => undefined);
      }
      await inFlight;
      return true;
    } catch (error) {
      // Never leave a write running behind the caller: its commit would race a re-read checkpoint.
      await inFlight?.catch(() => undefined);
      throw error;
    }
  };
  return { pump, hasWriteFailed: () => hasFailed };
}
