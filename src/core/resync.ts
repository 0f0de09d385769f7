import { handleChanges } from './batch-handler.js';
import type { CyclePorts, CycleResult } from './cycle-ports.js';
import { SyncError, toSyncError } from './errors.js';
import type { Flow } from './flow.js';
import { withManualRun, type ManualOutcome } from './manual-run.js';
import { createRetryPolicy } from './retry-policy.js';
import type { LeaseFence, RunTrigger, StateStore } from './state-store.js';
import type { Change, ReadRange } from './connector.js';

/** The result of a manual resync: the cycle result plus keys the source no longer has. */
export interface ResyncResult extends CycleResult {
  readonly missingKeys: readonly string[];
  /** Records this resync dead-lettered, with the reason (the first {@link LISTED_LETTERS}). */
  readonly deadLettered: readonly {
    readonly key: string;
    readonly reason: string;
    readonly field?: string;
  }[];
}

/** Dead-lettered records a resync lists in its result (all are counted). */
export const LISTED_LETTERS = 1_000;

/** Where a resync's changes come from: batches of source rows, and the keys asked for but not found. */
type ResyncSource = (
  signal: AbortSignal,
) => AsyncIterable<{ readonly changes: readonly Change[]; readonly missing: readonly string[] }>;

/** Options of a resync of chosen keys. */
export interface ResyncKeysOptions {
  readonly trigger: Extract<RunTrigger, 'resync' | 'replay' | 'repair'>;
  readonly signal: AbortSignal;
  /**
   * Marks the open dead letters of keys the source no longer has `discarded`, under the same lease
   * as the writes (dead-letter replay). Default false.
   */
  readonly discardMissing?: boolean;
}

/**
 * Reads the current source rows of `keys` and writes them through the normal pipeline (mapping,
 * validation, idempotent write, dead letters), even when their hash is unchanged — the target
 * may have drifted. The checkpoint does not move. Used by `resync`, dead-letter replay and repair.
 */
export function resyncKeys(
  flow: Flow,
  ports: CyclePorts,
  keys: readonly string[],
  options: ResyncKeysOptions,
): Promise<ResyncResult> {
  const unique = [...new Set(keys)];
  return runResync(flow, ports, options, async function* byKeys(signal) {
    for (let index = 0; index < unique.length; index += flow.source.batchSize) {
      const slice = unique.slice(index, index + flow.source.batchSize);
      const changes = await ports.source.readByKeys(flow.source, slice, signal);
      const found = new Set(changes.map((change) => change.key));
      yield { changes, missing: slice.filter((key) => !found.has(key)) };
    }
  });
}

/**
 * Writes again every source row within a key range or a cursor (time) range, like resyncKeys:
 * compensation after an outage or a bad import, without resetting the whole flow.
 */
export function resyncRange(
  flow: Flow,
  ports: CyclePorts,
  range: ReadRange,
  options: { trigger: Extract<RunTrigger, 'resync' | 'repair'>; signal: AbortSignal },
): Promise<ResyncResult> {
  const { source } = ports;
  if (source.readRange === undefined)
    throw new SyncError(
      'CONFIG_INVALID',
      `Flow "${flow.name}": connection ${flow.sourceConnection} cannot read a key or time range; resync keys one by one with --key`,
      { flow: flow.name },
    );
  return runResync(flow, ports, options, async function* inRange(signal) {
    const batches = source.readRange?.(flow.source, range, signal) ?? [];
    for await (const changes of batches) yield { changes, missing: [] };
  });
}

/**
 * Forgets the flow's checkpoints (both directions of a two-way flow), so its next cycle reads
 * the whole source again; unchanged records are skipped by hash. Runs under the flow's lease as a
 * `resync` run, waiting for a running cycle to finish first: a cycle holding the lease would
 * otherwise commit its next batch's checkpoint over the reset, and the reset would be lost.
 */
export async function resyncAll(flow: Flow, ports: CyclePorts, signal: AbortSignal): Promise<number> {
  const run = await withManualRun(
    flow.name,
    ports,
    { trigger: 'resync', signal, what: 'checkpoint reset' },
    async (_counts, fence) => {
      await ports.state.resetCheckpoints(fence);
      return { value: undefined, status: 'succeeded' };
    },
  );
  return run.runId;
}

/** Marks the open dead letters of `keys` discarded (keys the source no longer has). */
export async function discardOpenDeadLetters(
  state: StateStore,
  fence: LeaseFence,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return;
  const letters = await state.listDeadLetters({ flow: fence.flow, status: 'open', keys, limit: keys.length });
  if (letters.length > 0)
    await state.setDeadLetterStatus(
      fence,
      letters.map((letter) => letter.id),
      'discarded',
    );
}

async function runResync(
  flow: Flow,
  ports: CyclePorts,
  options: { trigger: RunTrigger; signal: AbortSignal; discardMissing?: boolean },
  read: ResyncSource,
): Promise<ResyncResult> {
  const started = Date.now();
  const missingKeys: string[] = [];
  const deadLettered: { key: string; reason: string; field?: string }[] = [];
  const run = await withManualRun(
    flow.name,
    ports,
    { ...options, what: 'resync' },
    async (counts, fence): Promise<ManualOutcome<SyncError | undefined>> => {
      try {
        const context = {
          flow,
          target: ports.target,
          source: ports.source,
          state: ports.state,
          policy: createRetryPolicy(flow.retry),
          signal: options.signal,
          force: true,
        };
        for await (const { changes, missing } of read(options.signal)) {
          missingKeys.push(...missing);
          const commit = await handleChanges(context, changes, counts);
          await ports.state.commitBatch(fence, commit);
          for (const letter of commit.deadLetters.slice(0, LISTED_LETTERS - deadLettered.length))
            deadLettered.push({
              key: letter.key,
              reason: letter.reason,
              ...(letter.field === undefined ? {} : { field: letter.field }),
            });
          if (options.discardMissing === true) await discardOpenDeadLetters(ports.state, fence, missing);
        }
        return { value: undefined, status: 'succeeded' };
      } catch (thrown) {
        // A resync reports its error in the result (the keys written so far stay written).
        const error = toSyncError(thrown, { flow: flow.name });
        return { value: error, status: error.code === 'LEASE_LOST' ? 'aborted' : 'failed', error };
      }
    },
  );
  const error = run.value;
  return {
    flow: flow.name,
    status: error === undefined ? 'succeeded' : error.code === 'LEASE_LOST' ? 'aborted' : 'failed',
    runId: run.runId,
    counts: run.counts,
    durationMs: Date.now() - started,
    error,
    missingKeys,
    deadLettered,
  };
}
