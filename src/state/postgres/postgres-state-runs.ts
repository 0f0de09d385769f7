import { StateStoreError } from '../../core/errors.js';
import { KEYED_TRIGGERS, type RunFinish, type RunRecord, type RunTrigger } from '../../core/state-store.js';
import { RUN_COLUMNS, runFromRow, type RunRow } from '../state-rows.js';
import type { Queryable } from './postgres-state-connection.js';

/** The SELECT of a list of runs, before its filters. */
export const SELECT_RUNS = `SELECT ${RUN_COLUMNS} FROM runs`;

const START = `INSERT INTO runs (flow, "trigger", status, started_at) VALUES ($1, $2, 'running', now()) RETURNING id`;

// The duration is measured on the database's clock, like both times.
const FINISH = `UPDATE runs SET status = $1, finished_at = now(),
    duration_ms = GREATEST(0, floor(extract(epoch FROM now() - started_at) * 1000))::bigint,
    read_count = $2, written_count = $3, unchanged_count = $4, quarantined_count = $5, failed_count = $6,
    deleted_count = $7, error = $8
  WHERE id = $9`;

const LAST_SUCCESSFUL = `${SELECT_RUNS} WHERE flow = $1 AND status = 'succeeded' AND NOT ("trigger" = ANY($2::text[]))
  ORDER BY id DESC LIMIT 1`;

/** Records the start of a cycle; returns its run id. */
export async function startPostgresRun(db: Queryable, flow: string, trigger: RunTrigger): Promise<number> {
  const { rows } = await db.query<{ id: number }>(START, [flow, trigger]);
  return rows[0]?.id ?? 0;
}

/** Records how a run ended; a run never started is refused. */
export async function finishPostgresRun(
  db: Queryable,
  store: string,
  runId: number,
  finish: RunFinish,
): Promise<void> {
  const { counts } = finish;
  const error = finish.error === undefined ? null : JSON.stringify(finish.error);
  const result = Number.isSafeInteger(runId)
    ? await db.query(FINISH, [
        finish.status,
        counts.read,
        counts.written,
        counts.unchanged,
        counts.quarantined,
        counts.failed,
        counts.deleted,
        error,
        runId,
      ])
    : undefined;
  if (result?.rowCount !== 1) {
    throw new StateStoreError(`State store ${store}: no run with id ${runId} to finish`, {
      retryable: false,
    });
  }
}

/** The newest succeeded run of the flow that is a cycle (not of KEYED_TRIGGERS). */
export async function lastSuccessfulPostgresRun(db: Queryable, flow: string): Promise<RunRecord | undefined> {
  const { rows } = await db.query<RunRow>(LAST_SUCCESSFUL, [flow, KEYED_TRIGGERS]);
  return rows[0] === undefined ? undefined : runFromRow(rows[0]);
}
