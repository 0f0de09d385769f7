import type { RetryPolicy } from 'cockatiel';
import type { Change, Connector, TargetRecord } from './connector.js';
import { contentHash, sourceRowHash } from './content-hash.js';
import type { Flow } from './flow.js';
import { mapChange } from './mapping.js';
import type { BatchCommit, DeadLetterInput, RunCounts, StateStore, SyncedRecord } from './state-store.js';
import { validateRecord } from './validation.js';
import { validateLines } from './line-mapping.js';
import { valueText } from './values.js';
import { writeIsolatingFailures, type WriteObserver } from './batch-writer.js';
import { writeInBulk, type BulkPath } from './bulk-path.js';
import { translateReferences } from './references.js';
import { readBackAndWriteBack, readsBack } from './write-back.js';
import { applyRowFilter } from './row-filter.js';

/** Mutable counts of a cycle. */
export type MutableCounts = { -readonly [K in keyof RunCounts]: RunCounts[K] };

export function emptyCounts(): MutableCounts {
  return { read: 0, written: 0, unchanged: 0, quarantined: 0, failed: 0, deleted: 0 };
}

const COUNT_KEYS = Object.keys(emptyCounts()) as (keyof RunCounts)[];

/** Adds `more` into `into`, count by count. */
export function addCounts(into: MutableCounts, more: RunCounts): void {
  for (const key of COUNT_KEYS) into[key] += more[key];
}

/** What `now` counted beyond `before`, count by count. */
export function countsSince(now: RunCounts, before: RunCounts): RunCounts {
  const added = emptyCounts();
  for (const key of COUNT_KEYS) added[key] = now[key] - before[key];
  return added;
}

/** What handling a batch needs. */
export interface BatchContext {
  readonly flow: Flow;
  readonly target: Connector;
  /** The source, for writing target ids back (`writeBack`); without it nothing is written back. */
  readonly source?: Connector;
  readonly state: StateStore;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  /** Write even when the content hash equals the last synced one (manual resync). */
  readonly force: boolean;
  /** Told about every write attempt (latency, outcome), for the target's health. */
  readonly observe?: WriteObserver;
  /** The bulk path of this cycle (docs/backfill.md); without it every batch goes through `writeBatch`. */
  readonly bulk?: BulkPath;
}

/**
 * The context of a cycle's (or a backfill lane's) own batches: never forced, with the cycle's bulk
 * path and its write observer.
 */
export function cycleBatchContext(
  flow: Flow,
  ports: { readonly source: Connector; readonly target: Connector; readonly state: StateStore },
  run: {
    readonly policy: RetryPolicy;
    readonly signal: AbortSignal;
    readonly bulk: BulkPath;
    readonly observe: WriteObserver | undefined;
  },
): BatchContext {
  return {
    flow,
    target: ports.target,
    source: ports.source,
    state: ports.state,
    policy: run.policy,
    signal: run.signal,
    force: false,
    bulk: run.bulk,
    ...(run.observe === undefined ? {} : { observe: run.observe }),
  };
}

/** A batch mapped, validated and compared with the key map, ready to write. */
export interface PreparedBatch {
  readonly toWrite: readonly { readonly record: TargetRecord; readonly hash: string }[];
  /** The content hash of each record to write, by key (the hashes of `toWrite`). */
  readonly hashes: ReadonlyMap<string, string>;
  readonly deadLetters: readonly DeadLetterInput[];
  readonly rowsByKey: ReadonlyMap<string, Change['row']>;
  /** Keys whose target row is read back after the write (target id or write-back still unknown). */
  readonly readBackKeys: ReadonlySet<string>;
  /** Keys whose open dead letter closes without a write: the target already holds their record. */
  readonly resolvedKeys: readonly string[];
  /**
   * Every record to write is a plain upsert (no lines, nothing to read back) of a key the key map
   * has never synced and no batch in flight holds: the target should not have them (bulk path).
   */
  readonly isAllNew: boolean;
}

/**
 * Handles one batch of changes: map and validate (invalid → quarantine with its reason), skip
 * records whose content hash equals the last synced hash, write the rest idempotently, and return
 * what the state store must record once the target has acknowledged. Counts are added to `counts`.
 */
export async function handleChanges(
  context: BatchContext,
  changes: readonly Change[],
  counts: MutableCounts,
): Promise<Omit<BatchCommit, 'checkpoint'>> {
  return writePrepared(context, await prepareChanges(context, changes, counts), counts);
}

/**
 * The first half of handling a batch, CPU and state store only: map, validate, hash, and drop
 * records whose hash equals the last synced one. The cycle prepares the next batch while the
 * target is still writing the previous one.
 *
 * A record that failed before (an open dead letter of its key) and still hashes the same is the
 * record that failed: it is neither written nor dead-lettered again, and counts as unchanged, so a
 * row read again in every cycle's lookback costs one attempt and one dead letter, not one per
 * cycle. A changed record is tried again; `force` (resync, replay) always writes.
 */
export async function prepareChanges(
  context: BatchContext,
  changes: readonly Change[],
  counts: MutableCounts,
  inFlight?: ReadonlyMap<string, string>,
): Promise<PreparedBatch> {
  const { flow } = context;
  const deadLetters: DeadLetterInput[] = [];
  const candidates: { record: TargetRecord; hash: string }[] = [];
  const rowsByKey = new Map<string, Change['row']>();
  counts.read += changes.length;
  // Rows outside the flow's filter: nothing to write, so they count as unchanged.
  const scoped = await applyRowFilter(flow, context.state, changes);
  deadLetters.push(...scoped.deadLetters);
  counts.unchanged += scoped.skipped;
  // Open dead letters of the batch's keys, with the hash of the record that failed (none: a reference
  // letter, retried on its own schedule, or a letter kept before hashes were).
  const lettered = context.force
    ? new Map<string, string | undefined>()
    : await context.state.getOpenDeadLetterHashes(
        flow.name,
        scoped.changes.map((change) => change.key),
      );
  /** Whether this is the record an open dead letter already holds (same content hash). */
  const isLettered = (key: string, hash: string): boolean => lettered.get(key) === hash;

  const mapped: TargetRecord[] = [];
  for (const change of scoped.changes) {
    rowsByKey.set(change.key, change.row);
    const result = mapChange(flow.mapping, change);
    if (!result.ok) {
      const hash = sourceRowHash(change.key, change.row, change.lines);
      if (isLettered(change.key, hash)) counts.unchanged += 1;
      else deadLetters.push(validationLetter(flow.name, change, result.field, result.reason, hash));
      continue;
    }
    if (result.record === undefined) {
      counts.unchanged += 1;
      continue;
    }
    mapped.push(result.record);
  }
  const references = await translateReferences(flow, context.state, mapped, rowsByKey);
  deadLetters.push(...references.waiting);
  for (const record of references.records) {
    const hash = contentHash(record, flow.target.columns, flow.target.lines);
    if (record.op === 'upsert') {
      const failure = validateRecord(flow.rules, record.values) ?? validateLines(flow.lines, record.lines);
      if (failure !== undefined) {
        const change = { key: record.key, row: rowsByKey.get(record.key) ?? record.values };
        if (isLettered(record.key, hash)) counts.unchanged += 1;
        else
          deadLetters.push(
            validationLetter(flow.name, change, failure.field, `${failure.field} ${failure.reason}`, hash),
          );
        continue;
      }
    }
    candidates.push({ record, hash });
  }
  counts.quarantined += deadLetters.length;

  const synced = await context.state.getSynced(
    flow.name,
    candidates.map((candidate) => candidate.record.key),
  );
  const toWrite: { record: TargetRecord; hash: string }[] = [];
  const hashes = new Map<string, string>();
  const resolvedKeys: string[] = [];
  for (const candidate of candidates) {
    const { key } = candidate.record;
    // A record of the batch still being written counts as synced with its hash.
    const inFlightHash = inFlight?.get(key);
    if (!context.force && (inFlightHash ?? synced.get(key)?.hash) === candidate.hash) {
      // Back to what the target holds (a refused change was undone at the source): its letter closes.
      if (lettered.has(key) && inFlightHash === undefined) resolvedKeys.push(key);
      continue;
    }
    if (isLettered(key, candidate.hash)) continue;
    toWrite.push(candidate);
    hashes.set(key, candidate.hash);
  }
  counts.unchanged += candidates.length - toWrite.length;
  const readBackKeys = new Set<string>();
  if (readsBack(flow)) {
    for (const { record } of toWrite) {
      const row = rowsByKey.get(record.key) ?? {};
      const needsId = flow.targetId !== undefined && synced.get(record.key)?.targetId === undefined;
      const needsWriteBack = flow.writeBack.some(
        (pair) => row[pair.source] === null || row[pair.source] === '',
      );
      if (needsId || needsWriteBack) readBackKeys.add(record.key);
    }
  }
  const isAllNew =
    !context.force &&
    readBackKeys.size === 0 &&
    toWrite.every(
      ({ record }) =>
        record.op === 'upsert' &&
        record.lines === undefined &&
        synced.get(record.key) === undefined &&
        inFlight?.get(record.key) === undefined,
    );
  return { toWrite, hashes, deadLetters, rowsByKey, readBackKeys, resolvedKeys, isAllNew };
}

/**
 * A dead letter of a record that broke a mapping or validation rule; `hash` is the content hash of
 * what failed (see DeadLetterInput.hash).
 */
export function validationLetter(
  flow: string,
  change: { readonly key: string; readonly row: Change['row'] },
  field: string,
  reason: string,
  hash?: string,
): DeadLetterInput {
  return {
    flow,
    key: change.key,
    field,
    kind: 'validation',
    code: 'VALIDATION_FAILED',
    reason,
    payload: change.row,
    ...(hash === undefined ? {} : { hash }),
  };
}

/** The second half: writes a prepared batch and returns what the state store must record. */
export async function writePrepared(
  context: BatchContext,
  prepared: PreparedBatch,
  counts: MutableCounts,
): Promise<Omit<BatchCommit, 'checkpoint'>> {
  const { flow } = context;
  const { toWrite, rowsByKey, hashes } = prepared;
  const deadLetters = [...prepared.deadLetters];

  const records = toWrite.map((entry) => entry.record);
  const outcome =
    (await writeInBulk(context, prepared, records)) ??
    (await writeIsolatingFailures(
      context.target,
      flow.target,
      records,
      context.policy,
      context.signal,
      context.observe,
    ));
  // Ids the target reported with its outcomes need no read-back; write-back still reads the row.
  let targetIds = outcome.targetIds;
  const readBack =
    prepared.readBackKeys.size === 0
      ? []
      : outcome.written.filter(
          (record) =>
            prepared.readBackKeys.has(record.key) &&
            (!targetIds.has(record.key) || flow.writeBack.length > 0),
        );
  if (readBack.length > 0 && context.source !== undefined) {
    const result = await readBackAndWriteBack(
      flow,
      { source: context.source, target: context.target },
      readBack,
      rowsByKey,
      context.policy,
      context.signal,
    );
    const merged = new Map(targetIds);
    for (const [key, id] of result.targetIds) if (!merged.has(key)) merged.set(key, id);
    targetIds = merged;
    deadLetters.push(...result.deadLetters);
  }
  const { onDelete } = flow.target;
  const softDeleteColumn = onDelete.mode === 'soft' ? onDelete.column : undefined;
  const written: SyncedRecord[] = [];
  // A record written closes its open dead letter by itself (marked replayed), in the same commit.
  const resolvedKeys: string[] = [];
  let deleted = 0;
  for (const record of outcome.written) {
    const isDeleted =
      record.op === 'delete' || (softDeleteColumn !== undefined && record.values[softDeleteColumn] === true);
    const synced: { -readonly [K in keyof SyncedRecord]: SyncedRecord[K] } = {
      key: record.key,
      targetKey: valueText(record.values[flow.target.key]),
      hash: hashes.get(record.key) ?? '',
      deleted: isDeleted,
    };
    const targetId = targetIds.get(record.key);
    if (targetId !== undefined) synced.targetId = targetId;
    written.push(synced);
    resolvedKeys.push(record.key);
    if (isDeleted) deleted += 1;
  }
  for (const key of prepared.resolvedKeys) resolvedKeys.push(key);
  for (const { record, error } of outcome.rejected) {
    const hash = hashes.get(record.key);
    deadLetters.push({
      flow: flow.name,
      key: record.key,
      ...(error.field === undefined ? {} : { field: error.field }),
      kind: 'write',
      code: error.code,
      reason: error.message,
      payload: rowsByKey.get(record.key) ?? record.values,
      ...(hash === undefined ? {} : { hash }),
    });
  }
  counts.failed += outcome.rejected.length;
  counts.written += written.length;
  counts.deleted += deleted;
  return { synced: written, deadLetters, resolvedKeys };
}
