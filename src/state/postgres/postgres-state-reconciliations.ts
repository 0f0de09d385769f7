import type { PageFilter, ReconciliationInput, ReconciliationRecord } from '../../core/state-store.js';
import { reconciliationFromRow, SELECT_RECONCILIATIONS, type ReconciliationRow } from '../state-rows.js';
import type { Queryable } from './postgres-state-connection.js';
import { listPostgresRows } from './postgres-state-list-queries.js';

const INSERT = `INSERT INTO reconciliations (flow, started_at, finished_at, mode, status, missing, extra, different,
    repaired, rows_transferred, error)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`;

/** Stores a summary; returns its id. */
export async function recordPostgresReconciliation(
  db: Queryable,
  summary: ReconciliationInput,
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(INSERT, [
    summary.flow,
    summary.startedAt,
    summary.finishedAt,
    summary.mode,
    summary.status,
    summary.missing,
    summary.extra,
    summary.different,
    summary.repaired,
    summary.rowsTransferred,
    summary.error === undefined ? null : JSON.stringify(summary.error),
  ]);
  return rows[0]?.id ?? 0;
}

/** Newest (last recorded) first, paged by id. */
export async function listPostgresReconciliations(
  db: Queryable,
  filter: { flow?: string } & PageFilter,
): Promise<ReconciliationRecord[]> {
  const rows = await listPostgresRows<ReconciliationRow>(
    db,
    SELECT_RECONCILIATIONS,
    { filters: { flow: filter.flow } },
    filter,
  );
  return rows.map(reconciliationFromRow);
}
