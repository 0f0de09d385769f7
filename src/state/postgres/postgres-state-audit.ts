import type { AuditEntry, AuditInput, AuditResult, PageFilter } from '../../core/state-store.js';
import { auditFromRow, SELECT_AUDIT, type AuditRow } from '../state-service-rows.js';
import type { Queryable } from './postgres-state-connection.js';
import { listPostgresRows } from './postgres-state-list-queries.js';

const INSERT = `INSERT INTO audit_log (actor, action, flow, subject, details, at, result)
  VALUES ($1, $2, $3, $4, $5, now(), 'started') RETURNING id`;

const FINISH = 'UPDATE audit_log SET result = $1, outcome = $2, finished_at = now() WHERE id = $3';

/** Records the start of an action; returns the entry's id. */
export async function startPostgresAudit(db: Queryable, entry: AuditInput): Promise<number> {
  const details = entry.details === undefined ? null : JSON.stringify(entry.details);
  const { rows } = await db.query<{ id: number }>(INSERT, [
    entry.actor,
    entry.action,
    entry.flow ?? null,
    entry.subject ?? null,
    details,
  ]);
  return rows[0]?.id ?? 0;
}

/** Records how the action ended; false when there is no entry `id`. */
export async function finishPostgresAudit(
  db: Queryable,
  id: number,
  result: Exclude<AuditResult, 'started'>,
  outcome: string,
): Promise<boolean> {
  if (!Number.isSafeInteger(id)) return false;
  return (await db.query(FINISH, [result, outcome, id])).rowCount === 1;
}

/** Newest first, paged by id. */
export async function listPostgresAudit(
  db: Queryable,
  filter: { flow?: string; action?: string } & PageFilter,
): Promise<AuditEntry[]> {
  const filters = { flow: filter.flow, action: filter.action };
  return (await listPostgresRows<AuditRow>(db, SELECT_AUDIT, { filters }, filter)).map(auditFromRow);
}
