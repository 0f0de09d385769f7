import type { AlertEpisode, AlertEpisodeInput, AlertHistoryStatus } from '../../core/alert-history.js';
import type { PageFilter } from '../../core/state-store.js';
import type { Queryable } from './postgres-state-connection.js';
import { countPostgresRows, listPostgresRows } from './postgres-state-list-queries.js';

/** A row of `alert_history`. */
interface AlertRow {
  id: number;
  rule: string;
  flow: string;
  severity: string;
  status: string;
  starts_at: string;
  ends_at: string | null;
  summary: string;
  updated_at: string;
}

const SELECT_ALERTS =
  'SELECT id, rule, flow, severity, status, starts_at, ends_at, summary, updated_at FROM alert_history';

const UPSERT = `INSERT INTO alert_history (rule, flow, severity, status, starts_at, ends_at, summary, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, now())
  ON CONFLICT (rule, flow, starts_at) DO UPDATE SET severity = excluded.severity, status = excluded.status,
    ends_at = excluded.ends_at, summary = excluded.summary, updated_at = excluded.updated_at`;

function alertFromRow(row: AlertRow): AlertEpisode {
  return {
    id: row.id,
    rule: row.rule,
    flow: row.flow,
    severity: row.severity,
    status: row.status as AlertHistoryStatus,
    startsAt: row.starts_at,
    ...(row.ends_at === null ? {} : { endsAt: row.ends_at }),
    summary: row.summary,
    updatedAt: row.updated_at,
  };
}

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
