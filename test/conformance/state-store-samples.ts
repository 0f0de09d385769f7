import type {
  AuditInput,
  BatchCommit,
  ConflictInput,
  DeadLetterInput,
  LeaseFence,
  ReconciliationInput,
  RunCounts,
  StateStore,
  SyncedRecord,
} from '../../src/core/state-store.js';
import type { Row } from '../../src/core/values.js';

/** A state store under test; the conformance cases call this to get the one of the running test. */
export type CurrentStore = () => StateStore;

/** ISO 8601 in UTC, as every timestamp of a state store is written. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

let flowSequence = 0;

/** A flow name no other case uses, so cases never see each other's rows even in a shared store. */
export function uniqueFlow(label: string): string {
  flowSequence += 1;
  return `${label}-${process.pid}-${flowSequence}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A synced record whose target key is `T-<key>`. */
export function syncedRecord(key: string, hash = `hash-${key}`, deleted = false): SyncedRecord {
  return { key, targetKey: `T-${key}`, hash, deleted };
}

/** A dead letter of a record the target refused. */
export function deadLetter(
  flow: string,
  key: string,
  reason = `refused ${key}`,
  payload: Row = { id: key },
): DeadLetterInput {
  return { flow, key, kind: 'write', code: 'CONNECTOR_CONSTRAINT_VIOLATION', reason, payload };
}

/** A batch commit; everything not given is empty, and there is no checkpoint. */
export function batch(parts: Partial<BatchCommit>): BatchCommit {
  return { synced: [], deadLetters: [], resolvedKeys: [], ...parts };
}

/** A conflict of `key` on its `name` column; `version` tells the versions of repeat conflicts apart. */
export function conflict(
  flow: string,
  key: string,
  version = 1,
  parts: Partial<ConflictInput> = {},
): ConflictInput {
  return {
    flow,
    key,
    base: { id: key, name: `base-${version}` },
    source: { id: key, name: `source-${version}` },
    target: { id: key, name: `target-${version}` },
    fields: ['name'],
    reason: `both sides changed name (${version})`,
    ...parts,
  };
}

/** An audit entry of an operator's resync of flow `flow`. */
export function auditInput(flow: string, parts: Partial<AuditInput> = {}): AuditInput {
  return { actor: 'ops@host', action: 'resync', flow, subject: 'keys 17, 18', ...parts };
}

/** A successful checksum reconciliation of `flow`, with counts as given. */
export function reconciliation(flow: string, parts: Partial<ReconciliationInput> = {}): ReconciliationInput {
  return {
    flow,
    startedAt: '2024-05-01T08:00:00.000Z',
    finishedAt: '2024-05-01T08:00:05.250Z',
    mode: 'checksum',
    status: 'succeeded',
    missing: 0,
    extra: 0,
    different: 0,
    repaired: 0,
    rowsTransferred: 0,
    ...parts,
  };
}

/** Run counts, zero where not given. */
export function runCounts(parts: Partial<RunCounts> = {}): RunCounts {
  return { read: 0, written: 0, unchanged: 0, quarantined: 0, failed: 0, deleted: 0, ...parts };
}

/** The lease owner of the cases that only need a fence to change state. */
export const CASE_OWNER = 'conformance-case';

/**
 * The fence of the lease CASE_OWNER holds on `flow` (taken on first use for an hour, renewed
 * with the same token after), for cases about what a state change does, not about leases.
 */
export async function fenceOf(store: StateStore, flow: string): Promise<LeaseFence> {
  const fence = await store.acquireLease(flow, CASE_OWNER, 3_600_000);
  if (fence === undefined) throw new Error(`Flow "${flow}" is leased by another owner`);
  return fence;
}

/** Resolves after `ms` of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
