import { emptyCounts, type MutableCounts } from './batch-handler.js';
import type { CyclePorts } from './cycle-ports.js';
import { SyncError, toSyncError } from './errors.js';
import { acquireFlowLease, keepLease, LEASE_TTL_MS, newLeaseOwner } from './flow-lease.js';
import type { LeaseFence, RunTrigger } from './state-store.js';

const LEASE_WAIT_MS = 30_000;

/** Takes the flow's lease, waiting up to 30 s for a running cycle to finish (FLOW_BUSY after). */
async function waitForLease(
  ports: CyclePorts,
  flow: string,
  owner: string,
  signal: AbortSignal,
): Promise<LeaseFence> {
  const deadline = Date.now() + LEASE_WAIT_MS;
  for (;;) {
    const fence = await acquireFlowLease(ports.state, flow, owner, LEASE_TTL_MS);
    if (fence !== undefined) return fence;
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
  /** `aborted` when the work stopped because the flow's lease was lost (LEASE_LOST). */
  readonly status: 'succeeded' | 'failed' | 'aborted';
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
 * renewed, records a run of `trigger` with the work's counts, and releases the lease. `work`
 * gets the lease's fence: every state change it makes carries it, so a change made after another
 * process took the flow over is refused (LEASE_LOST). Work that throws is recorded as a failed run
 * with its error (aborted for LEASE_LOST), then the error is rethrown.
 */
export async function withManualRun<T>(
  flow: string,
  ports: CyclePorts,
  options: { readonly trigger: RunTrigger; readonly signal: AbortSignal; readonly what: string },
  work: (counts: MutableCounts, fence: LeaseFence) => Promise<ManualOutcome<T>>,
): Promise<ManualRun<T>> {
  const owner = newLeaseOwner();
  const fence = await waitForLease(ports, flow, owner, options.signal);
  const stopRenewing = keepLease(ports.state, fence, LEASE_TTL_MS, (reason) => {
    ports.logger.error(
      `${reason}; the ${options.what} of flow "${flow}" cannot change the flow's state any more (LEASE_LOST)`,
    );
  });
  const counts = emptyCounts();
  try {
    const runId = await ports.state.startRun(flow, options.trigger);
    let outcome: ManualOutcome<T>;
    try {
      outcome = await work(counts, fence);
    } catch (error) {
      const failure = toSyncError(error, { flow });
      const status = failure.code === 'LEASE_LOST' ? 'aborted' : 'failed';
      await ports.state.finishRun(runId, { status, counts, error: failure.toJSON() }).catch(() => undefined);
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
