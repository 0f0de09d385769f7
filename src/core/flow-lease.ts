import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LeaseFence, StateStore } from './state-store.js';

/** How long a flow lease lasts without renewal; holders renew it every third of that. */
export const LEASE_TTL_MS = 30_000;

/**
 * A lease owner id that says which process holds a flow: `host:pid:random`. A process restarted
 * after kill -9 on the same host sees that the holder's pid is gone and takes over at once
 * instead of waiting for the lease to expire.
 */
export function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

function isDeadLocalHolder(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Takes the flow's lease, first freeing it if its holder is a dead process on this host. Returns
 * the fence every state change under the lease carries, or undefined when the flow is busy.
 */
export async function acquireFlowLease(
  state: StateStore,
  flow: string,
  owner: string,
  ttlMs: number,
): Promise<LeaseFence | undefined> {
  const fence = await state.acquireLease(flow, owner, ttlMs);
  if (fence !== undefined) return fence;
  const holder = await state.getLeaseHolder(flow);
  if (holder === undefined || !isDeadLocalHolder(holder.owner)) return undefined;
  await state.releaseLease(flow, holder.owner);
  return state.acquireLease(flow, owner, ttlMs);
}

/**
 * Renews a held lease every third of its lifetime, independent of batch length, so a short
 * lease suffices and a crashed holder frees the flow quickly. `onLost` runs if renewal fails, or
 * if the renewal finds the token changed: another owner held the flow in between (this process
 * was paused past the lease), so the fence is stale and its state changes would be refused.
 */
export function keepLease(
  state: StateStore,
  fence: LeaseFence,
  ttlMs: number,
  onLost: (reason: string) => void,
): () => void {
  const { flow, owner } = fence;
  const timer = setInterval(
    () => {
      state.acquireLease(flow, owner, ttlMs).then(
        (renewed) => {
          if (renewed === undefined) onLost('another process took the flow lease');
          else if (renewed.token !== fence.token)
            onLost('another process held the flow lease while this one was paused');
        },
        (error: unknown) => {
          onLost(`the lease could not be renewed: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    },
    Math.max(1_000, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
