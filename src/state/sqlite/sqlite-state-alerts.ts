import type Database from 'better-sqlite3';
import type { AlertEpisode, AlertEpisodeInput, AlertHistoryStatus } from '../../core/alert-history.js';
import type { PageFilter } from '../../core/state-store.js';
import { alertFromRow, SELECT_ALERTS, type AlertRow } from '../state-service-rows.js';
import type { SqliteListQueries } from './sqlite-state-list-queries.js';

/** Alert episodes in the SQLite state store (`AlertHistoryStore`). */
export class SqliteStateAlerts {
  private readonly lists: SqliteListQueries;
  private readonly upsert: Database.Statement<[Record<string, string | null>]>;

  /** Prepares the statements on `db`; filtered lists go through `lists`. */
  constructor(db: Database.Database, lists: SqliteListQueries) {
    this.lists = lists;
    this.upsert = db.prepare(
      `INSERT INTO alert_history (rule, flow, severity, status, starts_at, ends_at, summary, updated_at)
       VALUES (@rule, @flow, @severity, @status, @startsAt, @endsAt, @summary, @updatedAt)
       ON CONFLICT (rule, flow, starts_at) DO UPDATE SET severity = excluded.severity,
         status = excluded.status, ends_at = excluded.ends_at, summary = excluded.summary,
         updated_at = excluded.updated_at`,
    );
  }

  /** Inserts the episode, or updates the one of the same rule, flow and start. */
  record(episode: AlertEpisodeInput, at: string): void {
    this.upsert.run({
      rule: episode.rule,
      flow: episode.flow,
      severity: episode.severity,
      status: episode.status,
      startsAt: episode.startsAt,
      endsAt: episode.endsAt ?? null,
      summary: episode.summary,
      updatedAt: at,
    });
  }

  /** Newest first, paged by id. */
  list(filter: { status?: AlertHistoryStatus; flow?: string } & PageFilter): AlertEpisode[] {
    const filters = { status: filter.status, flow: filter.flow };
    return this.lists.all<AlertRow>(SELECT_ALERTS, { filters }, filter).map(alertFromRow);
  }

  /** How many episodes match. */
  count(filter: { status?: AlertHistoryStatus; severity?: string; flow?: string }): number {
    return this.lists.count('alert_history', {
      filters: { status: filter.status, severity: filter.severity, flow: filter.flow },
    });
  }
}
