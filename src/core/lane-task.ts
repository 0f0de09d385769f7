import type { WriteObserver } from './batch-writer.js';
import type { Connector, ReadRange } from './connector.js';
import type { Flow } from './flow.js';
import type { Logger } from './logger.js';
import {
  backfillLaneName,
  type DeadLetterInput,
  type LeaseFence,
  type RunCounts,
  type StateStore,
} from './state-store.js';
import type { ScalarValue } from './values.js';
import { countsSince, cycleBatchContext, emptyCounts } from './batch-handler.js';
import { createPump, type PumpedBatch } from './batch-pump.js';
import { newBulkPath } from './bulk-path.js';
import { createRetryPolicy } from './retry-policy.js';
import { toSyncError } from './errors.js';
import { toScalar } from './keyset-reader.js';

/**
 * One lane of a partitioned backfill as a unit of work that can run anywhere the flow's config and
 * state store are (docs/backfill.md): another thread here, a worker process under scale-out. It
 * commits under the fence of the cycle that planned it, so it stops being able to commit the moment
 * another process takes the flow over.
 */
export interface LaneTask {
  readonly flow: string;
  /** Rows per batch as the cycle runs (the adaptive controller may have changed `batch`). */
  readonly batchSize: number;
  /** Whether the cycle's bulk path is still on. */
  readonly bulk: boolean;
  readonly fence: LeaseFence;
  readonly lane: number;
  readonly range: ReadRange;
  /** The last key the lane committed before, or null to start at the range's beginning. */
  readonly after: ScalarValue | null;
}

/** What a lane running elsewhere tells the cycle that planned it. */
export interface LaneEvents {
  /** After each commit: the counts it added and the dead letters it stored. */
  readonly onCommitted: (added: RunCounts, letters: readonly DeadLetterInput[]) => void;
  /** Every write attempt to the target, for its health (cadence controller). */
  readonly onWrite?: WriteObserver;
}

/** Runs lanes somewhere other than the cycle's own event loop. */
export interface LaneRunner {
  /** Where lanes run, for the log: e.g. `worker threads`. */
  readonly where: string;
  /**
   * Runs one lane to its end (true) or to a graceful stop (false: `stop` fired, the batch in hand
   * was committed); throws the lane's error as a SyncError. `signal` aborts at once.
   */
  run(task: LaneTask, events: LaneEvents, signal: AbortSignal, stop?: AbortSignal): Promise<boolean>;
  /** Releases what the runner holds (connections), when the engine closes. */
  close?(): Promise<void>;
}

/** What running a lane task needs where it runs. */
export interface LanePorts {
  readonly flow: Flow;
  readonly source: Connector;
  readonly target: Connector;
  readonly state: StateStore;
  readonly log: Logger;
}

/**
 * Runs a lane task with local ports (the far side of a LaneRunner): the lane's batches through
 * the same pump as any cycle, each commit reported to `events` with the counts it added.
 */
export async function runLaneTask(
  task: LaneTask,
  ports: LanePorts,
  events: LaneEvents,
  signal: AbortSignal,
  stop?: AbortSignal,
): Promise<boolean> {
  const flow: Flow =
    task.batchSize === ports.flow.source.batchSize
      ? ports.flow
      : { ...ports.flow, source: { ...ports.flow.source, batchSize: task.batchSize } };
  const readRange = ports.source.readRange?.bind(ports.source);
  if (readRange === undefined)
    throw toSyncError(new Error(`Flow "${flow.name}": its source cannot read key ranges`), {
      flow: flow.name,
    });
  const counts = emptyCounts();
  let reported: RunCounts = emptyCounts();
  let letters: DeadLetterInput[] = [];
  const report = (): void => {
    const added = countsSince(counts, reported);
    reported = { ...counts };
    const sent = letters;
    letters = [];
    events.onCommitted(added, sent);
  };
  const bulk = newBulkPath();
  bulk.enabled = task.bulk;
  const policy = createRetryPolicy(flow.retry, (error, delayMs) => {
    ports.log.warn(`write failed, retrying in ${Math.round(delayMs)} ms: ${toSyncError(error).message}`);
  });
  const { pump } = createPump({
    context: cycleBatchContext(flow, ports, { policy, signal, bulk, observe: events.onWrite }),
    fence: task.fence,
    counts,
    log: ports.log,
    announce: (stored) => letters.push(...stored),
    onCommitted: report,
    ...(stop === undefined ? {} : { stop }),
  });
  try {
    return await pump(laneBatches(flow, readRange, task, signal));
  } finally {
    // Letters stored with a failed batch, and counts of a last partial pass, are reported too.
    if (letters.length > 0 || Object.values(countsSince(counts, reported)).some((n) => n !== 0)) report();
  }
}

/**
 * One lane's batches: its range from the key after which it stopped (read again: the range's
 * bounds are inclusive, and a record already synced with the same hash is skipped), each batch
 * committing the lane's progress, then an empty batch marking the lane done.
 */
export async function* laneBatches(
  flow: Flow,
  readRange: NonNullable<Connector['readRange']>,
  lane: { readonly lane: number; readonly range: ReadRange; readonly after: ScalarValue | null },
  signal: AbortSignal,
): AsyncGenerator<PumpedBatch> {
  const name = backfillLaneName(flow.name, lane.lane);
  const range: ReadRange = lane.after === null ? lane.range : { ...lane.range, fromKey: lane.after };
  let after = lane.after;
  for await (const changes of readRange(flow.source, range, signal)) {
    const last = changes.at(-1);
    if (last !== undefined) after = toScalar(flow.source, flow.source.key, last.row[flow.source.key]);
    yield { changes, commit: { laneCheckpoints: [{ name, checkpoint: { after, done: false } }] } };
  }
  yield { changes: [], commit: { laneCheckpoints: [{ name, checkpoint: { after, done: true } }] } };
}
