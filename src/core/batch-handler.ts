import type { RetryPolicy } from 'cockatiel';
import type { Change, Connector, TargetRecord } from './connector.js';
import { contentHash } from './content-hash.js';
import type { Flow } from './flow.js';
import { mapChange } from './mapping.js';
import type { BatchCommit, DeadLetterInput, RunCounts, StateStore, SyncedRecord } from './state-store.js';
import { validateRecord } from './validation.js';
import { valueText } from './values.js';
import { writeIsolatingFailures, type WriteObserver } from './batch-writer.js';

/** Mutable counts of a cycle. */
export type MutableCounts = { -readonly [K in keyof RunCounts]: RunCounts[K] };

export function emptyCounts(): MutableCounts {
  return { read: 0, written: 0, unchanged: 0, quarantined: 0, failed: 0, deleted: 0 };
}

/** What handling a batch needs. */
export interface BatchContext {
  readonly flow: Flow;
  readonly target: Connector;
  readonly state: StateStore;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  /** Write even when the content hash equals the last synced one (manual resync). */
  readonly force: boolean;
  /** Told about every write attempt (latency, outcome), for the target's health. */
  readonly observe?: WriteObserver;
}

/** A batch mapped, validated and compared with the key map, ready to write. */
export interface PreparedBatch {
  readonly toWrite: readonly { readonly record: TargetRecord; readonly hash: string }[];
  readonly deadLetters: readonly DeadLetterInput[];
  readonly rowsByKey: ReadonlyMap<string, Change['row']>;
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

  for (const change of changes) {
    rowsByKey.set(change.key, change.row);
    const mapped = mapChange(flow.mapping, change);
    if (!mapped.ok) {
      deadLetters.push({
        flow: flow.name,
        key: change.key,
        field: mapped.field,
        kind: 'validation',
        code: 'VALIDATION_FAILED',
        reason: mapped.reason,
        payload: change.row,
      });
      continue;
    }
    if (mapped.record === undefined) {
      counts.unchanged += 1;
      continue;
    }
    if (mapped.record.op === 'upsert') {
      const failure = validateRecord(flow.rules, mapped.record.values);
      if (failure !== undefined) {
        deadLetters.push({
          flow: flow.name,
          key: change.key,
          field: failure.field,
          kind: 'validation',
          code: 'VALIDATION_FAILED',
          reason: `${failure.field} ${failure.reason}`,
          payload: change.row,
        });
        continue;
      }
    }
    candidates.push({ record: mapped.record, hash: contentHash(mapped.record, flow.target.columns) });
  }
  counts.quarantined += deadLetters.length;

  const synced = await context.state.getSynced(
    flow.name,
    candidates.map((candidate) => candidate.record.key),
  );
  const toWrite = context.force
    ? candidates
    : candidates.filter(
        // A record of the batch still being written counts as synced with its hash.
        (candidate) =>
          (inFlight?.get(candidate.record.key) ?? synced.get(candidate.record.key)?.hash) !== candidate.hash,
      );
  counts.unchanged += candidates.length - toWrite.length;
  return { toWrite, deadLetters, rowsByKey };
}

/** The second half: writes a prepared batch and returns what the state store must record. */
export async function writePrepared(
  context: BatchContext,
  prepared: PreparedBatch,
  counts: MutableCounts,
): Promise<Omit<BatchCommit, 'checkpoint'>> {
  const { flow } = context;
  const { toWrite, rowsByKey } = prepared;
  const deadLetters = [...prepared.deadLetters];

  const outcome = await writeIsolatingFailures(
    context.target,
    flow.target,
    toWrite.map((c) => c.record),
    context.policy,
    context.signal,
    context.observe,
  );
  const hashes = new Map(toWrite.map((candidate) => [candidate.record.key, candidate.hash]));
  const written: SyncedRecord[] = outcome.written.map((record) => ({
    key: record.key,
    targetKey: valueText(record.values[flow.target.key]),
    hash: hashes.get(record.key) ?? '',
    deleted:
      record.op === 'delete' ||
      (flow.target.onDelete.mode === 'soft' && record.values[flow.target.onDelete.column] === true),
  }));
  for (const { record, error } of outcome.rejected) {
    deadLetters.push({
      flow: flow.name,
      key: record.key,
      kind: 'write',
      code: error.code,
      reason: error.message,
      payload: rowsByKey.get(record.key) ?? record.values,
    });
  }
  counts.failed += outcome.rejected.length;
  counts.written += written.length;
  counts.deleted += written.filter((record) => record.deleted).length;
  return { synced: written, deadLetters, resolvedKeys: written.map((record) => record.key) };
}
