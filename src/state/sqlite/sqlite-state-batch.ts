import { reverseCheckpointName, type BatchCommit } from '../../core/state-store.js';
import type { SqliteStateConnection } from './sqlite-state-connection.js';
import { deadLetterParams, syncedParams, utcNow } from './sqlite-state-rows.js';

/**
 * Applies a handled batch of `flow` in one transaction: key map (a record without target id or
 * base keeps the stored one), dead letters, conflicts, then the checkpoints of both directions.
 * Whatever fails rolls all of it back.
 */
export function commitSqliteBatch(
  connection: SqliteStateConnection,
  flow: string,
  commit: BatchCommit,
): void {
  const { db, statements, conflicts } = connection;
  const apply = db.transaction(() => {
    const now = utcNow();
    for (const record of commit.synced) statements.putSynced.run(syncedParams(flow, record, now));
    // Resolve before recording new failures, so a key that failed again in this very batch stays open.
    if (commit.resolvedKeys.length > 0) {
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
  });
  // IMMEDIATE takes the write lock up front, so a concurrent writer makes us wait (busy
  // timeout) instead of failing the upgrade from a read snapshot with SQLITE_BUSY_SNAPSHOT.
  apply.immediate();
}
