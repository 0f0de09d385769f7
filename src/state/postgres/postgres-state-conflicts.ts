import type { Conflict, ConflictInput, ConflictResolution } from '../../core/state-store.js';
import { encodeRow } from '../row-json.js';
import { conflictFromRow, SELECT_CONFLICTS, type ConflictRow } from '../state-rows.js';
import type { Queryable } from './postgres-state-connection.js';
import { inRounds } from './postgres-state-rows.js';

const PUT = `INSERT INTO conflicts (flow, key, base, source, target, fields, reason, status, occurrences, detected_at,
    updated_at)
  SELECT u.flow, u.key, u.base, u.source, u.target, u.fields, u.reason, 'open', 1, now(), now()
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
    WITH ORDINALITY AS u(flow, key, base, source, target, fields, reason, position)
  ORDER BY u.position
  ON CONFLICT (flow, key) WHERE status = 'open' DO UPDATE SET base = excluded.base, source = excluded.source,
    target = excluded.target, fields = excluded.fields, reason = excluded.reason,
    occurrences = conflicts.occurrences + 1, updated_at = excluded.updated_at`;

const RESOLVE = `UPDATE conflicts AS c SET status = 'resolved', resolution = u.resolution, resolved_by = u.by,
    resolved_at = now(), updated_at = now()
  FROM unnest($2::text[], $3::text[], $4::text[]) AS u(key, resolution, by)
  WHERE c.flow = $1 AND c.key = u.key AND c.status = 'open'`;

const OPEN_OF = `${SELECT_CONFLICTS} WHERE flow = $1 AND status = 'open' AND key = ANY($2::text[])`;

/** The parameter arrays of PUT, one set per round; a version that is not JSON throws here, before any write. */
export function conflictColumns(conflicts: readonly ConflictInput[]): (string | null)[][][] {
  return inRounds(conflicts, (c) => JSON.stringify([c.flow, c.key])).map((round) => [
    round.map((c) => c.flow),
    round.map((c) => c.key),
    round.map((c) => (c.base === undefined ? null : JSON.stringify(c.base))),
    round.map((c) => encodeRow(c.source)),
    round.map((c) => encodeRow(c.target)),
    round.map((c) => JSON.stringify(c.fields)),
    round.map((c) => c.reason),
  ]);
}

/**
 * Inside a batch's transaction: settles the open conflicts of `resolutions` (the first of a key
 * wins), then records the conflicts (`conflictColumns`), so a key resolved and found in conflict
 * again in one batch stays open.
 */
export async function applyPostgresConflicts(
  db: Queryable,
  flow: string,
  conflictRounds: readonly (string | null)[][][],
  resolutions: readonly ConflictResolution[],
): Promise<void> {
  for (const round of inRounds(resolutions, (resolution) => resolution.key)) {
    await db.query(RESOLVE, [
      flow,
      round.map((r) => r.key),
      round.map((r) => r.resolution),
      round.map((r) => r.by),
    ]);
  }
  for (const columns of conflictRounds) await db.query(PUT, columns);
}

/** The open conflicts of `keys` in `flow`, by key. */
export async function postgresOpenConflicts(
  db: Queryable,
  flow: string,
  keys: readonly string[],
): Promise<Map<string, Conflict>> {
  const found = new Map<string, Conflict>();
  if (keys.length === 0) return found;
  const { rows } = await db.query<ConflictRow>(OPEN_OF, [flow, keys]);
  for (const row of rows) found.set(row.key, conflictFromRow(row));
  return found;
}
