import type { CanonicalRecord, SyncedRecord } from '../../core/state-store.js';

// Rows as the store's pool returns them: bigint as number, timestamptz as ISO 8601 UTC text with
// milliseconds (postgres-state-connection.ts), JSON as the text it was written as. Rows both stores
// share are in ../state-rows.ts; the key map's `deleted` is a real boolean here.

/** A row of `synced`. */
export interface SyncedRow {
  key: string;
  target_key: string;
  hash: string;
  deleted: boolean;
  target_id: string | null;
  /** JSON object text. */
  base: string | null;
}

/** A synced record from its row; `targetId` and `base` are left out when the row has none. */
export function syncedFromRow(row: SyncedRow): SyncedRecord {
  const record: { -readonly [K in keyof SyncedRecord]: SyncedRecord[K] } = {
    key: row.key,
    targetKey: row.target_key,
    hash: row.hash,
    deleted: row.deleted,
  };
  if (row.target_id !== null) record.targetId = row.target_id;
  if (row.base !== null) record.base = JSON.parse(row.base) as CanonicalRecord;
  return record;
}

/**
 * Items split into rounds in which each key appears once, in order: a multi-row upsert may not
 * touch one row twice, so the second failure of a key in one batch goes in the next round, as
 * if applied one by one.
 */
export function inRounds<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds;
}
