import type Database from 'better-sqlite3';
import type { PageFilter, ReconciliationInput, ReconciliationRecord } from '../../core/state-store.js';
import { reconciliationFromRow, SELECT_RECONCILIATIONS, type ReconciliationRow } from '../state-rows.js';
import type { SqliteListQueries } from './sqlite-state-list-queries.js';

/** Named parameters of `recordReconciliation`. */
export interface ReconciliationParams {
  flow: string;
  startedAt: string;
  finishedAt: string;
  mode: string;
  status: string;
  missing: number;
  extra: number;
  different: number;
  repaired: number;
  rowsTransferred: number;
  error: string | null;
}

/** The parameters of `recordReconciliation` for one summary. */
export function reconciliationParams(summary: ReconciliationInput): ReconciliationParams {
  return {
    flow: summary.flow,
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    mode: summary.mode,
    status: summary.status,
    missing: summary.missing,
    extra: summary.extra,
    different: summary.different,
    repaired: summary.repaired,
    rowsTransferred: summary.rowsTransferred,
    error: summary.error === undefined ? null : JSON.stringify(summary.error),
  };
}

/** The history of reconciliations in the SQLite state store, one summary per run. */
export class SqliteStateReconciliations {
  private readonly lists: SqliteListQueries;
  private readonly insert: Database.Statement<[ReconciliationParams]>;

  /** Prepares the statements on `db`; filtered lists go through `lists`. */
  constructor(db: Database.Database, lists: SqliteListQueries) {
    this.lists = lists;
    this.insert = db.prepare(
      `INSERT INTO reconciliations (flow, started_at, finished_at, mode, status, missing, extra, different, repaired,
         rows_transferred, error)
       VALUES (@flow, @startedAt, @finishedAt, @mode, @status, @missing, @extra, @different, @repaired,
         @rowsTransferred, @error)`,
    );
  }

  /** Stores a summary; returns its id. */
  record(summary: ReconciliationInput): number {
    return Number(this.insert.run(reconciliationParams(summary)).lastInsertRowid);
  }

  /** Newest (last recorded) first, paged by id. */
  list(filter: { flow?: string } & PageFilter): ReconciliationRecord[] {
    return this.lists
      .all<ReconciliationRow>(SELECT_RECONCILIATIONS, { filters: { flow: filter.flow } }, filter)
      .map(reconciliationFromRow);
  }
}
