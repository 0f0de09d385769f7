import { validationLetter, type MutableCounts } from '../batch-handler.js';
import type { Change, TargetRecord } from '../connector.js';
import { mapChange } from '../mapping.js';
import type { BatchCommit, DeadLetterInput, StateStore, SyncedRecord } from '../state-store.js';
import { writeIsolatingFailures } from '../batch-writer.js';
import { validateRecord } from '../validation.js';
import { pickColumns, valueText, type Row } from '../values.js';
import type { Version } from './conflict-resolution.js';
import { settlePairs, type RecordPair, type SourceVersion, type TwoWayContext } from './record-pairs.js';

/** The source's side of a change, mapped to target columns and validated; or why it cannot be. */
export type MappedSource =
  | { readonly ok: true; readonly version: SourceVersion | undefined }
  | { readonly ok: false; readonly letter: DeadLetterInput };

/** Maps and validates a source change into its version in target columns. */
export function mapSource(context: TwoWayContext, change: Change): MappedSource {
  const { flow } = context;
  const mapped = mapChange(flow.mapping, change);
  const letter = (field: string, reason: string): MappedSource => ({
    ok: false,
    letter: validationLetter(flow.name, change, field, reason),
  });
  if (!mapped.ok) return letter(mapped.field, mapped.reason);
  // A delete the target ignores, or a hard delete: the two-way pairing starts from upserts only.
  if (mapped.record === undefined || mapped.record.op !== 'upsert') return { ok: true, version: undefined };
  const failure = validateRecord(flow.rules, mapped.record.values);
  if (failure !== undefined) return letter(failure.field, `${failure.field} ${failure.reason}`);
  const values = mapped.record.values;
  return {
    ok: true,
    version: {
      values,
      canonical: context.comparison.canonical(values),
      cursor: flow.source.cursor === undefined ? undefined : change.row[flow.source.cursor],
      cursorZone: context.source.wallClockZone,
      row: change.row,
    },
  };
}

/** A target row's version: the flow's target columns, canonical, with its cursor. */
export function targetVersion(context: TwoWayContext, row: Row): Version {
  const values = pickColumns(row, context.flow.target.columns);
  const id = context.flow.targetId === undefined ? undefined : row[context.flow.targetId];
  return {
    values,
    canonical: context.comparison.canonical(values),
    cursor: row[context.twoWay.targetCursor],
    cursorZone: context.target.wallClockZone,
    ...(id === null || id === undefined ? {} : { id: valueText(id) }),
  };
}

/**
 * A batch of source changes: each one is compared with the key's base (an echo of Syncline's own
 * write back to the source equals it and is skipped), and the changed ones are paired with the
 * target's current row.
 */
export async function forwardBatch(
  context: TwoWayContext,
  state: StateStore,
  changes: readonly Change[],
  counts: MutableCounts,
): Promise<Omit<BatchCommit, 'checkpoint'>> {
  const { flow, comparison } = context;
  counts.read += changes.length;
  const letters: DeadLetterInput[] = [];
  const versions = new Map<string, { change: Change; version: SourceVersion }>();
  const deletes: Change[] = [];
  for (const change of changes) {
    const mapped = mapSource(context, change);
    if (!mapped.ok) letters.push(mapped.letter);
    else if (mapped.version !== undefined) versions.set(change.key, { change, version: mapped.version });
    else if (change.op === 'delete' && flow.target.onDelete.mode === 'hard') deletes.push(change);
    else counts.unchanged += 1;
  }
  counts.quarantined += letters.length;
  const keys = [...versions.keys()];
  const [synced, parked] = await Promise.all([
    state.getSynced(flow.name, keys),
    state.getOpenConflicts(flow.name, keys),
  ]);
  const changedKeys = keys.filter((key) => {
    const base = synced.get(key)?.base;
    const version = versions.get(key)?.version;
    return (
      parked.has(key) ||
      base === undefined ||
      version === undefined ||
      !comparison.isEqual(version.canonical, base)
    );
  });
  counts.unchanged += keys.length - changedKeys.length;
  const targets = new Map<string, Row>();
  if (changedKeys.length > 0) {
    for (const change of await context.target.readByKeys(context.twoWay.lookup, changedKeys, context.signal))
      targets.set(change.key, change.row);
  }
  const pairs: RecordPair[] = changedKeys.map((key) => {
    const entry = versions.get(key);
    const targetRow = targets.get(key);
    return {
      key,
      keyValue: entry?.change.row[flow.source.key] ?? key,
      source: entry?.version,
      target: targetRow === undefined ? undefined : targetVersion(context, targetRow),
      base: synced.get(key)?.base,
      parked: parked.get(key),
      changed: 'source',
    };
  });
  const commit = await settlePairs(context, pairs, counts);
  const deleted = await deleteAtTarget(context, state, deletes, counts);
  return {
    ...commit,
    synced: [...commit.synced, ...deleted.synced],
    resolvedKeys: [...commit.resolvedKeys, ...deleted.synced.map((record) => record.key)],
    deadLetters: [...letters, ...commit.deadLetters, ...deleted.deadLetters],
  };
}

/**
 * Source records soft-deleted under `onDelete: hard`: deleted at the target once (a key already
 * deleted is skipped, so the lookback does not delete again), with the base cleared so a record
 * that comes back is written again.
 */
async function deleteAtTarget(
  context: TwoWayContext,
  state: StateStore,
  deletes: readonly Change[],
  counts: MutableCounts,
): Promise<{ synced: SyncedRecord[]; deadLetters: DeadLetterInput[] }> {
  const { flow } = context;
  if (deletes.length === 0) return { synced: [], deadLetters: [] };
  const known = await state.getSynced(
    flow.name,
    deletes.map((change) => change.key),
  );
  const pending = deletes.filter((change) => known.get(change.key)?.deleted !== true);
  counts.unchanged += deletes.length - pending.length;
  const records: TargetRecord[] = pending.map((change) => ({
    key: change.key,
    op: 'delete',
    values: { [flow.target.key]: change.row[flow.source.key] ?? change.key },
  }));
  const outcome = await writeIsolatingFailures(
    context.target,
    flow.target,
    records,
    context.policy,
    context.signal,
    context.observe,
  );
  counts.written += outcome.written.length;
  counts.deleted += outcome.written.length;
  counts.failed += outcome.rejected.length;
  return {
    synced: outcome.written.map((record) => ({
      key: record.key,
      targetKey: valueText(record.values[flow.target.key]),
      hash: '',
      deleted: true,
      base: {},
    })),
    deadLetters: outcome.rejected.map(({ record, error }) => ({
      flow: flow.name,
      key: record.key,
      kind: 'write',
      code: error.code,
      reason: error.message,
      payload: deletes.find((change) => change.key === record.key)?.row ?? record.values,
    })),
  };
}

/**
 * A batch of target changes (read through the reverse reader): rows whose target key is empty
 * were made in the target and are not linked to a source record; the others are compared with
 * their base (Syncline's own writes equal it) and the changed ones paired with the source's row.
 */
export async function reverseBatch(
  context: TwoWayContext,
  state: StateStore,
  changes: readonly Change[],
  counts: MutableCounts,
): Promise<Omit<BatchCommit, 'checkpoint'> & { unlinked: number }> {
  const { flow, comparison } = context;
  counts.read += changes.length;
  const byLink = new Map<string, { row: Row; version: Version }>();
  let unlinked = 0;
  for (const change of changes) {
    const link = change.row[flow.target.key];
    if (link === null || link === undefined || link === '') {
      unlinked += 1;
      continue;
    }
    byLink.set(valueText(link), { row: change.row, version: targetVersion(context, change.row) });
  }
  counts.unchanged += unlinked;
  const keys = [...byLink.keys()];
  const [synced, parked] = await Promise.all([
    state.getSynced(flow.name, keys),
    state.getOpenConflicts(flow.name, keys),
  ]);
  const changedKeys = keys.filter((key) => {
    const base = synced.get(key)?.base;
    const entry = byLink.get(key);
    return (
      parked.has(key) ||
      base === undefined ||
      entry === undefined ||
      !comparison.isEqual(entry.version.canonical, base)
    );
  });
  counts.unchanged += keys.length - changedKeys.length;
  const letters: DeadLetterInput[] = [];
  const sources = new Map<string, { change: Change; version: SourceVersion | undefined }>();
  if (changedKeys.length > 0) {
    for (const change of await context.source.readByKeys(flow.source, changedKeys, context.signal)) {
      const mapped = mapSource(context, change);
      if (mapped.ok) sources.set(change.key, { change, version: mapped.version });
      else letters.push(mapped.letter);
    }
  }
  counts.quarantined += letters.length;
  const pairs: RecordPair[] = changedKeys.map((key) => {
    const source = sources.get(key);
    return {
      key,
      keyValue: source?.change.row[flow.source.key] ?? byLink.get(key)?.row[flow.target.key] ?? key,
      source: source?.version,
      target: byLink.get(key)?.version,
      base: synced.get(key)?.base,
      parked: parked.get(key),
      changed: 'target',
    };
  });
  const commit = await settlePairs(context, pairs, counts);
  return { ...commit, deadLetters: [...letters, ...commit.deadLetters], unlinked };
}
