import type Database from 'better-sqlite3';
import type { InboxAppendResult, InboxEvent, InboxEventInput } from '../../core/inbox.js';
import { eventFromRow, type InboxRow } from '../state-service-rows.js';
import { utcNow } from './sqlite-state-rows.js';

/** The inbox of pushed events in the SQLite state store. */
export class SqliteStateInbox {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, string | null, string, string, string | null]>;
  private readonly byKey: Database.Statement<[string, string], { id: number }>;
  private readonly after: Database.Statement<[string, number, number], InboxRow>;
  private readonly countAfter: Database.Statement<[string, number], { count: number }>;
  private readonly consume: Database.Statement<[string, string, number, string]>;
  private readonly prune: Database.Statement<[string, string, string]>;

  /** Prepares the statements on `db`. */
  constructor(db: Database.Database) {
    this.db = db;
    this.insert = db.prepare(
      `INSERT INTO inbox_events (inbox, event_key, received_at, payload, headers) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (inbox, event_key) WHERE event_key IS NOT NULL DO NOTHING`,
    );
    this.byKey = db.prepare('SELECT id FROM inbox_events WHERE inbox = ? AND event_key = ?');
    this.after = db.prepare(
      `SELECT id, inbox, event_key, received_at, payload, headers FROM inbox_events
       WHERE inbox = ? AND id > ? ORDER BY id LIMIT ?`,
    );
    this.countAfter = db.prepare('SELECT COUNT(*) AS count FROM inbox_events WHERE inbox = ? AND id > ?');
    this.consume = db.prepare(
      `INSERT INTO inbox_readers (inbox, reader, consumed_through, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (inbox, reader) DO UPDATE SET
         consumed_through = MAX(consumed_through, excluded.consumed_through), updated_at = excluded.updated_at`,
    );
    // With no reader recorded, MIN() is NULL and COALESCE lets every old event go.
    this.prune = db.prepare(
      `DELETE FROM inbox_events WHERE inbox = ? AND received_at < ?
         AND id <= COALESCE((SELECT MIN(consumed_through) FROM inbox_readers WHERE inbox = ?), id)`,
    );
  }

  /**
   * Stores the events in one write transaction; a known (inbox, event key) is reported, not stored.
   * The sender is acknowledged once this returns, so the commit is synced to disk (`synchronous =
   * FULL` for this transaction): with the store's usual NORMAL, a commit survives a crash of the
   * process but not of the machine.
   */
  append(events: readonly InboxEventInput[]): InboxAppendResult[] {
    const apply = this.db.transaction(() =>
      events.map((event): InboxAppendResult => {
        const headers = event.headers === undefined ? null : JSON.stringify(event.headers);
        const key = event.eventKey ?? null;
        const result = this.insert.run(
          event.inbox,
          key,
          event.receivedAt,
          JSON.stringify(event.payload),
          headers,
        );
        if (result.changes === 1) return { id: Number(result.lastInsertRowid), isDuplicate: false };
        const stored = key === null ? undefined : this.byKey.get(event.inbox, key);
        return { id: stored?.id ?? 0, isDuplicate: true };
      }),
    );
    this.db.pragma('synchronous = FULL');
    try {
      return apply.immediate();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** Events of the inbox after `afterId`, in id order. */
  read(inbox: string, afterId: number, limit: number): InboxEvent[] {
    return this.after.all(inbox, afterId, limit).map(eventFromRow);
  }

  /** Events of the inbox after `afterId`, counted. */
  count(inbox: string, afterId: number): number {
    return this.countAfter.get(inbox, afterId)?.count ?? 0;
  }

  /** Moves the reader's position forward (never back). */
  markConsumed(inbox: string, reader: string, throughId: number): void {
    this.consume.run(inbox, reader, throughId, utcNow());
  }

  /** Deletes old events every reader has consumed; returns how many. */
  pruneConsumed(inbox: string, receivedBefore: string): number {
    return this.prune.run(inbox, receivedBefore, inbox).changes;
  }
}
