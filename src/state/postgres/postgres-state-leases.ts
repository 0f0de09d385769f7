import type { LeaseFence, LeaseHolder } from '../../core/state-store.js';
import { checkFence, checkLeaseTtl } from '../state-checks.js';
import type { Queryable } from './postgres-state-connection.js';

// Flow leases with their fencing tokens, on the database's clock (now()) so processes on several
// machines agree on when a lease expired. A flow's row is never deleted, so its token only rises.

/**
 * One statement: PostgreSQL locks the flow's row for the upsert and checks the WHERE on its
 * newest version, so of two sessions racing for an expired lease exactly one gets a row back.
 * The token stays for the same owner and rises for a new one.
 */
const ACQUIRE = `INSERT INTO leases (flow, owner, expires_at, token)
  VALUES ($1, $2, now() + $3::double precision * interval '1 millisecond', 1)
  ON CONFLICT (flow) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at,
    token = CASE WHEN leases.owner = excluded.owner THEN leases.token ELSE leases.token + 1 END
  WHERE leases.owner = excluded.owner OR leases.expires_at <= now()
  RETURNING token`;

/** A released lease expires long ago; its row and token stay. */
const RELEASE = `UPDATE leases SET expires_at = '1970-01-01T00:00:00Z' WHERE flow = $1 AND owner = $2`;

const HOLDER = 'SELECT owner, expires_at, token FROM leases WHERE flow = $1 AND expires_at > now()';

const LOCK_FOR_CHANGE = 'SELECT owner, token FROM leases WHERE flow = $1 FOR UPDATE';

/** Takes or renews the lease; undefined when another owner holds an unexpired one. */
export async function acquirePostgresLease(
  db: Queryable,
  flow: string,
  owner: string,
  ttlMs: number,
): Promise<LeaseFence | undefined> {
  checkLeaseTtl(flow, ttlMs);
  const { rows } = await db.query<{ token: number }>(ACQUIRE, [flow, owner, ttlMs]);
  const row = rows[0];
  return row === undefined ? undefined : { flow, owner, token: row.token };
}

/** Lets the lease expire at once if `owner` holds it. */
export async function releasePostgresLease(db: Queryable, flow: string, owner: string): Promise<void> {
  await db.query(RELEASE, [flow, owner]);
}

/** The holder of the flow's unexpired lease, if any. */
export async function postgresLeaseHolder(db: Queryable, flow: string): Promise<LeaseHolder | undefined> {
  const { rows } = await db.query<{ owner: string; expires_at: string; token: number }>(HOLDER, [flow]);
  const row = rows[0];
  return row === undefined ? undefined : { owner: row.owner, expiresAt: row.expires_at, token: row.token };
}

/**
 * First statement of every fenced transaction: locks the flow's lease row until the transaction
 * ends (a takeover waits for it) and throws LEASE_LOST unless the row still carries the fence's
 * owner and token.
 */
export async function checkPostgresFence(db: Queryable, fence: LeaseFence): Promise<void> {
  const { rows } = await db.query<{ owner: string; token: number }>(LOCK_FOR_CHANGE, [fence.flow]);
  checkFence(fence, rows[0]);
}
