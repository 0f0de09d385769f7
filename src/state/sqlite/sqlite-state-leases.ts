import type Database from 'better-sqlite3';
import type { LeaseFence, LeaseHolder } from '../../core/state-store.js';
import { checkFence, checkLeaseTtl } from '../state-checks.js';
import { utcNow } from './sqlite-state-rows.js';

/** Named parameters of `acquire`; timestamps are ISO 8601 UTC, so they compare as text. */
interface LeaseParams {
  flow: string;
  owner: string;
  expiresAt: string;
  now: string;
}

/** A lease long expired: what a released lease's `expires_at` becomes (its row and token stay). */
const RELEASED_AT = '1970-01-01T00:00:00.000Z';

/**
 * The flow leases of the SQLite state store, with their fencing tokens: a row per flow that ever
 * had a lease, never deleted, so a token only ever rises.
 */
export class SqliteStateLeases {
  private readonly acquireStatement: Database.Statement<[LeaseParams], { token: number }>;
  private readonly releaseStatement: Database.Statement<[string, string, string]>;
  private readonly holderStatement: Database.Statement<
    [string, string],
    { owner: string; expires_at: string; token: number }
  >;
  private readonly tokenStatement: Database.Statement<[string], { owner: string; token: number }>;

  /** Prepares the statements on `db`. */
  constructor(db: Database.Database) {
    // One statement, so two connections can never both hold the lease: SQLite runs writes one at
    // a time, and the WHERE lets the update through only for the holder or once the lease expired.
    // The token stays for the same owner and rises for a new one; RETURNING gives no row when the
    // WHERE kept the other owner's lease.
    this.acquireStatement = db.prepare(
      `INSERT INTO leases (flow, owner, expires_at, token) VALUES (@flow, @owner, @expiresAt, 1)
       ON CONFLICT (flow) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at,
         token = CASE WHEN leases.owner = excluded.owner THEN leases.token ELSE leases.token + 1 END
       WHERE leases.owner = excluded.owner OR leases.expires_at <= @now
       RETURNING token`,
    );
    this.releaseStatement = db.prepare('UPDATE leases SET expires_at = ? WHERE flow = ? AND owner = ?');
    this.holderStatement = db.prepare(
      'SELECT owner, expires_at, token FROM leases WHERE flow = ? AND expires_at > ?',
    );
    this.tokenStatement = db.prepare('SELECT owner, token FROM leases WHERE flow = ?');
  }

  /** Takes or renews the lease; undefined when another owner holds an unexpired one. */
  acquire(flow: string, owner: string, ttlMs: number): LeaseFence | undefined {
    checkLeaseTtl(flow, ttlMs);
    const now = new Date();
    const expiresAt = utcNow(new Date(now.getTime() + ttlMs));
    const row = this.acquireStatement.get({ flow, owner, expiresAt, now: utcNow(now) });
    return row === undefined ? undefined : { flow, owner, token: row.token };
  }

  /** Lets the lease expire at once if `owner` holds it; the row and its token stay. */
  release(flow: string, owner: string): void {
    this.releaseStatement.run(RELEASED_AT, flow, owner);
  }

  /** The holder of the flow's unexpired lease, if any. */
  holder(flow: string): LeaseHolder | undefined {
    const row = this.holderStatement.get(flow, utcNow());
    return row === undefined ? undefined : { owner: row.owner, expiresAt: row.expires_at, token: row.token };
  }

  /**
   * Inside a write transaction, before anything is changed: throws LEASE_LOST unless the flow's
   * lease row still carries the fence's owner and token. An expired lease nobody took over since
   * still passes: no other owner can have changed the flow's state.
   */
  check(fence: LeaseFence): void {
    checkFence(fence, this.tokenStatement.get(fence.flow));
  }
}
