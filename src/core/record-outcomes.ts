import type { RecordOutcome, TargetRecord, WriteResult } from './connector.js';
import { SyncError } from './errors.js';
import { valueText } from './values.js';

/** A record the target refused, with the error that says why. */
export interface RejectedRecord {
  readonly record: TargetRecord;
  readonly error: SyncError;
}

/** The outcome of writing records: which were acknowledged, which were refused. */
export interface WriteOutcome {
  readonly written: readonly TargetRecord[];
  readonly rejected: readonly RejectedRecord[];
  /**
   * The target's own id of written records, by record key, where the target reported one
   * (`RecordOutcome.id`): stored in the key map as the target id, with no read-back.
   */
  readonly targetIds: ReadonlyMap<string, string>;
}

/** The SyncError a refused outcome carries, rebuilt from its JSON. */
function refusalError(outcome: Extract<RecordOutcome, { status: 'refused' }>, flow: string): SyncError {
  const { error } = outcome;
  return new SyncError(error.code, error.message, {
    retryable: false,
    flow: error.flow ?? flow,
    key: error.key ?? outcome.key,
    ...(error.field === undefined ? {} : { field: error.field }),
  });
}

/**
 * Splits a batch by the per-record outcomes its target reported (`capabilities.recordOutcomes`):
 * refused records are rejected alone with the system's own message and field; created, updated,
 * unchanged, deleted and not-found ones count as written (not-found: an update or delete with
 * nothing to act on, as `WriteResult.notFound`). A record the target gave no outcome for is
 * rejected too, so it is not marked synced on a guess; its dead letter can be replayed safely
 * since writes are idempotent upserts.
 */
export function settleOutcomes(
  flow: string,
  records: readonly TargetRecord[],
  result: WriteResult,
): WriteOutcome {
  const byKey = new Map<string, RecordOutcome>();
  for (const outcome of result.outcomes ?? []) byKey.set(outcome.key, outcome);
  const written: TargetRecord[] = [];
  const rejected: RejectedRecord[] = [];
  const targetIds = new Map<string, string>();
  for (const record of records) {
    const outcome = byKey.get(record.key);
    if (outcome === undefined) {
      rejected.push({
        record,
        error: new SyncError(
          'INTERNAL',
          `the target reported no outcome for record "${record.key}" (a connector with recordOutcomes answers one per record); it may or may not be written, and a replay writes it again`,
          { flow, key: record.key },
        ),
      });
      continue;
    }
    if (outcome.status === 'refused') {
      rejected.push({ record, error: refusalError(outcome, flow) });
      continue;
    }
    written.push(record);
    if ('id' in outcome && outcome.id !== undefined) targetIds.set(record.key, valueText(outcome.id));
  }
  return { written, rejected, targetIds };
}
