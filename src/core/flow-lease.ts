import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { StateStore } from './state-store.js';

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

/** Takes the flow's lease, first freeing it if its holder is a dead process on this host. */
export async function acquireFlowLease(
  state: StateStore,
  flow: string,
  owner: string,
  ttlMs: number,
): Promise<boolean> {
  if (await state.acquireLease(flow, owner, ttlMs)) return true;
  const holder = await state.getLeaseHolder(flow);
  if (holder === undefined || !isDeadLocalHolder(holder.owner)) return false;
  await state.releaseLease(flow, holder.owner);
  return state.acquireLease(flow, owner, ttlMs);
}

/**
 * Renews a held lease every third of its lifetime, independent of batch length, so a short
 * lease suffices and a crashed holder frees the flow quickly. `onLost` runs if renewal fails.
 */
export function keepLease(
  state: StateStore,
  flow: string,
  owner: string,
  ttlMs: number,
  onLost: (reason: string) => void,
): () => void {
  const timer = setInterval(
    () => {
      state.acquireLease(flow, owner, ttlMs).then(
        (isHeld) => {
          if (!isHeld) onLost('another process took the flow lease');
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
