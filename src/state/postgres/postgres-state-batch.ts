import type pg from 'pg';
import { StateStoreError } from '../../core/errors.js';
import {
  backfillNamePrefix,
  reverseCheckpointName,
  type BatchCommit,
  type DeadLetterStatus,
  type LeaseFence,
} from '../../core/state-store.js';
import { applyPostgresConflicts, conflictColumns } from './postgres-state-conflicts.js';
import { inTransaction } from './postgres-state-connection.js';
import {
  deadLetterColumns,
  putPostgresDeadLetters,
  resolvePostgresDeadLetters,
  setPostgresDeadLetterStatus,
} from './postgres-state-dead-letters.js';
import { putPostgresSynced } from './postgres-state-key-map.js';
import { checkPostgresFence } from './postgres-state-leases.js';

// The state changes of a cycle or manual action. Each runs in one transaction whose first
// statement locks the flow's lease row (FOR UPDATE) and checks the fence: a takeover waits until
// the change committed or rolled back, and a stale fence changes nothing.

const PUT_CHECKPOINTS = `INSERT INTO checkpoints (flow, checkpoint, updated_at)
  SELECT u.flow, u.checkpoint, now() FROM unnest($1::text[], $2::text[]) AS u(flow, checkpoint)
  ON CONFLICT (flow) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at`;

/** Backfill checkpoint names start with the prefix; compared with left() so no LIKE escaping is needed. */
const DELETE_LANES = 'DELETE FROM checkpoints WHERE left(flow, length($1)) = $1';

const DELETE_ALL = 'DELETE FROM checkpoints WHERE flow IN ($1, $2) OR left(flow, length($3)) = $3';

/** The checkpoints a batch stores before and after forgetting a backfill's lanes, as JSON text. */
function checkpointsOf(flow: string, commit: BatchCommit): { first: string[][]; lanes: string[][] } {
  const first: [string, string][] = [];
  if (commit.checkpoint !== undefined) first.push([flow, JSON.stringify(commit.checkpoint)]);
  if (commit.reverseCheckpoint !== undefined)
    first.push([reverseCheckpointName(flow), JSON.stringify(commit.reverseCheckpoint)]);
  const lanes: [string, string][] = [];
  for (const { name, checkpoint } of commit.laneCheckpoints ?? []) {
    if (!name.startsWith(backfillNamePrefix(flow)))
      throw new StateStoreError(
        `State store: "${name}" is not a backfill checkpoint of flow "${flow}"; nothing of the batch was stored`,
        { retryable: false, flow },
      );
    lanes.push([name, JSON.stringify(checkpoint)]);
  }
  const columns = (pairs: [string, string][]): string[][] => [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
  return { first: columns(first), lanes: columns(lanes) };
}

/**
 * Applies a handled batch of the fence's flow in one transaction: key map (a record without
 * target id or base keeps the stored one), dead letters, conflicts, then the checkpoints of both
 * directions and of a backfill's lanes. A stale fence (LEASE_LOST) or anything else that fails
 * rolls all of it back. Every value is turned into JSON before the first write.
 */
export async function commitPostgresBatch(
  pool: pg.Pool,
  fence: LeaseFence,
  commit: BatchCommit,
): Promise<void> {
  const { flow } = fence;
  await inTransaction(pool, async (db) => {
    await checkPostgresFence(db, fence);
    const letters = deadLetterColumns(commit.deadLetters);
    const conflicts = conflictColumns(commit.conflicts ?? []);
    const checkpoints = checkpointsOf(flow, commit);
    await putPostgresSynced(db, flow, commit.synced);
    // Resolve before recording new failures, so a key that failed again in this very batch stays open.
    await resolvePostgresDeadLetters(db, flow, commit.resolvedKeys);
    await putPostgresDeadLetters(db, letters);
    await applyPostgresConflicts(db, flow, conflicts, commit.resolvedConflicts ?? []);
    if (checkpoints.first[0]?.length !== 0) await db.query(PUT_CHECKPOINTS, checkpoints.first);
    if (commit.endLanes === true) await db.query(DELETE_LANES, [backfillNamePrefix(flow)]);
    if (checkpoints.lanes[0]?.length !== 0) await db.query(PUT_CHECKPOINTS, checkpoints.lanes);
  });
}

/** Forgets the checkpoints of both directions and of a partitioned backfill of the fence's flow. */
export async function resetPostgresCheckpoints(pool: pg.Pool, fence: LeaseFence): Promise<void> {
  await inTransaction(pool, async (db) => {
    await checkPostgresFence(db, fence);
    await db.query(DELETE_ALL, [
      fence.flow,
      reverseCheckpointName(fence.flow),
      backfillNamePrefix(fence.flow),
    ]);
  });
}

/** Sets the status of dead letters of the fence's flow, checked against the fence. */
export async function setPostgresDeadLetterStatusFenced(
  pool: pg.Pool,
  fence: LeaseFence,
  ids: readonly number[],
  status: DeadLetterStatus,
): Promise<void> {
  await inTransaction(pool, async (db) => {
    await checkPostgresFence(db, fence);
    await setPostgresDeadLetterStatus(db, fence.flow, ids, status);
  });
}
