import type Database from 'better-sqlite3';
import type { RunActivityBucket, RunActivityFilter } from '../../core/run-activity.js';
import { checkActivityFilter } from '../state-checks.js';
import { runActivityFromRow, type RunActivityRow } from '../state-rows.js';
import { KEYED_TRIGGERS_JSON } from './sqlite-state-statements.js';

// Run times are ISO 8601 UTC text, which orders as time: the range test uses the index on
// started_at; the bucket is whole milliseconds since `since` divided by the bucket width.
const CYCLE = `"trigger" NOT IN (SELECT value FROM json_each(@keyed)) AND status IN ('succeeded', 'failed')`;
const ACTIVITY_SQL = `
  SELECT flow,
    CAST(((julianday(started_at) - julianday(@since)) * 86400000.0) / @bucketMs AS INTEGER) AS bucket,
    SUM(CASE WHEN ${CYCLE} THEN 1 ELSE 0 END) AS cycles,
    SUM(CASE WHEN ${CYCLE} AND status = 'succeeded' THEN 1 ELSE 0 END) AS succeeded,
    SUM(CASE WHEN ${CYCLE} AND status = 'failed' THEN 1 ELSE 0 END) AS failed,
    SUM(read_count) AS read, SUM(written_count) AS written, SUM(quarantined_count) AS quarantined,
    SUM(failed_count) AS refused, SUM(deleted_count) AS deleted,
    MAX(duration_ms) AS max_duration_ms,
    MAX(CASE WHEN ${CYCLE} AND status = 'succeeded' THEN started_at END) AS last_success_at
  FROM runs
  WHERE started_at >= @since AND started_at < @until AND (@flow IS NULL OR flow = @flow)
  GROUP BY flow, bucket
  ORDER BY flow, bucket`;

/** Run history summed per flow and time bucket in SQLite (`RunActivityStore`). */
export class SqliteStateActivity {
  private readonly query: Database.Statement<[Record<string, string | number | null>], RunActivityRow>;

  /** Prepares the statement on `db`. */
  constructor(db: Database.Database) {
    this.query = db.prepare(ACTIVITY_SQL);
  }

  /** Runs that started in [since, until), summed per flow and bucket. */
  activity(filter: RunActivityFilter): RunActivityBucket[] {
    const range = checkActivityFilter(filter);
    const rows = this.query.all({
      ...range,
      bucketMs: filter.bucketMs,
      flow: filter.flow ?? null,
      keyed: KEYED_TRIGGERS_JSON,
    });
    return rows.map(runActivityFromRow);
  }
}
