import type { SyncedRecord } from '../../core/state-store.js';
import type { Queryable } from './postgres-state-connection.js';
import { syncedFromRow, type SyncedRow } from './postgres-state-rows.js';

/**
 * Key map entries written by one statement. Each column travels as one array parameter
 * (unnest), so a statement's size is bounded by memory, not by PostgreSQL's 65,535 parameters;
 * a batch of 5,000 records is one statement.
 */
const SYNCED_ROWS_PER_STATEMENT = 5000;

/** The key map upsert of many records: a NULL target id or base keeps the stored one. */
const PUT_SYNCED = `INSERT INTO synced (flow, key, target_key, hash, deleted, synced_at, target_id, base)
  SELECT $1, u.key, u.target_key, u.hash, u.deleted, now(), u.target_id, u.base
  FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::text[])
    AS u(key, target_key, hash, deleted, target_id, base)
  ON CONFLICT (flow, key) DO UPDATE SET target_key = excluded.target_key, hash = excluded.hash,
    deleted = excluded.deleted, synced_at = excluded.synced_at,
    target_id = COALESCE(excluded.target_id, synced.target_id), base = COALESCE(excluded.base, synced.base)`;

const GET_SYNCED = `SELECT key, target_key, hash, deleted, target_id, base FROM synced
  WHERE flow = $1 AND key = ANY($2::text[])`;

/**
 * The records of a batch with one entry per key, as applying them one by one would leave it:
 * the last record of a key wins, keeping a target id or base an earlier one gave when it omits
 * its own (an upsert of many rows may not touch one row twice).
 */
function lastPerKey(records: readonly SyncedRecord[]): SyncedRecord[] {
  const byKey = new Map<string, SyncedRecord>();
  for (const record of records) {
    const before = byKey.get(record.key);
    byKey.set(
      record.key,
      before === undefined
        ? record
        : {
            ...record,
            ...(record.targetId === undefined && before.targetId !== undefined
              ? { targetId: before.targetId }
              : {}),
            ...(record.base === undefined && before.base !== undefined ? { base: before.base } : {}),
          },
    );
  }
  return [...byKey.values()];
}

/** Inside a batch's transaction: upserts the key map entries of `records`. */
export async function putPostgresSynced(
  db: Queryable,
  flow: string,
  records: readonly SyncedRecord[],
): Promise<void> {
  const entries = lastPerKey(records);
  for (let start = 0; start < entries.length; start += SYNCED_ROWS_PER_STATEMENT) {
    const chunk = entries.slice(start, start + SYNCED_ROWS_PER_STATEMENT);
    await db.query(PUT_SYNCED, [
      flow,
      chunk.map((record) => record.key),
      chunk.map((record) => record.targetKey),
      chunk.map((record) => record.hash),
      chunk.map((record) => record.deleted),
      chunk.map((record) => record.targetId ?? null),
      chunk.map((record) => (record.base === undefined ? null : JSON.stringify(record.base))),
    ]);
  }
}

/** The synced records of these keys, in one statement whatever their number. */
export async function getPostgresSynced(
  db: Queryable,
  flow: string,
  keys: readonly string[],
): Promise<Map<string, SyncedRecord>> {
  const found = new Map<string, SyncedRecord>();
  if (keys.length === 0) return found;
  const { rows } = await db.query<SyncedRow>(GET_SYNCED, [flow, keys]);
  for (const row of rows) found.set(row.key, syncedFromRow(row));
  return found;
}
