import type { Connector, TargetRecord, TargetSpec } from './connector.js';
import type { WriteObserver, WriteOutcome } from './batch-writer.js';

// The bulk path of an initial load (docs/backfill.md): batches of records new to the key map go
// through the target's bulk loader (`Connector.bulkInsert`), and back to `writeBatch` when refused.

/**
 * Whether a cycle still tries the target's bulk insert (`Connector.bulkInsert`) for batches of
 * new records. Two refused bulk writes in a row (the target holds rows the key map does not know,
 * or bad records keep coming) turn it off for the rest of the cycle.
 */
export interface BulkPath {
  enabled: boolean;
  /** Bulk writes refused in a row. */
  misses: number;
  /** Batches written by the bulk path, and batches it handed back to `writeBatch`. */
  loaded: number;
  fellBack: number;
}

/** A fresh bulk path, on. */
export function newBulkPath(): BulkPath {
  return { enabled: true, misses: 0, loaded: 0, fellBack: 0 };
}

/** Refused bulk writes in a row after which a cycle stops trying the bulk path. */
const BULK_MISSES_BEFORE_OFF = 2;

/** Smaller batches gain nothing from a bulk loader: they go through `writeBatch`. */
export const BULK_MIN_RECORDS = 500;

/** What the bulk path needs of a batch's context. */
export interface BulkContext {
  readonly flow: { readonly target: TargetSpec };
  readonly target: Connector;
  readonly signal: AbortSignal;
  readonly observe?: WriteObserver;
  readonly bulk?: BulkPath;
}

/**
 * Writes a batch of new records through the target's bulk insert when the cycle's bulk path is on;
 * undefined when it does not apply or the target refused it (nothing written), so the caller
 * writes the batch the normal way, which upserts and isolates a bad record alone.
 */
export async function writeInBulk(
  context: BulkContext,
  prepared: { readonly isAllNew: boolean },
  records: readonly TargetRecord[],
): Promise<WriteOutcome | undefined> {
  const { bulk, target, flow } = context;
  if (
    bulk?.enabled !== true ||
    !prepared.isAllNew ||
    records.length < BULK_MIN_RECORDS ||
    target.bulkInsert === undefined
  )
    return undefined;
  const started = performance.now();
  try {
    await target.bulkInsert(flow.target, records, context.signal);
  } catch (error) {
    if (context.signal.aborted) throw error;
    bulk.fellBack += 1;
    bulk.misses += 1;
    if (bulk.misses >= BULK_MISSES_BEFORE_OFF) bulk.enabled = false;
    return undefined;
  }
  context.observe?.({
    at: Date.now(),
    latencyMs: performance.now() - started,
    outcome: 'ok',
    rows: records.length,
  });
  bulk.misses = 0;
  bulk.loaded += 1;
  return { written: records, rejected: [], targetIds: new Map() };
}
