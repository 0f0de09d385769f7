import type Database from 'better-sqlite3';
import type { AuditEntry, AuditInput, AuditResult, PageFilter } from '../../core/state-store.js';
import { auditFromRow, SELECT_AUDIT, type AuditRow } from '../state-service-rows.js';
import type { SqliteListQueries } from './sqlite-state-list-queries.js';

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
