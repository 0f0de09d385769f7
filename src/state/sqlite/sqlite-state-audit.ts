import type Database from 'better-sqlite3';
import type { AuditEntry, AuditInput, AuditResult, PageFilter } from '../../core/state-store.js';
import type { JsonValue } from '../../core/values.js';
import type { SqliteListQueries } from './sqlite-state-list-queries.js';

/** A row of `audit_log` as SQLite returns it. */
export interface AuditRow {
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

/** Named parameters of `startAudit`. */
export interface AuditStartParams {
  actor: string;
  action: string;
  flow: string | null;
  subject: string | null;
  details: string | null;
  /** ISO 8601 UTC. */
  at: string;
}

const SELECT_AUDIT = `SELECT id, actor, action, flow, subject, details, at, finished_at, result, outcome
  FROM audit_log`;

/** An audit entry from its row; what the row does not hold is left out. */
export function auditFromRow(row: AuditRow): AuditEntry {
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

/** The parameters of `startAudit` for one entry. */
export function auditStartParams(entry: AuditInput, at: string): AuditStartParams {
  return {
    actor: entry.actor,
    action: entry.action,
    flow: entry.flow ?? null,
    subject: entry.subject ?? null,
    details: entry.details === undefined ? null : JSON.stringify(entry.details),
    at,
  };
}

/** The audit log of manual actions in the SQLite state store: started before, finished after. */
export class SqliteStateAudit {
  private readonly lists: SqliteListQueries;
  private readonly insert: Database.Statement<[AuditStartParams]>;
  private readonly finishEntry: Database.Statement<[string, string, string, number]>;

  /** Prepares the statements on `db`; filtered lists go through `lists`. */
  constructor(db: Database.Database, lists: SqliteListQueries) {
    this.lists = lists;
    this.insert = db.prepare(
      `INSERT INTO audit_log (actor, action, flow, subject, details, at, result)
       VALUES (@actor, @action, @flow, @subject, @details, @at, 'started')`,
    );
    this.finishEntry = db.prepare(
      'UPDATE audit_log SET result = ?, outcome = ?, finished_at = ? WHERE id = ?',
    );
  }

  /** Records the start of an action at `at`; returns the entry's id. */
  start(entry: AuditInput, at: string): number {
    return Number(this.insert.run(auditStartParams(entry, at)).lastInsertRowid);
  }

  /** Records how the action ended; returns false when there is no entry `id`. */
  finish(id: number, result: Exclude<AuditResult, 'started'>, outcome: string, finishedAt: string): boolean {
    return this.finishEntry.run(result, outcome, finishedAt, id).changes === 1;
  }

  /** Newest first, paged by id. */
  list(filter: { flow?: string; action?: string } & PageFilter): AuditEntry[] {
    const filters = { flow: filter.flow, action: filter.action };
    return this.lists.all<AuditRow>(SELECT_AUDIT, { filters }, filter).map(auditFromRow);
  }
}
