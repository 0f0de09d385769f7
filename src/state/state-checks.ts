import { StateStoreError } from '../core/errors.js';
import type { LeaseFence } from '../core/state-store.js';
import type { RunActivityFilter } from '../core/run-activity.js';

// Checks every state store makes the same way, with the same messages.

/** The longest lease a flow can take: a day (ms). Cycles renew theirs far more often. */
export const MAX_LEASE_MS = 24 * 60 * 60 * 1000;

/** `limit` when it is a whole number of rows; a StateStoreError otherwise. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new StateStoreError(`List limit ${limit} is not a whole number of rows`, { retryable: false });
  }
  return limit;
}

/** `beforeId` when it is an id; a StateStoreError otherwise. */
export function checkBeforeId(beforeId: number): number {
  if (!Number.isInteger(beforeId)) {
    throw new StateStoreError(`Page start ${beforeId} is not an id`, { retryable: false });
  }
  return beforeId;
}

/** Refuses a lease time outside 0 … MAX_LEASE_MS. */
export function checkLeaseTtl(flow: string, ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs < 0 || ttlMs > MAX_LEASE_MS) {
    throw new StateStoreError(
      `Lease time ${ttlMs} ms of flow "${flow}" is not between 0 and ${MAX_LEASE_MS}`,
      {
        flow,
        retryable: false,
      },
    );
  }
}

/**
 * Throws LEASE_LOST unless the flow's lease row (`row`, as read inside the write transaction)
 * still carries the fence's owner and token. An expired lease nobody took over since still
 * passes: no other owner can have changed the flow's state.
 */
export function checkFence(
  fence: LeaseFence,
  row: { readonly owner: string; readonly token: number } | undefined,
): void {
  if (row?.owner === fence.owner && row.token === fence.token) return;
  throw new StateStoreError(
    `Flow "${fence.flow}": another process took the flow over (lease token ${row?.token ?? 'none'}, this process holds ${fence.token}); this change was refused, and the batch will be read again by it`,
    { code: 'LEASE_LOST', flow: fence.flow, retryable: false },
  );
}

/** The range of a run activity query as ISO 8601 UTC; refuses one that ends before it starts or a bad bucket. */
export function checkActivityFilter(filter: RunActivityFilter): { since: string; until: string } {
  const since = Date.parse(filter.since);
  const until = Date.parse(filter.until);
  if (!Number.isFinite(since) || !Number.isFinite(until) || until <= since)
    throw new StateStoreError(`Run activity from ${filter.since} to ${filter.until} is not a time range`, {
      retryable: false,
    });
  if (!Number.isInteger(filter.bucketMs) || filter.bucketMs < 1)
    throw new StateStoreError(`Run activity bucket ${filter.bucketMs} is not a whole number of ms`, {
      retryable: false,
    });
  return { since: new Date(since).toISOString(), until: new Date(until).toISOString() };
}
