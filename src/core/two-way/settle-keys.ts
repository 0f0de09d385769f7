import type { CyclePorts } from '../cycle-ports.js';
import type { Flow } from '../flow.js';
import { withManualRun } from '../manual-run.js';
import { discardOpenDeadLetters } from '../resync.js';
import type { RunCounts } from '../state-store.js';
import { settlePairs, type RecordPair, type TwoWayContext } from './record-pairs.js';
import { twoWayContext } from './two-way-cycle.js';
import { mapSource, targetVersion } from './two-way-passes.js';

/** What settling some keys of a two-way flow did. */
export interface SettledKeys {
  readonly counts: RunCounts;
  /** Keys settled: written, deleted, or found equal. */
  readonly settled: number;
  /** Keys parked as conflicts (or still parked). */
  readonly parked: number;
  /** Keys a side refused, or whose source record fails its mapping, with the reason. */
  readonly failed: readonly { readonly key: string; readonly reason: string }[];
  /** Keys neither side has. */
  readonly missing: readonly string[];
}

/**
 * Settles chosen keys of a two-way flow as a cycle would, from both sides' current records: the
 * side that differs from the base both last agreed on wins; when both do (or there is no base), the
 * flow's conflict policy decides. Used by dead-letter replay and reconcile repair, so a target
 * change that failed on its way back is replayed toward the source, not overwritten.
 */
export async function settleKeys(
  flow: Flow,
  ports: CyclePorts,
  keys: readonly string[],
  trigger: 'replay' | 'repair',
  signal: AbortSignal,
  options: {
    /** Marks the open dead letters of keys neither side has `discarded`, under the run's lease. */
    readonly discardMissing?: boolean;
  } = {},
): Promise<SettledKeys> {
  const twoWay = flow.twoWay;
  if (twoWay === undefined) throw new Error(`flow "${flow.name}" is not a two-way flow`);
  const failed: { key: string; reason: string }[] = [];
  const missing: string[] = [];
  let settled = 0;
  let parked = 0;
  const run = await withManualRun(
    flow.name,
    ports,
    { trigger, signal, what: trigger },
    async (counts, fence) => {
      const context = await twoWayContext(flow, ports, signal, ports.logger.child({ flow: flow.name }));
      const unique = [...new Set(keys)];
      for (let start = 0; start < unique.length; start += flow.source.batchSize) {
        const slice = unique.slice(start, start + flow.source.batchSize);
        const missingBefore = missing.length;
        const pairs = await pairsOf(context, ports, slice, { failed, missing });
        const commit = await settlePairs(context, pairs, counts);
        await ports.state.commitBatch(fence, commit);
        if (options.discardMissing === true)
          await discardOpenDeadLetters(ports.state, fence, missing.slice(missingBefore));
        settled += commit.synced.length;
        parked += commit.conflicts?.length ?? 0;
        for (const letter of commit.deadLetters) failed.push({ key: letter.key, reason: letter.reason });
      }
      return { value: undefined, status: failed.length === 0 ? 'succeeded' : 'failed' };
    },
  );
  return { counts: run.counts, settled, parked, failed, missing };
}

/**
 * Both sides' current records of some keys, paired with their base: the side that differs from
 * the base is the one that changed; a key neither side has, or whose source record cannot be
 * mapped, is listed instead.
 */
async function pairsOf(
  context: TwoWayContext,
  ports: CyclePorts,
  slice: readonly string[],
  lists: { failed: { key: string; reason: string }[]; missing: string[] },
): Promise<RecordPair[]> {
  const { flow, twoWay, signal } = context;
  const [sources, targets, open, synced] = await Promise.all([
    ports.source.readByKeys(flow.source, slice, signal),
    ports.target.readByKeys(twoWay.lookup, slice, signal),
    ports.state.getOpenConflicts(flow.name, slice),
    ports.state.getSynced(flow.name, slice),
  ]);
  const sourceByKey = new Map(sources.map((change) => [change.key, change]));
  const targetByKey = new Map(targets.map((change) => [change.key, change.row]));
  const pairs: RecordPair[] = [];
  for (const key of slice) {
    const change = sourceByKey.get(key);
    const targetRow = targetByKey.get(key);
    if (change === undefined && targetRow === undefined) {
      lists.missing.push(key);
      continue;
    }
    const mapped = change === undefined ? undefined : mapSource(context, change);
    if (mapped !== undefined && !mapped.ok) {
      lists.failed.push({ key, reason: mapped.letter.reason });
      continue;
    }
    const source = mapped?.version;
    const target = targetRow === undefined ? undefined : targetVersion(context, targetRow);
    const base = synced.get(key)?.base;
    const onlyTargetChanged =
      target !== undefined &&
      base !== undefined &&
      !context.comparison.isEqual(target.canonical, base) &&
      (source === undefined || context.comparison.isEqual(source.canonical, base));
    pairs.push({
      key,
      keyValue: change?.row[flow.source.key] ?? targetRow?.[flow.target.key] ?? key,
      source,
      target,
      base,
      parked: open.get(key),
      changed: onlyTargetChanged ? 'target' : 'source',
    });
  }
  return pairs;
}
