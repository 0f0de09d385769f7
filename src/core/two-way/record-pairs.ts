import { hash } from 'node:crypto';
import type { RetryPolicy } from 'cockatiel';
import type { MutableCounts } from '../batch-handler.js';
import { writeIsolatingFailures, type WriteObserver } from '../batch-writer.js';
import { readBackAndWriteBack, readsBack } from '../write-back.js';
import type { Connector, TargetRecord } from '../connector.js';
import type { Flow } from '../flow.js';
import type { Logger } from '../logger.js';
import type {
  BatchCommit,
  CanonicalRecord,
  Conflict,
  ConflictInput,
  ConflictResolution,
  DeadLetterInput,
  SyncedRecord,
} from '../state-store.js';
import { validateRecord } from '../validation.js';
import { pickColumns, valueText, type Row, type Value } from '../values.js';
import { resolveConflict, type Resolution, type Version } from './conflict-resolution.js';
import type { RecordComparison } from './record-comparison.js';
import { mapToSource, type ReverseContext } from './reverse-mapping.js';
import type { TwoWaySpec } from './two-way-flow.js';

/** Everything settling records of a two-way flow needs. */
export interface TwoWayContext {
  readonly flow: Flow;
  readonly twoWay: TwoWaySpec;
  readonly source: Connector;
  readonly target: Connector;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly observe?: WriteObserver;
  readonly comparison: RecordComparison;
  readonly reverse: ReverseContext;
  readonly log: Logger;
}

/** A source version, with the row as read for dead-letter payloads. */
export interface SourceVersion extends Version {
  readonly row: Row;
}

/** One record of a two-way flow, with what each side holds now and what they last agreed on. */
export interface RecordPair {
  /** The source key, as text. */
  readonly key: string;
  /** The source key's value, written into the target key column and used to update the source. */
  readonly keyValue: Value;
  readonly source: SourceVersion | undefined;
  readonly target: Version | undefined;
  readonly base: CanonicalRecord | undefined;
  /** An open conflict of the key: the record stays parked until an operator resolves it. */
  readonly parked: Conflict | undefined;
  /** Which side's change brought the record here. */
  readonly changed: 'source' | 'target';
}

/** Hash of a canonical record, stored as the key map's hash of two-way flows. */
export function canonicalHash(record: CanonicalRecord): string {
  return hash('sha1', JSON.stringify(record), 'base64url');
}

/** What to do with one pair, before anything is written. */
function decide(context: TwoWayContext, pair: RecordPair): Resolution | 'skip' {
  const { comparison } = context;
  const { source, target, base } = pair;
  if (pair.changed === 'source') {
    if (source === undefined) return 'skip';
    if (target === undefined)
      return { action: 'write', record: source.values, toTarget: true, toSource: false, winner: 'source' };
  } else {
    if (target === undefined || source === undefined) return 'skip';
  }
  if (comparison.isEqual(source.canonical, target.canonical)) return { action: 'agree' };
  const other = pair.changed === 'source' ? target : source;
  if (base !== undefined && comparison.isEqual(other.canonical, base)) {
    return pair.changed === 'source'
      ? { action: 'write', record: source.values, toTarget: true, toSource: false, winner: 'source' }
      : { action: 'write', record: target.values, toTarget: false, toSource: true, winner: 'target' };
  }
  return resolveConflict(context.twoWay.conflict, base, source, target, comparison);
}

function conflictOf(context: TwoWayContext, pair: RecordPair, fields: readonly string[], reason: string) {
  return {
    flow: context.flow.name,
    key: pair.key,
    base: pair.base,
    source: pair.source?.values ?? {},
    target: pair.target?.values ?? {},
    fields,
    reason,
  } satisfies ConflictInput;
}

/**
 * Settles pairs: records already equal become the new base, one-sided changes are written to the
 * other side, conflicts follow the flow's policy (or are parked), and every write goes through
 * the target's (or source's) normal batch write with failure isolation. Returns what the state
 * store must record; counts are added to `counts`.
 */
export async function settlePairs(
  context: TwoWayContext,
  pairs: readonly RecordPair[],
  counts: MutableCounts,
  /** Decides instead of the flow's rules and ignores parking (an operator resolving a conflict). */
  override?: (pair: RecordPair) => Resolution,
): Promise<Omit<BatchCommit, 'checkpoint'>> {
  const { flow, comparison } = context;
  const conflicts: ConflictInput[] = [];
  const deadLetters: DeadLetterInput[] = [];
  const synced: SyncedRecord[] = [];
  const toTarget: TargetRecord[] = [];
  const toSource: TargetRecord[] = [];
  const settled = new Map<string, { pair: RecordPair; record: Row }>();
  const closed: ConflictResolution[] = [];
  for (const pair of pairs) {
    if (pair.parked !== undefined && override === undefined) {
      if (
        pair.source !== undefined &&
        pair.target !== undefined &&
        comparison.isEqual(pair.source.canonical, pair.target.canonical)
      ) {
        // Both sides came to hold the same record (edited by hand on one side): nothing left to decide.
        synced.push(syncedOf(context, pair, pair.source.canonical));
        closed.push({ key: pair.key, resolution: 'agree', by: 'sync' });
      } else {
        conflicts.push(conflictOf(context, pair, pair.parked.fields, pair.parked.reason));
      }
      counts.unchanged += 1;
      continue;
    }
    const decision = override === undefined ? decide(context, pair) : override(pair);
    if (decision === 'skip') {
      counts.unchanged += 1;
      continue;
    }
    if (decision.action === 'agree') {
      const record = (pair.source ?? pair.target)?.values ?? {};
      synced.push(syncedOf(context, pair, comparison.canonical(record)));
      counts.unchanged += 1;
      continue;
    }
    if (decision.action === 'park') {
      conflicts.push(conflictOf(context, pair, decision.fields, decision.reason));
      context.log.warn(`record ${pair.key} parked as a conflict: ${decision.reason}`, { key: pair.key });
      continue;
    }
    const record: Row = { ...decision.record, [flow.target.key]: pair.keyValue };
    if (decision.toSource) {
      // A target value is held to the flow's rules before it reaches the source, as a source value is before it reaches the target.
      const failure = validateRecord(flow.rules, record);
      if (failure !== undefined) {
        deadLetters.push(
          letterOf(
            context,
            pair,
            'validation',
            'VALIDATION_FAILED',
            `${failure.field} ${failure.reason}`,
            failure.field,
          ),
        );
        counts.quarantined += 1;
        continue;
      }
    }
    if (decision.toTarget)
      toTarget.push({ key: pair.key, op: 'upsert', values: pickColumns(record, flow.target.columns) });
    if (decision.toSource) {
      const mapped = mapToSource(context.reverse, pair.key, pair.keyValue, record);
      if (!mapped.ok) {
        deadLetters.push(
          letterOf(context, pair, 'validation', 'VALIDATION_FAILED', mapped.reason, mapped.field),
        );
        counts.quarantined += 1;
        continue;
      }
      toSource.push(mapped.record);
    }
    settled.set(pair.key, { pair, record });
  }
  const failedKeys = new Set<string>();
  /** Ids the target reported with its outcomes (`capabilities.recordOutcomes`). */
  const reportedIds = new Map<string, string>();
  for (const [connector, spec, records] of [
    [context.target, flow.target, toTarget],
    [context.source, context.twoWay.writer, toSource],
  ] as const) {
    const outcome = await writeIsolatingFailures(
      connector,
      spec,
      records,
      context.policy,
      context.signal,
      connector === context.target ? context.observe : undefined,
    );
    if (connector === context.target) for (const [key, id] of outcome.targetIds) reportedIds.set(key, id);
    for (const { record, error } of outcome.rejected) {
      failedKeys.add(record.key);
      const pair = settled.get(record.key)?.pair;
      if (pair !== undefined) deadLetters.push(letterOf(context, pair, 'write', error.code, error.message));
    }
  }
  const targetIds = await readBackInserted(context, toTarget, settled, failedKeys, deadLetters);
  for (const [key, { pair, record }] of settled) {
    if (failedKeys.has(key)) continue;
    synced.push(
      syncedOf(context, pair, comparison.canonical(record), reportedIds.get(key) ?? targetIds.get(key)),
    );
    counts.written += 1;
  }
  counts.failed += failedKeys.size;
  if (override !== undefined) {
    // An operator's or a repair's decision settles whatever conflict the key had.
    const written = new Set(synced.map((record) => record.key));
    for (const pair of pairs)
      if (pair.parked !== undefined && written.has(pair.key))
        closed.push({ key: pair.key, resolution: 'repair', by: 'reconcile' });
  }
  return {
    synced,
    deadLetters,
    resolvedKeys: synced.map((record) => record.key),
    conflicts,
    resolvedConflicts: closed,
  };
}

function syncedOf(
  context: TwoWayContext,
  pair: RecordPair,
  base: CanonicalRecord,
  insertedId?: string,
): SyncedRecord {
  const soft = context.flow.target.onDelete;
  const targetId = insertedId ?? pair.target?.id;
  return {
    key: pair.key,
    targetKey: valueText(pair.keyValue),
    hash: canonicalHash(base),
    deleted: soft.mode === 'soft' && base[soft.column] === '1',
    base,
    ...(targetId === undefined ? {} : { targetId }),
  };
}

/**
 * Records the target had no row for were inserted: reads back the id the target gave them
 * (`target.id`) and writes `writeBack` columns to the source, as one-way flows do.
 */
async function readBackInserted(
  context: TwoWayContext,
  written: readonly TargetRecord[],
  settled: ReadonlyMap<string, { pair: RecordPair }>,
  failedKeys: ReadonlySet<string>,
  deadLetters: DeadLetterInput[],
): Promise<ReadonlyMap<string, string>> {
  if (!readsBack(context.flow)) return new Map();
  const inserted = written.filter(
    (record) => !failedKeys.has(record.key) && settled.get(record.key)?.pair.target === undefined,
  );
  if (inserted.length === 0) return new Map();
  const sourceRows = new Map(
    inserted.map((record) => [record.key, settled.get(record.key)?.pair.source?.row ?? {}]),
  );
  const result = await readBackAndWriteBack(
    context.flow,
    { source: context.source, target: context.target },
    inserted,
    sourceRows,
    context.policy,
    context.signal,
  );
  deadLetters.push(...result.deadLetters);
  return result.targetIds;
}

function letterOf(
  context: TwoWayContext,
  pair: RecordPair,
  kind: 'validation' | 'write',
  code: string,
  reason: string,
  field?: string,
): DeadLetterInput {
  return {
    flow: context.flow.name,
    key: pair.key,
    kind,
    code,
    reason: pair.changed === 'target' ? `back to the source: ${reason}` : reason,
    payload: (pair.changed === 'target' ? pair.target?.values : pair.source?.row) ?? {},
    ...(field === undefined ? {} : { field }),
  };
}
