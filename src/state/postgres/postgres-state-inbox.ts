import type pg from 'pg';
import type { InboxAppendResult, InboxEvent, InboxEventInput } from '../../core/inbox.js';
import { eventFromRow, type InboxRow } from '../state-service-rows.js';
import { inTransaction, type Queryable } from './postgres-state-connection.js';

const INSERT = `INSERT INTO inbox_events (inbox, event_key, received_at, payload, headers) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (inbox, event_key) WHERE event_key IS NOT NULL DO NOTHING RETURNING id`;

const BY_KEY = 'SELECT id FROM inbox_events WHERE inbox = $1 AND event_key = $2';

const AFTER = `SELECT id, inbox, event_key, received_at, payload, headers FROM inbox_events
  WHERE inbox = $1 AND id > $2 ORDER BY id LIMIT $3`;

const COUNT_AFTER = 'SELECT count(*) AS count FROM inbox_events WHERE inbox = $1 AND id > $2';

const CONSUME = `INSERT INTO inbox_readers (inbox, reader, consumed_through, updated_at) VALUES ($1, $2, $3, now())
  ON CONFLICT (inbox, reader) DO UPDATE SET
    consumed_through = GREATEST(inbox_readers.consumed_through, excluded.consumed_through),
    updated_at = excluded.updated_at`;

// With no reader recorded, min() is NULL and COALESCE lets every old event go.
const PRUNE = `DELETE FROM inbox_events WHERE inbox = $1 AND received_at < $2::timestamptz
  AND id <= COALESCE((SELECT min(consumed_through) FROM inbox_readers WHERE inbox = $1), id)`;

/**
 * Stores the events in one transaction, committed before this resolves; a known (inbox, event
 * key) is reported with the id of its first copy. A concurrent insert of the same key waits for
 * the other transaction, then finds its row.
 */
export function appendPostgresInboxEvents(
  pool: pg.Pool,
  events: readonly InboxEventInput[],
): Promise<InboxAppendResult[]> {
  return inTransaction(pool, async (db) => {
    const results: InboxAppendResult[] = [];
    for (const event of events) {
      const key = event.eventKey ?? null;
      const headers = event.headers === undefined ? null : JSON.stringify(event.headers);
      const values = [event.inbox, key, event.receivedAt, JSON.stringify(event.payload), headers];
      const inserted = (await db.query<{ id: number }>(INSERT, values)).rows[0];
      if (inserted !== undefined) {
        results.push({ id: inserted.id, isDuplicate: false });
        continue;
      }
      const stored =
        key === null ? undefined : (await db.query<{ id: number }>(BY_KEY, [event.inbox, key])).rows[0];
      results.push({ id: stored?.id ?? 0, isDuplicate: true });
    }
    return results;
  });
}

/** Events of the inbox after `afterId`, in id order. */
export async function readPostgresInboxEvents(
  db: Queryable,
  inbox: string,
  afterId: number,
  limit: number,
): Promise<InboxEvent[]> {
  return (await db.query<InboxRow>(AFTER, [inbox, afterId, limit])).rows.map(eventFromRow);
}

/** Events of the inbox after `afterId`, counted. */
export async function countPostgresInboxEvents(
  db: Queryable,
  inbox: string,
  afterId: number,
): Promise<number> {
  return (await db.query<{ count: number }>(COUNT_AFTER, [inbox, afterId])).rows[0]?.count ?? 0;
}

/** Moves the reader's position forward (never back). */
export async function markPostgresInboxConsumed(
  db: Queryable,
  inbox: string,
  reader: string,
  throughId: number,
): Promise<void> {
  await db.query(CONSUME, [inbox, reader, throughId]);
}

/** Deletes old events every reader has consumed; returns how many. */
export async function prunePostgresInboxEvents(
  db: Queryable,
  inbox: string,
  receivedBefore: string,
): Promise<number> {
  return (await db.query(PRUNE, [inbox, receivedBefore])).rowCount ?? 0;
}
