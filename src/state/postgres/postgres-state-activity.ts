import { KEYED_TRIGGERS } from '../../core/state-store.js';
import type { RunActivityBucket, RunActivityFilter } from '../../core/run-activity.js';
import { checkActivityFilter } from '../state-checks.js';
import { runActivityFromRow, type RunActivityRow } from '../state-rows.js';
import type { Queryable } from './postgres-state-connection.js';

// $1 since, $2 until, $3 bucket width (ms), $4 flow or NULL, $5 the keyed triggers (not cycles).
// The range test uses the index on started_at; sums of bigint are numeric, so they are cast back.
const CYCLE = `NOT ("trigger" = ANY($5::text[])) AND status IN ('succeeded', 'failed')`;
const ACTIVITY_SQL = `
  SELECT flow,
    floor(extract(epoch FROM started_at - $1::timestamptz) * 1000 / $3::bigint)::bigint AS bucket,
    count(*) FILTER (WHERE ${CYCLE}) AS cycles,
    count(*) FILTER (WHERE ${CYCLE} AND status = 'succeeded') AS succeeded,
    count(*) FILTER (WHERE ${CYCLE} AND status = 'failed') AS failed,
    sum(read_count)::bigint AS read, sum(written_count)::bigint AS written,
    sum(quarantined_count)::bigint AS quarantined, sum(failed_count)::bigint AS refused,
    sum(deleted_count)::bigint AS deleted,
    max(duration_ms) AS max_duration_ms,
    max(started_at) FILTER (WHERE ${CYCLE} AND status = 'succeeded') AS last_success_at
  FROM runs
  WHERE started_at >= $1::timestamptz AND started_at < $2::timestamptz AND ($4::text IS NULL OR flow = $4)
  GROUP BY flow, bucket
  ORDER BY flow, bucket`;

/** Runs that started in [since, until), summed per flow and bucket in the database. */
export async function postgresRunActivity(
  db: Queryable,
  filter: RunActivityFilter,
): Promise<RunActivityBucket[]> {
  const { since, until } = checkActivityFilter(filter);
  const { rows } = await db.query<RunActivityRow>(ACTIVITY_SQL, [
    since,
    until,
    filter.bucketMs,
    filter.flow ?? null,
    KEYED_TRIGGERS,
  ]);
  return rows.map(runActivityFromRow);
}
