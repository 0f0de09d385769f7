import { emptyCounts, type MutableCounts } from './batch-handler.js';
import type { CyclePorts } from './cycle-ports.js';
import { SyncError, toSyncError } from './errors.js';
import { acquireFlowLease, keepLease, LEASE_TTL_MS, newLeaseOwner } from './flow-lease.js';
import type { RunTrigger } from './state-store.js';

const LEASE_WAIT_MS = 30_000;

/** Takes the flow's lease, waiting up to 30 s for a running cycle to finish (FLOW_BUSY after). */
async function waitForLease(
  ports: CyclePorts,
  flow: string,
  owner: string,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + LEASE_WAIT_MS;
  while (!(await acquireFlowLease(ports.state, flow, owner, LEASE_TTL_MS))) {
    if (Date.now() > deadline) {
      throw new SyncError(
        'FLOW_BUSY',
        `Flow "${flow}" is busy with a cycle that did not finish within ${LEASE_WAIT_MS / 1000} s; try again later`,
        { flow },
      );
    }
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** How manual work on a flow ended, for its run record. */
export interface ManualOutcome<T> {
  readonly value: T;
  readonly status: 'succeeded' | 'failed';
  /** Recorded with the run when the work failed without throwing. */
  readonly error?: SyncError;
}

/** What a manual run returns: the work's value, its run and counts. */
export interface ManualRun<T> {
  readonly value: T;
  readonly runId: number;
  readonly counts: MutableCounts;
}

/**
 * Runs work on chosen keys of a flow outside its cycles (resync, replay, repair, conflict
 * resolution): takes the flow's lease (waiting up to 30 s for a running cycle) and keeps it
 * renewed, records a run of `trigger` with the work's counts, and releases the lease. Work that
 * throws is recorded as a failed run with its error, then the error is rethrown.
 */
export async function withManualRun<T>(
  flow: string,
  ports: CyclePorts,
  options: { readonly trigger: RunTrigger; readonly signal: AbortSignal; readonly what: string },
  work: (counts: MutableCounts) => Promise<ManualOutcome<T>>,
): Promise<ManualRun<T>> {
  const owner = newLeaseOwner();
  await waitForLease(ports, flow, owner, options.signal);
  const stopRenewing = keepLease(ports.state, flow, owner, LEASE_TTL_MS, (reason) => {
    ports.logger.error(
      `${reason}; the ${options.what} of flow "${flow}" goes on, but a cycle may now run beside it`,
    );
  });
  const counts = emptyCounts();
  try {
    const runId = await ports.state.startRun(flow, options.trigger);
    let outcome: ManualOutcome<T>;
    try {
      outcome = await work(counts);
    } catch (error) {
      await ports.state
        .finishRun(runId, { status: 'failed', counts, error: toSyncError(error, { flow }).toJSON() })
        .catch(() => undefined);
      throw error;
    }
    await ports.state.finishRun(runId, {
      status: outcome.status,
      counts,
      ...(outcome.error === undefined ? {} : { error: outcome.error.toJSON() }),
    });
    return { value: outcome.value, runId, counts };
  } finally {
    stopRenewing();
    await ports.state.releaseLease(flow, owner);
  }
}
