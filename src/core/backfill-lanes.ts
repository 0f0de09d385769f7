import { z } from 'zod';
import type { Checkpoint, ReadRange } from './connector.js';
import type { CyclePorts } from './cycle-ports.js';
import { SyncError, toSyncError } from './errors.js';
import type { Flow } from './flow.js';
import type { Logger } from './logger.js';
import { backfillLaneName, backfillPlanName, type LeaseFence, type StateStore } from './state-store.js';
import type { ScalarValue } from './values.js';
import type { BatchPump } from './batch-pump.js';
import type { BulkPath } from './bulk-path.js';
import { laneBatches, type LaneEvents, type LaneRunner } from './lane-task.js';

// A partitioned backfill (docs/backfill.md): a new flow's initial scan split into key ranges
// (`Connector.planBackfill`), each read and written by its own lane with its own checkpoint, all
// under the flow's one lease; when every lane is done, the flow takes the plan's handover
// checkpoint and forgets the lanes in one transaction. This is the unit scale-out spreads.

/** How a cycle's lanes run: in its own event loop through `pump`, or through a runner elsewhere. */
export interface LaneDriver {
  /** Writes a lane's batches in the cycle's own event loop (no runner). */
  readonly pump: BatchPump;
  /** Runs each lane elsewhere (a worker thread): the cycle's event loop only waits. */
  readonly runner?: LaneRunner;
  /** The cycle's bulk path: whether lanes run elsewhere still try the bulk loader. */
  readonly bulk: BulkPath;
  /** What lanes run elsewhere report: counts, dead letters, write samples. */
  readonly events: LaneEvents;
  readonly stop?: AbortSignal;
}

const scalar = z.union([z.string(), z.number()]);
const rangeSchema = z.strictObject({ fromKey: scalar.optional(), toKey: scalar.optional() });
const planSchema = z.strictObject({ ranges: z.array(rangeSchema).min(1), handover: z.unknown() });
/** How far a lane has written: every key of its range up to `after` is committed; `done` when all are. */
const laneSchema = z.strictObject({ after: scalar.nullable(), done: z.boolean() });

/** Whether the flow's initial scan runs in lanes: configured for more than one, one-way, a source that can split. */
function canRunLanes(flow: Flow, ports: CyclePorts): boolean {
  return (
    flow.backfillLanes > 1 &&
    flow.twoWay === undefined &&
    ports.source.planBackfill !== undefined &&
    ports.source.readRange !== undefined
  );
}

function parseStored<T>(flow: string, name: string, schema: z.ZodType<T>, stored: Checkpoint): T {
  const parsed = schema.safeParse(stored);
  if (parsed.success) return parsed.data;
  throw new SyncError(
    'STATE_STORE_FAILED',
    `Flow "${flow}": the stored backfill checkpoint "${name}" (${JSON.stringify(stored)}) is not one Syncline wrote; reset it with "syncline resync --flow ${flow} --all"`,
    { flow, retryable: false },
  );
}

/**
 * Runs the flow's partitioned backfill, if it has one or should start one: a new flow (no
 * checkpoint yet) with `backfill.lanes` above 1 plans its lanes; a flow whose plan is stored
 * resumes each unfinished lane from its own checkpoint, whatever `lanes` says now. Returns false
 * when the cycle was stopped gracefully before every lane was done, true otherwise (no lanes, or
 * the lanes handed over to the flow's checkpoint, from which the caller reads on).
 */
export async function runBackfillLanes(
  flow: Flow,
  ports: CyclePorts,
  run: { readonly fence: LeaseFence; readonly log: Logger; readonly signal: AbortSignal },
  driver: LaneDriver,
): Promise<boolean> {
  const { state, source } = ports;
  let progress = await readBackfillProgress(state, flow.name);
  if (progress === undefined) {
    if (!canRunLanes(flow, ports) || (await state.getCheckpoint(flow.name)) !== undefined) return true;
    const plan = await source.planBackfill?.(flow.source, flow.backfillLanes, run.signal);
    if (plan === undefined) return true;
    await state.commitBatch(run.fence, {
      synced: [],
      deadLetters: [],
      resolvedKeys: [],
      laneCheckpoints: [{ name: backfillPlanName(flow.name), checkpoint: plan as unknown as Checkpoint }],
    });
    run.log.info(
      `backfill in ${plan.ranges.length} lanes: ${plan.ranges.map((range) => describeRange(range)).join(', ')}`,
    );
    progress = {
      handover: plan.handover,
      lanes: plan.ranges.map((range) => ({ ...range, after: null, done: false })),
    };
  }
  const readRange = source.readRange?.bind(source);
  if (readRange === undefined)
    throw new SyncError(
      'CONFIG_INVALID',
      `Flow "${flow.name}": a partitioned backfill is under way but this source cannot read key ranges; reset it with "syncline resync --flow ${flow.name} --all"`,
      { flow: flow.name, retryable: false },
    );
  const pending = progress.lanes.flatMap(({ fromKey, toKey, after, done }, lane) =>
    done
      ? []
      : [
          {
            lane,
            range: {
              ...(fromKey === undefined ? {} : { fromKey }),
              ...(toKey === undefined ? {} : { toKey }),
            },
            after,
          },
        ],
  );
  // Lanes leave the cycle's thread only when each lane may open its own connectors.
  const runner =
    ports.source.capabilities.independentInstances === true &&
    ports.target.capabilities.independentInstances === true
      ? driver.runner
      : undefined;
  if (runner !== undefined) run.log.info(`backfill lanes run in ${runner.where}`);
  const isComplete = await runLanePool(
    pending,
    Math.max(1, flow.backfillLanes),
    run.signal,
    (lane, signal) =>
      runner === undefined
        ? driver.pump(laneBatches(flow, readRange, lane, signal))
        : runner.run(
            {
              flow: flow.name,
              batchSize: flow.source.batchSize,
              bulk: driver.bulk.enabled,
              fence: run.fence,
              lane: lane.lane,
              range: lane.range,
              after: lane.after,
            },
            driver.events,
            signal,
            driver.stop,
          ),
  );
  if (!isComplete) return false;
  await state.commitBatch(run.fence, {
    synced: [],
    deadLetters: [],
    resolvedKeys: [],
    checkpoint: progress.handover,
    endLanes: true,
  });
  run.log.info(`backfill: all ${progress.lanes.length} lanes written; reading on incrementally`);
  return true;
}

function describeRange(range: ReadRange): string {
  return `[${range.fromKey ?? '…'} – ${range.toKey ?? '…'}]`;
}

/**
 * Runs `work` for every lane, at most `concurrency` at a time. The first failure aborts the lanes
 * still running (their unfinished batch is read again next time) and is thrown once all have
 * stopped; false when a lane was stopped gracefully.
 */
async function runLanePool<T>(
  lanes: readonly T[],
  concurrency: number,
  signal: AbortSignal,
  work: (lane: T, signal: AbortSignal) => Promise<boolean>,
): Promise<boolean> {
  const failed = new AbortController();
  const laneSignal = AbortSignal.any([signal, failed.signal]);
  const queue = [...lanes];
  let isComplete = true;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    for (let lane = queue.shift(); lane !== undefined; lane = queue.shift()) {
      if (failures.length > 0 || !isComplete) return;
      try {
        if (!(await work(lane, laneSignal))) isComplete = false;
      } catch (error) {
        failures.push(error);
        failed.abort(toSyncError(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, lanes.length) }, worker));
  if (failures.length > 0) throw toSyncError(failures[0]);
  return isComplete;
}

/** A partitioned backfill under way, as `status` shows it: each lane's range and how far it got. */
export interface BackfillProgress {
  /** Where the flow reads on from once every lane is done (the plan's handover checkpoint). */
  readonly handover: Checkpoint;
  readonly lanes: readonly {
    readonly fromKey?: ScalarValue;
    readonly toKey?: ScalarValue;
    /** The last key the lane committed; null before its first batch. */
    readonly after: ScalarValue | null;
    readonly done: boolean;
  }[];
}

/** The flow's partitioned backfill under way, or undefined when none is (never, or handed over). */
export async function readBackfillProgress(
  state: StateStore,
  flow: string,
): Promise<BackfillProgress | undefined> {
  const stored = await state.getCheckpoint(backfillPlanName(flow));
  if (stored === undefined) return undefined;
  const plan = parseStored(flow, backfillPlanName(flow), planSchema, stored);
  const lanes = await Promise.all(
    plan.ranges.map(async (range, lane) => {
      const name = backfillLaneName(flow, lane);
      const saved = await state.getCheckpoint(name);
      const progress =
        saved === undefined ? { after: null, done: false } : parseStored(flow, name, laneSchema, saved);
      return { ...range, ...progress };
    }),
  );
  return { handover: plan.handover as Checkpoint, lanes };
}
