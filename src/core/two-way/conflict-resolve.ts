import type { CyclePorts } from '../cycle-ports.js';
import { SyncError } from '../errors.js';
import type { Flow } from '../flow.js';
import { withManualRun } from '../manual-run.js';
import type { RunCounts } from '../state-store.js';
import { resolveConflict, type Resolution } from './conflict-resolution.js';
import type { RecordPair } from './record-pairs.js';
import { settlePairs } from './record-pairs.js';
import { mapSource, targetVersion } from './two-way-passes.js';
import { twoWayContext } from './two-way-cycle.js';

/** Which version an operator takes: one side's whole record, or a field-by-field merge. */
export type ConflictChoice = 'source' | 'target' | 'merge';

/** What resolving wrote. */
export interface ConflictResolveResult {
  readonly counts: RunCounts;
  /** Dead letters the write produced (a side refused the record), with reasons. */
  readonly failures: readonly string[];
  /** The fields that differed when it was resolved. */
  readonly fields: readonly string[];
}

function mergeDecision(
  flow: Flow,
  pair: RecordPair,
  choice: ConflictChoice,
  context: Parameters<typeof resolveConflict>[4],
): Resolution {
  const { source, target } = pair;
  if (source === undefined || target === undefined) throw new Error('both versions are needed');
  if (choice !== 'merge') {
    const record = choice === 'source' ? source.values : target.values;
    return {
      action: 'write',
      record,
      toTarget: choice === 'source',
      toSource: choice === 'target',
      winner: choice,
    };
  }
  const policy = flow.twoWay?.conflict;
  const owners = policy?.mode === 'fields' ? policy.owners : new Map();
  const resolution = resolveConflict(
    { mode: 'fields', owners, otherwise: 'manual' },
    pair.base,
    source,
    target,
    context,
  );
  if (resolution.action === 'park')
    throw new SyncError(
      'CONFLICT_UNRESOLVED',
      `Flow "${flow.name}", key ${pair.key}: ${resolution.reason.replace(' (conflict.otherwise: manual)', '')}; choose --take source or --take target, or give those fields an owner under conflict.fields`,
      { flow: flow.name, key: pair.key },
    );
  return resolution;
}

/**
 * Settles a parked conflict as an operator chose: reads both sides' current records, writes the
 * chosen one (or the merge) to the side(s) that differ, through the normal validated write, and
 * marks the conflict resolved with who did it — all under the flow's lease.
 */
export async function resolveParkedConflict(
  flow: Flow,
  ports: CyclePorts,
  key: string,
  choice: ConflictChoice,
  by: string,
  signal: AbortSignal,
): Promise<ConflictResolveResult> {
  if (flow.twoWay === undefined)
    throw new SyncError(
      'FLOW_NOT_TWO_WAY',
      `Flow "${flow.name}" syncs one way; it has no conflicts to resolve`,
      {
        flow: flow.name,
      },
    );
  const parked = (await ports.state.getOpenConflicts(flow.name, [key])).get(key);
  if (parked === undefined)
    throw new SyncError(
      'CONFLICT_NOT_FOUND',
      `Flow "${flow.name}" has no open conflict for key ${key}; see syncline conflicts list --flow ${flow.name}`,
      { flow: flow.name, key },
    );
  const { lookup } = flow.twoWay;
  const run = await withManualRun(
    flow.name,
    ports,
    { trigger: 'resync', signal, what: 'conflict resolution' },
    async (counts, fence) => {
      const log = ports.logger.child({ flow: flow.name });
      const context = await twoWayContext(flow, ports, signal, log);
      const [sourceChange] = await ports.source.readByKeys(flow.source, [key], signal);
      const [targetChange] = await ports.target.readByKeys(lookup, [key], signal);
      const mapped = sourceChange === undefined ? undefined : mapSource(context, sourceChange);
      if (mapped !== undefined && !mapped.ok)
        throw new SyncError(
          'VALIDATION_FAILED',
          `Flow "${flow.name}", key ${key}: the source record ${mapped.letter.reason}`,
          {
            flow: flow.name,
            key,
          },
        );
      const source = mapped?.version;
      const target = targetChange === undefined ? undefined : targetVersion(context, targetChange.row);
      if (source === undefined || target === undefined)
        throw new SyncError(
          'RECORD_NOT_FOUND',
          `Flow "${flow.name}", key ${key}: the record no longer exists at the ${source === undefined ? 'source' : 'target'}; resync or reconcile it instead`,
          { flow: flow.name, key },
        );
      const base = (await ports.state.getSynced(flow.name, [key])).get(key)?.base;
      const pair: RecordPair = {
        key,
        keyValue: sourceChange?.row[flow.source.key] ?? key,
        source,
        target,
        base,
        parked,
        changed: 'source',
      };
      const commit = await settlePairs(context, [pair], counts, (candidate) =>
        mergeDecision(flow, candidate, choice, context.comparison),
      );
      const isWritten = commit.synced.some((record) => record.key === key);
      await ports.state.commitBatch(fence, {
        ...commit,
        conflicts: [],
        resolvedConflicts: isWritten ? [{ key, resolution: choice, by }] : [],
      });
      return {
        value: {
          counts,
          failures: commit.deadLetters.map((letter) => letter.reason),
          fields: context.comparison.diff(source.canonical, target.canonical),
        },
        status: isWritten ? 'succeeded' : 'failed',
      };
    },
  );
  return run.value;
}
