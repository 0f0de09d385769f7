import type { AlertEpisode, AlertEpisodeInput, AlertHistoryStatus } from '../../core/alert-history.js';
import type { PageFilter } from '../../core/state-store.js';
import { alertFromRow, SELECT_ALERTS, type AlertRow } from '../state-service-rows.js';
import type { Queryable } from './postgres-state-connection.js';
import { countPostgresRows, listPostgresRows } from './postgres-state-list-queries.js';

const UPSERT = `INSERT INTO alert_history (rule, flow, severity, status, starts_at, ends_at, summary, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, now())
  ON CONFLICT (rule, flow, starts_at) DO UPDATE SET severity = excluded.severity, status = excluded.status,
    ends_at = excluded.ends_at, summary = excluded.summary, updated_at = excluded.updated_at`;

/** Inserts the episode, or updates the one of the same rule, flow and start. */
export async function recordPostgresAlert(db: Queryable, episode: AlertEpisodeInput): Promise<void> {
  await db.query(UPSERT, [
    episode.rule,
    episode.flow,
    episode.severity,
    episode.status,
    episode.startsAt,
    episode.endsAt ?? null,
    episode.summary,
  ]);
}

/** Newest first, paged by id. */
export async function listPostgresAlerts(
  db: Queryable,
  filter: { status?: AlertHistoryStatus; flow?: string } & PageFilter,
): Promise<AlertEpisode[]> {
  const filters = { status: filter.status, flow: filter.flow };
  return (await listPostgresRows<AlertRow>(db, SELECT_ALERTS, { filters }, filter)).map(alertFromRow);
}

/** How many episodes match. */
export function countPostgresAlerts(
  db: Queryable,
  filter: { status?: AlertHistoryStatus; severity?: string; flow?: string },
): Promise<number> {
  return countPostgresRows(db, 'alert_history', {
    filters: { status: filter.status, severity: filter.severity, flow: filter.flow },
  });
}
