import { emptyCounts, handleChanges } from './batch-handler.js';
import type { CyclePorts, CycleResult } from './cycle.js';
import { SyncError, toSyncError } from './errors.js';
import type { Flow } from './flow.js';
import { acquireFlowLease, keepLease, LEASE_TTL_MS, newLeaseOwner } from './flow-lease.js';
import { createRetryPolicy } from './retry-policy.js';
import type { RunTrigger } from './state-store.js';

/** The result of a manual resync: the cycle result plus keys the source no longer has. */
export interface ResyncResult extends CycleResult {
  readonly missingKeys: readonly string[];
}

const LEASE_WAIT_MS = 30_000;

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

/**
 * Reads the current source rows of `keys` and writes them through the normal pipeline (mapping,
 * validation, idempotent write, dead letters), even when their hash is unchanged — the target
 * may have drifted. The checkpoint does not move. Used by `resync` and dead-letter replay.
 */
export async function resyncKeys(
  flow: Flow,
  ports: CyclePorts,
  keys: readonly string[],
  options: { trigger: Extract<RunTrigger, 'resync' | 'replay'>; signal: AbortSignal },
): Promise<ResyncResult> {
  const started = Date.now();
  const owner = newLeaseOwner();
  const counts = emptyCounts();
  await waitForLease(ports, flow.name, owner, options.signal);
  const stopRenewing = keepLease(ports.state, flow.name, owner, LEASE_TTL_MS, (reason) => {
    ports.logger.error(
      `${reason}; the resync of flow "${flow.name}" goes on, but a cycle may now run beside it`,
    );
  });
  const runId = await ports.state.startRun(flow.name, options.trigger);
  let error: SyncError | undefined;
  let missingKeys: string[] = [];
  try {
    const policy = createRetryPolicy(flow.retry);
    const unique = [...new Set(keys)];
    for (let index = 0; index < unique.length; index += flow.source.batchSize) {
      const slice = unique.slice(index, index + flow.source.batchSize);
      const changes = await ports.source.readByKeys(flow.source, slice, options.signal);
      const found = new Set(changes.map((change) => change.key));
      missingKeys = missingKeys.concat(slice.filter((key) => !found.has(key)));
      const commit = await handleChanges(
        {
          flow,
          target: ports.target,
          source: ports.source,
          state: ports.state,
          policy,
          signal: options.signal,
          force: true,
        },
        changes,
        counts,
      );
      await ports.state.commitBatch(flow.name, commit);
    }
  } catch (thrown) {
    error = toSyncError(thrown, { flow: flow.name });
  }
  const status = error === undefined ? 'succeeded' : 'failed';
  try {
    await ports.state.finishRun(runId, {
      status,
      counts,
      ...(error === undefined ? {} : { error: error.toJSON() }),
    });
  } finally {
    stopRenewing();
    await ports.state.releaseLease(flow.name, owner);
  }
  return { flow: flow.name, status, runId, counts, durationMs: Date.now() - started, error, missingKeys };
}
