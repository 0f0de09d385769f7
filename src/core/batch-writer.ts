import type { RetryPolicy } from 'cockatiel';
import type { Connector, TargetRecord, TargetSpec, WriteResult } from './connector.js';
import { settleOutcomes, type WriteOutcome } from './record-outcomes.js';
import { SyncError, toSyncError } from './errors.js';
import { isRetryable } from './retry-policy.js';

/**
 * Errors about the target as a whole, not about one record: splitting the batch cannot help, and
 * dead-lettering every record would hide the fault. They fail the cycle with the checkpoint kept.
 */
const TARGET_ERROR_CODES: ReadonlySet<string> = new Set([
  'CONNECTOR_TABLE_NOT_FOUND',
  'CONNECTOR_COLUMN_NOT_FOUND',
  'CONNECTOR_NO_UNIQUE_KEY',
  'CONNECTOR_AUTH_FAILED',
  'SCHEMA_MISMATCH',
  'CONFIG_INVALID',
]);

/** Whether an error is about the whole target (see TARGET_ERROR_CODES). */
export function isTargetError(error: unknown): boolean {
  return error instanceof SyncError && TARGET_ERROR_CODES.has(error.code);
}

/**
 * How a write attempt ended: `ok` — the target acknowledged it; `error` — the target was in
 * trouble (a retryable error: timeout, lock wait, deadlock, throttling, 5xx, connection lost), a
 * health signal; `refused` — the target answered and refused the records for a reason that is not
 * about its load (a CHECK or other constraint, a value it cannot take, a missing table): a data or
 * config problem, never counted as the target's health.
 */
export type WriteSampleOutcome = 'ok' | 'error' | 'refused';

/**
 * One write attempt as the runner saw it, for the cadence controller's health window: how long
 * the target took, and how it answered. Plain data, so it can cross processes.
 */
export interface WriteSample {
  /** When the attempt ended, epoch ms. */
  readonly at: number;
  /** From sending the records to the target's answer, ms. */
  readonly latencyMs: number;
  /** See {@link WriteSampleOutcome}: only `error` is target trouble. */
  readonly outcome: WriteSampleOutcome;
  /** Error code of a failed attempt (`CONNECTOR_DEADLOCK`, `CONNECTOR_THROTTLED`…). */
  readonly code?: string;
  /** Seconds the target asked us to wait, when it said so. */
  readonly retryAfterSeconds?: number;
  /** Records in the attempt. */
  readonly rows?: number;
}

/** Receives every write attempt; must not throw. */
export type WriteObserver = (sample: WriteSample) => void;

async function observedWrite(
  target: Connector,
  spec: TargetSpec,
  records: readonly TargetRecord[],
  signal: AbortSignal,
  observe: WriteObserver | undefined,
): Promise<WriteResult> {
  const started = performance.now();
  try {
    const result = await target.writeBatch(spec, records, signal);
    const at = Date.now();
    const latencyMs = performance.now() - started;
    const refused = (result.outcomes ?? []).flatMap((outcome) =>
      outcome.status === 'refused' ? [outcome] : [],
    );
    observe?.({ at, latencyMs, outcome: 'ok', rows: records.length - refused.length });
    // Records the target refused by outcome are about the data: heard, never counted as trouble.
    const [first] = refused;
    if (first !== undefined)
      observe?.({ at, latencyMs, outcome: 'refused', code: first.error.code, rows: refused.length });
    return result;
  } catch (error) {
    const syncError = toSyncError(error, { flow: spec.flow });
    observe?.({
      at: Date.now(),
      latencyMs: performance.now() - started,
      // A refusal of the records (what bisection then isolates) is about the data, not the target's
      // health: only errors worth retrying tell that the target is struggling.
      outcome: isRetryable(syncError) ? 'error' : 'refused',
      code: syncError.code,
      rows: records.length,
      ...(syncError.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: syncError.retryAfterSeconds }),
    });
    throw error;
  }
}

export type { RejectedRecord, WriteOutcome } from './record-outcomes.js';

const NO_IDS: ReadonlyMap<string, string> = new Map();

/**
 * Writes records as one batch, retrying retryable errors with the policy.
 *
 * A target with `capabilities.recordOutcomes` says what became of each record: one call's outcomes
 * decide (refused records are rejected alone, the others written, new ids kept), and the batch is
 * never split. A retryable error retries the whole batch (its upserts by key make a retry after a
 * partial write idempotent); any other thrown error is about the target and is thrown.
 *
 * Other targets write a batch all or nothing: when one refuses the batch for a reason that is not
 * retryable, the batch is split in halves until the record at fault is alone, so one bad record
 * costs only itself (DESIGN invariant 4); every other record is still written. Retryable errors
 * that outlast the policy, and errors about the whole target (a missing table or column, refused
 * credentials), are thrown: the cycle stops with its checkpoint where it was, and nothing is lost.
 *
 * `observe` hears every attempt: the halves the target refused as `refused` (a data problem, not
 * the target's health), the halves it wrote as `ok` with their latency, since the target did
 * write them and their latency is its own.
 */
export async function writeIsolatingFailures(
  target: Connector,
  spec: TargetSpec,
  records: readonly TargetRecord[],
  policy: RetryPolicy,
  signal: AbortSignal,
  observe?: WriteObserver,
): Promise<WriteOutcome> {
  if (records.length === 0) return { written: [], rejected: [], targetIds: NO_IDS };
  if (target.capabilities.recordOutcomes === true) {
    const result = await policy.execute(() => observedWrite(target, spec, records, signal, observe), signal);
    return settleOutcomes(spec.flow, records, result);
  }
  try {
    await policy.execute(() => observedWrite(target, spec, records, signal, observe), signal);
    return { written: records, rejected: [], targetIds: NO_IDS };
  } catch (error) {
    if (isRetryable(error) || isTargetError(error) || signal.aborted) throw error;
    const [record] = records;
    if (records.length === 1 && record !== undefined) {
      return {
        written: [],
        rejected: [{ record, error: toSyncError(error, { flow: spec.flow, key: record.key }) }],
        targetIds: NO_IDS,
      };
    }
    const middle = Math.ceil(records.length / 2);
    const first = await writeIsolatingFailures(
      target,
      spec,
      records.slice(0, middle),
      policy,
      signal,
      observe,
    );
    const second = await writeIsolatingFailures(target, spec, records.slice(middle), policy, signal, observe);
    return {
      written: [...first.written, ...second.written],
      rejected: [...first.rejected, ...second.rejected],
      targetIds: NO_IDS,
    };
  }
}
