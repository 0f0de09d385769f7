import type { AuditEntry, AuditInput, AuditResult, PageFilter } from '../../core/state-store.js';
import type { JsonValue } from '../../core/values.js';
import type { Queryable } from './postgres-state-connection.js';
import { listPostgresRows } from './postgres-state-list-queries.js';

/** A row of `audit_log`. */
interface AuditRow {
  id: number;
  actor: string;
  action: string;
  flow: string | null;
  subject: string | null;
  /** JSON text; NULL when no details were given (a given `null` is the text `null`). */
  details: string | null;
  at: string;
  finished_at: string | null;
  result: string;
  outcome: string | null;
}

const SELECT_AUDIT =
  'SELECT id, actor, action, flow, subject, details, at, finished_at, result, outcome FROM audit_log';

const INSERT = `INSERT INTO audit_log (actor, action, flow, subject, details, at, result)
  VALUES ($1, $2, $3, $4, $5, now(), 'started') RETURNING id`;

const FINISH = 'UPDATE audit_log SET result = $1, outcome = $2, finished_at = now() WHERE id = $3';

function auditFromRow(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    actor: row.actor,
    action: row.action,
    ...(row.flow === null ? {} : { flow: row.flow }),
    ...(row.subject === null ? {} : { subject: row.subject }),
    ...(row.details === null ? {} : { details: JSON.parse(row.details) as JsonValue }),
    at: row.at,
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
    result: row.result as AuditResult,
    ...(row.outcome === null ? {} : { outcome: row.outcome }),
  };
}

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
