import type Database from 'better-sqlite3';
import type {
  Conflict,
  ConflictInput,
  ConflictResolution,
  ConflictStatus,
  PageFilter,
} from '../../core/state-store.js';
import { encodeRow } from '../row-json.js';
import { conflictFromRow, SELECT_CONFLICTS, type ConflictRow } from '../state-rows.js';
import type { SqliteListQueries } from './sqlite-state-list-queries.js';

/** Named parameters of `putConflict`. */
export interface ConflictParams {
  flow: string;
  key: string;
  base: string | null;
  source: string;
  target: string;
  fields: string;
  reason: string;
  /** ISO 8601 UTC. */
  now: string;
}

/** Named parameters of `resolveConflict`. */
export interface ConflictResolutionParams {
  flow: string;
  key: string;
  resolution: string;
  by: string;
  /** ISO 8601 UTC. */
  now: string;
}

/** The parameters of `putConflict` for one conflict. */
export function conflictParams(conflict: ConflictInput, now: string): ConflictParams {
  return {
    flow: conflict.flow,
    key: conflict.key,
    base: conflict.base === undefined ? null : JSON.stringify(conflict.base),
    source: encodeRow(conflict.source),
    target: encodeRow(conflict.target),
    fields: JSON.stringify(conflict.fields),
    reason: conflict.reason,
    now,
  };
}

/**
 * The conflicts of two-way flows in the SQLite state store: one open entry per (flow, key),
 * updated in place when the key conflicts again, until a batch resolves it.
 */
export class SqliteStateConflicts {
  private readonly lists: SqliteListQueries;
  private readonly put: Database.Statement<[ConflictParams]>;
  private readonly resolveOpen: Database.Statement<[ConflictResolutionParams]>;
  private readonly getOpen: Database.Statement<[string, string], ConflictRow>;

  /** Prepares the statements on `db`; filtered lists go through `lists`. */
  constructor(db: Database.Database, lists: SqliteListQueries) {
    this.lists = lists;
    this.put = db.prepare(
      `INSERT INTO conflicts (flow, key, base, source, target, fields, reason, status, occurrences, detected_at,
         updated_at)
       VALUES (@flow, @key, @base, @source, @target, @fields, @reason, 'open', 1, @now, @now)
       ON CONFLICT (flow, key) WHERE status = 'open' DO UPDATE SET base = excluded.base, source = excluded.source,
         target = excluded.target, fields = excluded.fields, reason = excluded.reason,
         occurrences = conflicts.occurrences + 1, updated_at = excluded.updated_at`,
    );
    this.resolveOpen = db.prepare(
      `UPDATE conflicts SET status = 'resolved', resolution = @resolution, resolved_by = @by, resolved_at = @now,
         updated_at = @now
       WHERE flow = @flow AND key = @key AND status = 'open'`,
    );
    this.getOpen = db.prepare(
      `${SELECT_CONFLICTS} WHERE flow = ? AND status = 'open' AND key IN (SELECT value FROM json_each(?))`,
    );
  }

  /**
   * Inside a batch's transaction: settles the open conflicts of `resolutions`, then records
   * `conflicts`, so a key resolved and found in conflict again in one batch stays open.
   */
  apply(
    flow: string,
    conflicts: readonly ConflictInput[],
    resolutions: readonly ConflictResolution[],
    now: string,
  ): void {
    for (const { key, resolution, by } of resolutions)
      this.resolveOpen.run({ flow, key, resolution, by, now });
    for (const conflict of conflicts) this.put.run(conflictParams(conflict, now));
  }

  /** The open conflicts of `keys` in `flow`, by key. */
  openOf(flow: string, keys: readonly string[]): Map<string, Conflict> {
    const found = new Map<string, Conflict>();
    if (keys.length === 0) return found;
    for (const row of this.getOpen.all(flow, JSON.stringify(keys))) found.set(row.key, conflictFromRow(row));
    return found;
  }

  /** Newest (last found) first, paged by id. */
  list(filter: { flow?: string; status?: ConflictStatus } & PageFilter): Conflict[] {
    const filters = { flow: filter.flow, status: filter.status };
    return this.lists.all<ConflictRow>(SELECT_CONFLICTS, { filters }, filter).map(conflictFromRow);
  }

  /** How many conflicts match. */
  count(filter: { flow?: string; status?: ConflictStatus }): number {
    return this.lists.count('conflicts', { filters: { flow: filter.flow, status: filter.status } });
  }
}
