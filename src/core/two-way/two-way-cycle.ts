import type { MutableCounts } from '../batch-handler.js';
import type { CycleOptions, CyclePorts } from '../cycle-ports.js';
import { toSyncError } from '../errors.js';
import type { Flow } from '../flow.js';
import type { Logger } from '../logger.js';
import { createRetryPolicy } from '../retry-policy.js';
import { reverseCheckpointName, type BatchCommit, type LeaseFence } from '../state-store.js';
import { RecordComparison } from './record-comparison.js';
import type { TwoWayContext } from './record-pairs.js';
import { forwardBatch, reverseBatch } from './two-way-passes.js';

/** Describes both tables (where the connectors can) and builds what settling records needs. */
export async function twoWayContext(
  flow: Flow,
  ports: CyclePorts,
  signal: AbortSignal,
  log: Logger,
  observe?: CycleOptions['onWrite'],
): Promise<TwoWayContext> {
  const twoWay = flow.twoWay;
  if (twoWay === undefined) throw new Error(`flow "${flow.name}" is not a two-way flow`);
  const [sourceSchema, targetSchema] = await Promise.all([
    ports.source.capabilities.describe ? ports.source.describeTable(flow.source.table, signal) : undefined,
    ports.target.capabilities.describe ? ports.target.describeTable(flow.target.table, signal) : undefined,
  ]);
  const comparison = RecordComparison.forTarget(
    twoWay.compared,
    targetSchema,
    flow.target.types,
    ports.target.wallClockZone,
  );
  const policy = createRetryPolicy(flow.retry, (error, delayMs) => {
    log.warn(`write failed, retrying in ${Math.round(delayMs)} ms: ${toSyncError(error).message}`);
  });
  return {
    flow,
    twoWay,
    source: ports.source,
    target: ports.target,
    policy,
    signal,
    comparison,
    reverse: {
      twoWay,
      sourceKey: flow.source.key,
      sourceSchema,
      targetSchema,
      targetZone: ports.target.wallClockZone,
    },
    log,
    ...(observe === undefined ? {} : { observe }),
  };
}

/**
 * The passes of one cycle of a two-way flow: source changes since the checkpoint (forward), then
 * target changes since the reverse checkpoint (reverse). Each batch is committed with its own
 * checkpoint after both sides acknowledged their writes. Returns false when stopped gracefully.
 */
export async function runTwoWayPasses(
  flow: Flow,
  ports: CyclePorts,
  options: CycleOptions,
  counts: MutableCounts,
  run: { readonly started: number; readonly log: Logger; readonly fence: LeaseFence },
): Promise<boolean> {
  const { signal } = options;
  const context = await twoWayContext(flow, ports, signal, run.log, options.onWrite);
  const afterCommit = (commit: Omit<BatchCommit, 'checkpoint'>): void => {
    for (const letter of commit.deadLetters) {
      run.log.warn(`record ${letter.key} dead-lettered: ${letter.reason}`, {
        key: letter.key,
        code: letter.code,
      });
      options.onDeadLetter?.(letter);
    }
    for (const conflict of commit.conflicts ?? []) options.onConflict?.(conflict);
    options.onProgress?.({ flow: flow.name, counts: { ...counts }, elapsedMs: Date.now() - run.started });
  };

  const since = await ports.state.getCheckpoint(flow.name);
  for await (const batch of ports.source.readChanges(flow.source, since, signal)) {
    signal.throwIfAborted();
    if (options.stop?.aborted === true) return false;
    const commit = await forwardBatch(context, ports.state, batch.changes, counts);
    await ports.state.commitBatch(run.fence, { ...commit, checkpoint: batch.checkpoint });
    afterCommit(commit);
  }

  let unlinked = 0;
  const reverseSince = await ports.state.getCheckpoint(reverseCheckpointName(flow.name));
  for await (const batch of ports.target.readChanges(context.twoWay.reader, reverseSince, signal)) {
    signal.throwIfAborted();
    if (options.stop?.aborted === true) return false;
    const { unlinked: batchUnlinked, ...commit } = await reverseBatch(
      context,
      ports.state,
      batch.changes,
      counts,
    );
    unlinked += batchUnlinked;
    await ports.state.commitBatch(run.fence, { ...commit, reverseCheckpoint: batch.checkpoint });
    afterCommit(commit);
  }
  if (unlinked > 0)
    run.log.info(
      `${unlinked} changed row(s) of ${flow.target.table} have no ${flow.target.key} (made in the target, not linked to a source record); two-way sync leaves them alone`,
    );
  return true;
}
