import { StateStoreError } from '../../core/errors.js';
import {
  backfillNamePrefix,
  reverseCheckpointName,
  type BatchCommit,
  type DeadLetterStatus,
  type LeaseFence,
  type SyncedRecord,
} from '../../core/state-store.js';
import type { SqliteStateConnection } from './sqlite-state-connection.js';
import {
  deadLetterParams,
  SYNCED_PARAMS_PER_ROW,
  utcNow,
  writeSyncedParams,
  type SyncedParam,
  type SyncedShared,
} from './sqlite-state-rows.js';
import { SYNCED_ROWS_PER_STATEMENT, type SqliteStateStatements } from './sqlite-state-statements.js';

// The state changes of a cycle or manual action. Each checks the fence and applies its change in
// one IMMEDIATE transaction: the write lock is taken up front, so no other process can take the
// lease over between the check and the change, and a concurrent writer makes us wait (busy
// timeout) instead of failing the upgrade from a read snapshot with SQLITE_BUSY_SNAPSHOT.

/**
 * Applies a handled batch of the fence's flow in one transaction: key map (a record without target
 * id or base keeps the stored one), dead letters, conflicts, then the checkpoints of both
 * directions. A stale fence (LEASE_LOST) or anything else that fails rolls all of it back.
 */
export function commitSqliteBatch(
  connection: SqliteStateConnection,
  fence: LeaseFence,
  commit: BatchCommit,
): void {
  const { db, statements, conflicts, leases } = connection;
  const { flow } = fence;
  const apply = db.transaction(() => {
    leases.check(fence);
    const now = utcNow();
    putSyncedRecords(statements, commit.synced, { flow, now });
    // Resolve before recording new failures, so a key that failed again in this very batch stays open.
    // A flow without open letters (every backfill batch, as a rule) has nothing to resolve.
    if (commit.resolvedKeys.length > 0 && statements.hasOpenDeadLetters.get(flow) !== undefined) {
      statements.resolveDeadLetters.run(now, flow, JSON.stringify(commit.resolvedKeys));
    }
    for (const letter of commit.deadLetters) statements.putDeadLetter.run(deadLetterParams(letter, now));
    conflicts.apply(flow, commit.conflicts ?? [], commit.resolvedConflicts ?? [], now);
    if (commit.checkpoint !== undefined) {
      statements.putCheckpoint.run(flow, JSON.stringify(commit.checkpoint), now);
    }
    if (commit.reverseCheckpoint !== undefined) {
      statements.putCheckpoint.run(
        reverseCheckpointName(flow),
        JSON.stringify(commit.reverseCheckpoint),
        now,
      );
    }
    if (commit.endLanes === true) {
      const prefix = backfillNamePrefix(flow);
      statements.deleteLaneCheckpoints.run(prefix, prefix);
    }
    for (const { name, checkpoint } of commit.laneCheckpoints ?? []) {
      if (!name.startsWith(backfillNamePrefix(flow)))
        throw new StateStoreError(
          `State store: "${name}" is not a backfill checkpoint of flow "${flow}"; nothing of the batch was stored`,
          { retryable: false, flow },
        );
      statements.putCheckpoint.run(name, JSON.stringify(checkpoint), now);
    }
  });
  apply.immediate();
}

/**
 * Upserts the key map entries of a batch in order: SYNCED_ROWS_PER_STATEMENT per statement, the
 * rest one by one, each statement's parameters filled into one reused array.
 */
function putSyncedRecords(
  statements: SqliteStateStatements,
  records: readonly SyncedRecord[],
  shared: SyncedShared,
): void {
  let index = 0;
  if (records.length >= SYNCED_ROWS_PER_STATEMENT) {
    const params = new Array<SyncedParam>(SYNCED_ROWS_PER_STATEMENT * SYNCED_PARAMS_PER_ROW);
    for (; index + SYNCED_ROWS_PER_STATEMENT <= records.length; index += SYNCED_ROWS_PER_STATEMENT) {
      for (let row = 0; row < SYNCED_ROWS_PER_STATEMENT; row++) {
        writeSyncedParams(params, row * SYNCED_PARAMS_PER_ROW, records[index + row] as SyncedRecord);
      }
      statements.putSyncedRows.run(params, shared);
    }
  }
  const params = new Array<SyncedParam>(SYNCED_PARAMS_PER_ROW);
  for (; index < records.length; index++) {
    writeSyncedParams(params, 0, records[index] as SyncedRecord);
    statements.putSynced.run(params, shared);
  }
}

/** Forgets the checkpoints of both directions and of a partitioned backfill of the fence's flow, in one transaction. */
export function resetSqliteCheckpoints(connection: SqliteStateConnection, fence: LeaseFence): void {
  const { db, statements, leases } = connection;
  const apply = db.transaction(() => {
    leases.check(fence);
    const prefix = backfillNamePrefix(fence.flow);
    statements.deleteCheckpoints.run(fence.flow, reverseCheckpointName(fence.flow), prefix, prefix);
  });
  apply.immediate();
}

/**
 * Sets the status of dead letters of the fence's flow; when an id is not a dead letter of that
 * flow, nothing changes and a non-retryable error names the flow.
 */
export function setSqliteDeadLetterStatus(
  connection: SqliteStateConnection,
  fence: LeaseFence,
  ids: readonly number[],
  status: DeadLetterStatus,
): void {
  const { db, statements, leases } = connection;
  const unique = [...new Set(ids)];
  const idsJson = JSON.stringify(unique);
  const apply = db.transaction(() => {
    leases.check(fence);
    if (unique.length === 0) return;
    const { count } = statements.countDeadLettersOf.get(fence.flow, idsJson) ?? { count: 0 };
    if (count !== unique.length) {
      throw new StateStoreError(
        `Flow "${fence.flow}": dead letters ${unique.map((id) => `#${id}`).join(', ')} are not all dead letters of this flow; no status was changed`,
        { flow: fence.flow, retryable: false },
      );
    }
    statements.setDeadLetterStatus.run(status, utcNow(), fence.flow, idsJson);
  });
  apply.immediate();
}
