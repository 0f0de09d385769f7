import type { ChangeBatch } from './connector.js';
import type { CycleOptions, CyclePorts, CycleResult } from './cycle-ports.js';
import { SyncError, toSyncError } from './errors.js';
import type { Flow } from './flow.js';
import type { Logger } from './logger.js';
import { addCounts, cycleBatchContext, emptyCounts, type MutableCounts } from './batch-handler.js';
import { acquireFlowLease, keepLease, LEASE_TTL_MS, newLeaseOwner } from './flow-lease.js';
import { newBulkPath } from './bulk-path.js';
import { runBackfillLanes, type LaneDriver } from './backfill-lanes.js';
import { createPump, type PumpedBatch } from './batch-pump.js';
import { runTwoWayPasses } from './two-way/two-way-cycle.js';
import { retryWaitingReferences } from './reference-retry.js';
import { createRetryPolicy, isRetryable } from './retry-policy.js';
import type { DeadLetterInput, LeaseFence } from './state-store.js';

/**
 * One cycle of a flow (DESIGN.md): read changes since the checkpoint, map and validate, skip
 * unchanged records, write each batch idempotently, then record key map, hashes, dead letters and
 * the checkpoint — only after the target acknowledged. A retryable read error restarts reading
 * from the last stored checkpoint with back-off; anything else ends the cycle as failed with the
 * checkpoint where the last acknowledged batch left it.
 */
export async function runCycle(flow: Flow, ports: CyclePorts, options: CycleOptions): Promise<CycleResult> {
  const started = Date.now();
  const owner = options.owner ?? newLeaseOwner();
  const ttl = options.leaseTtlMs ?? LEASE_TTL_MS;
  const counts = emptyCounts();
  const fence = await acquireFlowLease(ports.state, flow.name, owner, ttl);
  if (fence === undefined) {
    return { flow: flow.name, status: 'busy', runId: undefined, counts, durationMs: 0, error: undefined };
  }
  const log = ports.logger.child({ flow: flow.name });
  const leaseLost = new AbortController();
  const stopRenewing = keepLease(ports.state, fence, ttl, (reason) => {
    log.error(`${reason}; stopping this cycle so two processes never write the flow at once`);
    leaseLost.abort(new SyncError('CYCLE_ABORTED', `Flow "${flow.name}": ${reason}`, { flow: flow.name }));
  });
  let error: SyncError | undefined;
  let isComplete = false;
  let runId: number | undefined;
  try {
    runId = await ports.state.startRun(flow.name, options.trigger);
    const signal = AbortSignal.any([options.signal, leaseLost.signal]);
    const run = { started, log, fence };
    isComplete =
      flow.twoWay === undefined
        ? await readAndWrite(flow, ports, { ...options, signal }, counts, run)
        : await runTwoWayPasses(flow, ports, { ...options, signal }, counts, run);
  } catch (thrown) {
    error = toSyncError(thrown, { flow: flow.name });
  }
  const status =
    error === undefined
      ? isComplete
        ? 'succeeded'
        : 'aborted'
      : error.code === 'CYCLE_ABORTED' || error.code === 'LEASE_LOST' || options.signal.aborted
        ? 'aborted'
        : 'failed';
  try {
    if (runId !== undefined)
      await ports.state.finishRun(runId, {
        status,
        counts,
        ...(error === undefined ? {} : { error: error.toJSON() }),
      });
  } finally {
    stopRenewing();
    await ports.state.releaseLease(flow.name, owner);
  }
  const durationMs = Date.now() - started;
  if (error !== undefined && status === 'failed')
    log.error(`cycle failed: ${error.message}`, { code: error.code, runId });
  // A refused commit: another process took the flow over and reads the batch again.
  if (error?.code === 'LEASE_LOST') log.error(`cycle aborted: ${error.message}`, { code: error.code, runId });
  return { flow: flow.name, status, runId, counts, durationMs, error };
}

async function readAndWrite(
  flow: Flow,
  ports: CyclePorts,
  options: CycleOptions,
  counts: MutableCounts,
  run: { started: number; log: Logger; fence: LeaseFence },
): Promise<boolean> {
  const { signal } = options;
  const policy = createRetryPolicy(flow.retry, (error, delayMs) => {
    run.log.warn(`write failed, retrying in ${Math.round(delayMs)} ms: ${toSyncError(error).message}`);
  });
  let readFailures = 0;
  // Keys this cycle's read already dead-lettered for a missing reference: their attempt is spent.
  const triedKeys = new Set<string>();
  // Batches of records new to the key map try the target's bulk insert (docs/backfill.md).
  const bulk = newBulkPath();
  bulk.enabled = flow.bulkLoad;
  for (;;) {
    const context = cycleBatchContext(flow, ports, { policy, signal, bulk, observe: options.onWrite });
    const announce = (letters: readonly DeadLetterInput[]): void => {
      for (const letter of letters) {
        if (letter.kind === 'reference') triedKeys.add(letter.key);
        run.log.warn(`record ${letter.key} dead-lettered: ${letter.reason}`, {
          key: letter.key,
          field: letter.field,
          code: letter.code,
        });
        options.onDeadLetter?.(letter);
      }
    };
    const pipeline = createPump({
      context,
      fence: run.fence,
      counts,
      log: run.log,
      announce,
      ...(options.stop === undefined ? {} : { stop: options.stop }),
      onCommitted: () => {
        options.onProgress?.({ flow: flow.name, counts: { ...counts }, elapsedMs: Date.now() - run.started });
        readFailures = 0;
      },
    });
    try {
      // A partitioned backfill first (docs/backfill.md); it hands over to the flow's checkpoint.
      const driver: LaneDriver = {
        pump: pipeline.pump,
        ...(ports.lanes === undefined ? {} : { runner: ports.lanes }),
        bulk,
        events: {
          onCommitted: (added, letters) => {
            addCounts(counts, added);
            announce(letters);
            options.onProgress?.({
              flow: flow.name,
              counts: { ...counts },
              elapsedMs: Date.now() - run.started,
            });
            readFailures = 0;
          },
          ...(options.onWrite === undefined ? {} : { onWrite: options.onWrite }),
        },
        ...(options.stop === undefined ? {} : { stop: options.stop }),
      };
      if (!(await runBackfillLanes(flow, ports, { ...run, signal }, driver))) return false;
      const since = await ports.state.getCheckpoint(flow.name);
      const changes = ports.source.readChanges(flow.source, since, signal);
      if (!(await pipeline.pump(withCheckpoints(changes)))) return false;
      if (bulk.loaded + bulk.fellBack > 0)
        run.log.info(
          `bulk path: ${bulk.loaded} batch(es) loaded in bulk, ${bulk.fellBack} written the normal way after the target refused the bulk insert`,
        );
      await retryWaitingReferences(
        flow,
        ports,
        { ...run, policy, signal, triedKeys, onDeadLetter: options.onDeadLetter },
        counts,
      );
      return true;
    } catch (thrown) {
      const error = toSyncError(thrown, { flow: flow.name });
      readFailures += 1;
      // A write already went through its retries (retry policy); only reads are resumed here.
      if (
        pipeline.hasWriteFailed() ||
        !isRetryable(error) ||
        signal.aborted ||
        readFailures >= flow.retry.attempts
      )
        throw error;
      // A source that said how long to wait (HTTP 429/503 Retry-After) is not asked again sooner.
      const delayMs = Math.max(
        Math.min(flow.retry.maxDelayMs, flow.retry.initialDelayMs * 2 ** (readFailures - 1)),
        (error.retryAfterSeconds ?? 0) * 1_000,
      );
      run.log.warn(
        `cycle interrupted (${error.message}); resuming from the last checkpoint in ${delayMs} ms`,
      );
      await sleep(delayMs, signal);
    }
  }
}

/** The source's change batches as pumped batches, each committing its checkpoint. */
async function* withCheckpoints(batches: AsyncIterable<ChangeBatch>): AsyncGenerator<PumpedBatch> {
  for await (const batch of batches)
    yield { changes: batch.changes, commit: { checkpoint: batch.checkpoint } };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
