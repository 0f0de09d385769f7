import { join } from 'node:path';
import { openStateStore } from '../../src/cli/state-store-factory.js';
import type { RunRecord, StateStore } from '../../src/core/state-store.js';
import { everyPage } from '../../src/operations/page.js';
import { createPostgresDatabase } from './databases.js';

/**
 * The state store every process of a test cluster shares. SQLite works while all processes run on
 * this machine; switch to 'postgres' once the PostgreSQL state store (src/state/postgres) is in.
 */
export const CLUSTER_STATE_STORE: 'sqlite' | 'postgres' = 'postgres';

/** A cluster's state store: the `state:` URL of its config, and the test's own handle on it. */
export interface ClusterState {
  /** For `state:` in the config. */
  readonly url: string;
  /** Opens the store from the test process (to read run history). */
  open(): Promise<StateStore>;
  /** Drops what `createClusterState` created (the PostgreSQL database; the SQLite file goes with its folder). */
  drop(): Promise<void>;
}

/** A fresh state store of the kind `CLUSTER_STATE_STORE` names; an SQLite file lives in `dir`. */
export async function createClusterState(dir: string): Promise<ClusterState> {
  if (CLUSTER_STATE_STORE === 'sqlite') {
    const url = `sqlite:${join(dir, 'state.db')}`;
    return { url, open: () => openStateStore(url), drop: () => Promise.resolve() };
  }
  const database = await createPostgresDatabase('cluster_state');
  const url = `${database.url}?schema=cluster`;
  return { url, open: () => openStateStore(url), drop: () => database.drop() };
}

/** Every run of a flow in the store, page by page, oldest first. */
export async function allRuns(state: StateStore, flow: string): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for await (const page of everyPage((limit, beforeId) =>
    state.listRuns({ flow, limit, ...(beforeId === undefined ? {} : { beforeId }) }),
  ))
    runs.push(...page);
  return runs.sort((a, b) => a.id - b.id);
}

/** What the run history of one flow says about its cycles' times. */
export interface RunTimeline {
  /** Runs left `running` with a later run after them: their process died mid-cycle. */
  readonly orphans: readonly number[];
  /** Consecutive runs whose times overlap: the earlier one finished after the later one started. */
  readonly overlaps: readonly string[];
}

/**
 * Checks that no two runs of a flow overlapped: sorted by start, each run finished before (or when)
 * the next one started. A run still `running` is the flow's current cycle when it is the last one,
 * and an orphan (its process was killed, so it never finished) when another run follows it; orphans
 * are listed for the test to account for, and left out of the comparison.
 */
export function runTimeline(runs: readonly RunRecord[]): RunTimeline {
  const sorted = [...runs].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.id - b.id);
  const orphans = sorted
    .filter((run, index) => run.finishedAt === undefined && index < sorted.length - 1)
    .map((run) => run.id);
  const timed = sorted.filter((run) => !orphans.includes(run.id));
  const overlaps: string[] = [];
  for (let index = 1; index < timed.length; index++) {
    const previous = timed[index - 1];
    const next = timed[index];
    if (previous === undefined || next === undefined || previous.finishedAt === undefined) continue;
    if (Date.parse(previous.finishedAt) > Date.parse(next.startedAt))
      overlaps.push(
        `run ${String(previous.id)} (${previous.startedAt} to ${previous.finishedAt}) and run ${String(next.id)} (from ${next.startedAt})`,
      );
  }
  return { orphans, overlaps };
}
