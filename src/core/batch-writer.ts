import type { RetryPolicy } from 'cockatiel';
import type { Connector, TargetRecord, TargetSpec } from './connector.js';
import { toSyncError, type SyncError } from './errors.js';
import { isRetryable } from './retry-policy.js';

/** A record the target refused, with the error that says why. */
export interface RejectedRecord {
  readonly record: TargetRecord;
  readonly error: SyncError;
}

/** The outcome of writing records: which were acknowledged, which were refused. */
export interface WriteOutcome {
  readonly written: readonly TargetRecord[];
  readonly rejected: readonly RejectedRecord[];
}

/**
 * Writes records as one batch, retrying retryable errors with the policy. When the target
 * refuses the batch for a reason that is not retryable, the batch is split in halves until the
 * record at fault is alone, so one bad record costs only itself (DESIGN invariant 4); every
 * other record is still written. Retryable errors that outlast the policy are thrown: the cycle
 * stops with its checkpoint where it was, and nothing is lost.
 */
export async function writeIsolatingFailures(
  target: Connector,
  spec: TargetSpec,
  records: readonly TargetRecord[],
  policy: RetryPolicy,
  signal: AbortSignal,
): Promise<WriteOutcome> {
  if (records.length === 0) return { written: [], rejected: [] };
  try {
    await policy.execute(() => target.writeBatch(spec, records, signal), signal);
    return { written: records, rejected: [] };
  } catch (error) {
    if (isRetryable(error) || signal.aborted) throw error;
    const [record] = records;
    if (records.length === 1 && record !== undefined) {
      return {
        written: [],
        rejected: [{ record, error: toSyncError(error, { flow: spec.flow, key: record.key }) }],
      };
    }
    const middle = Math.ceil(records.length / 2);
    const first = await writeIsolatingFailures(target, spec, records.slice(0, middle), policy, signal);
    const second = await writeIsolatingFailures(target, spec, records.slice(middle), policy, signal);
    return {
      written: [...first.written, ...second.written],
      rejected: [...first.rejected, ...second.rejected],
    };
  }
}
