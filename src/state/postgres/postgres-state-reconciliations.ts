import type { SyncErrorJson } from '../../core/errors.js';
import type { PageFilter, ReconciliationInput, ReconciliationRecord } from '../../core/state-store.js';
import type { Queryable } from './postgres-state-connection.js';
import { listPostgresRows } from './postgres-state-list-queries.js';

/** A row of `reconciliations`. */
interface ReconciliationRow {
  id: number;
  flow: string;
  started_at: string;
  finished_at: string;
  mode: string;
  status: string;
  missing: number;
  extra: number;
  different: number;
  repaired: number;
  rows_transferred: number;
  /** SyncErrorJson as JSON text. */
  error: string | null;
}

const SELECT_RECONCILIATIONS = `SELECT id, flow, started_at, finished_at, mode, status, missing, extra, different,
  repaired, rows_transferred, error FROM reconciliations`;

const INSERT = `INSERT INTO reconciliations (flow, started_at, finished_at, mode, status, missing, extra, different,
    repaired, rows_transferred, error)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`;

function reconciliationFromRow(row: ReconciliationRow): ReconciliationRecord {
  return {
    id: row.id,
    flow: row.flow,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    mode: row.mode as ReconciliationRecord['mode'],
    status: row.status as ReconciliationRecord['status'],
    missing: row.missing,
    extra: row.extra,
    different: row.different,
    repaired: row.repaired,
    rowsTransferred: row.rows_transferred,
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as SyncErrorJson }),
  };
}

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
