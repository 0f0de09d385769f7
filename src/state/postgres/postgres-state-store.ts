import type { Checkpoint } from '../../core/connector.js';
import { StateStoreError } from '../../core/errors.js';
import type {
  AuditEntry,
  AuditInput,
  AuditResult,
  BatchCommit,
  Conflict,
  ConflictStatus,
  DeadLetter,
  DeadLetterStatus,
  LeaseFence,
  LeaseHolder,
  PageFilter,
  ReconciliationInput,
  ReconciliationRecord,
  RunFinish,
  RunRecord,
  RunTrigger,
  StateStore,
  SyncedRecord,
} from '../../core/state-store.js';
import type { JsonValue } from '../../core/values.js';
import {
  conflictFromRow,
  DEAD_LETTER_COLUMNS,
  deadLetterFromRow,
  runFromRow,
  SELECT_CONFLICTS,
  type ConflictRow,
  type DeadLetterRow,
  type RunRow,
} from '../state-rows.js';
import { finishPostgresAudit, listPostgresAudit, startPostgresAudit } from './postgres-state-audit.js';
import {
  commitPostgresBatch,
  resetPostgresCheckpoints,
  setPostgresDeadLetterStatusFenced,
} from './postgres-state-batch.js';
import { postgresOpenConflicts } from './postgres-state-conflicts.js';
import { PostgresStateBase } from './postgres-state-base.js';
import { getPostgresDeadLetter, postgresOpenDeadLetterHashes } from './postgres-state-dead-letters.js';
import { getPostgresSynced } from './postgres-state-key-map.js';
import { acquirePostgresLease, postgresLeaseHolder, releasePostgresLease } from './postgres-state-leases.js';
import { countPostgresRows, listPostgresRows } from './postgres-state-list-queries.js';
import {
  listPostgresReconciliations,
  recordPostgresReconciliation,
} from './postgres-state-reconciliations.js';
import {
  finishPostgresRun,
  lastSuccessfulPostgresRun,
  SELECT_RUNS,
  startPostgresRun,
} from './postgres-state-runs.js';

const GET_CHECKPOINT = 'SELECT checkpoint FROM checkpoints WHERE flow = $1';
const GET_FLOW_META = 'SELECT value FROM flow_meta WHERE flow = $1 AND name = $2';
const PUT_FLOW_META = `INSERT INTO flow_meta (flow, name, value, updated_at) VALUES ($1, $2, $3, now())
  ON CONFLICT (flow, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;

/**
 * The production state store: tables in one schema of a PostgreSQL database, shared by every
 * Syncline process of a deployment on any machine. Leases expire on the database's clock; every
 * fenced change locks the flow's lease row first (postgres-state-batch.ts).
 */
export class PostgresStateStore extends PostgresStateBase implements StateStore {
  async getCheckpoint(flow: string): Promise<Checkpoint | undefined> {
    const rows = await this.rows<{ checkpoint: string }>(
      `read the checkpoint of flow "${flow}"`,
      flow,
      GET_CHECKPOINT,
      [flow],
    );
    return rows[0] === undefined ? undefined : (JSON.parse(rows[0].checkpoint) as Checkpoint);
  }

  resetCheckpoints(fence: LeaseFence): Promise<void> {
    return this.attempt(`reset the checkpoints of flow "${fence.flow}"`, fence.flow, (pool) =>
      resetPostgresCheckpoints(pool, fence),
    );
  }

  getSynced(flow: string, keys: readonly string[]): Promise<Map<string, SyncedRecord>> {
    return this.attempt(`read the synced records of flow "${flow}"`, flow, (pool) =>
      getPostgresSynced(pool, flow, keys),
    );
  }

  commitBatch(fence: LeaseFence, commit: BatchCommit): Promise<void> {
    return this.attempt(`commit a batch of flow "${fence.flow}"`, fence.flow, (pool) =>
      commitPostgresBatch(pool, fence, commit),
    );
  }

  startRun(flow: string, trigger: RunTrigger): Promise<number> {
    return this.attempt(`record the start of a run of flow "${flow}"`, flow, (pool) =>
      startPostgresRun(pool, flow, trigger),
    );
  }

  finishRun(runId: number, finish: RunFinish): Promise<void> {
    return this.attempt(`record the end of run ${runId}`, undefined, (pool) =>
      finishPostgresRun(pool, this.display, runId, finish),
    );
  }

  listRuns(filter: { flow?: string } & PageFilter): Promise<RunRecord[]> {
    return this.attempt('list runs', filter.flow, async (pool) =>
      (await listPostgresRows<RunRow>(pool, SELECT_RUNS, { filters: { flow: filter.flow } }, filter)).map(
        runFromRow,
      ),
    );
  }

  lastSuccessfulRun(flow: string): Promise<RunRecord | undefined> {
    return this.attempt(`read the last successful run of flow "${flow}"`, flow, (pool) =>
      lastSuccessfulPostgresRun(pool, flow),
    );
  }

  listDeadLetters(
    filter: { flow?: string; status?: DeadLetterStatus; keys?: readonly string[] } & PageFilter,
  ): Promise<DeadLetter[]> {
    const conditions = { filters: { flow: filter.flow, status: filter.status }, keys: filter.keys };
    return this.attempt('list dead letters', filter.flow, async (pool) =>
      (
        await listPostgresRows<DeadLetterRow>(
          pool,
          `SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters`,
          conditions,
          filter,
        )
      ).map(deadLetterFromRow),
    );
  }

  countDeadLetters(filter: { flow?: string; status?: DeadLetterStatus }): Promise<number> {
    return this.attempt('count dead letters', filter.flow, (pool) =>
      countPostgresRows(pool, 'dead_letters', { filters: { flow: filter.flow, status: filter.status } }),
    );
  }

  getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.attempt(`read dead letter ${id}`, undefined, (pool) => getPostgresDeadLetter(pool, id));
  }

  setDeadLetterStatus(fence: LeaseFence, ids: readonly number[], status: DeadLetterStatus): Promise<void> {
    const operation = `mark dead letters ${ids.join(', ')} of flow "${fence.flow}" ${status}`;
    return this.attempt(operation, fence.flow, (pool) =>
      setPostgresDeadLetterStatusFenced(pool, fence, ids, status),
    );
  }

  getOpenDeadLetterHashes(flow: string, keys: readonly string[]): Promise<Map<string, string | undefined>> {
    return this.attempt(`read the open dead letters of flow "${flow}"`, flow, (pool) =>
      postgresOpenDeadLetterHashes(pool, flow, keys),
    );
  }

  getOpenConflicts(flow: string, keys: readonly string[]): Promise<Map<string, Conflict>> {
    return this.attempt(`read the open conflicts of flow "${flow}"`, flow, (pool) =>
      postgresOpenConflicts(pool, flow, keys),
    );
  }

  listConflicts(filter: { flow?: string; status?: ConflictStatus } & PageFilter): Promise<Conflict[]> {
    const filters = { flow: filter.flow, status: filter.status };
    return this.attempt('list conflicts', filter.flow, async (pool) =>
      (await listPostgresRows<ConflictRow>(pool, SELECT_CONFLICTS, { filters }, filter)).map(conflictFromRow),
    );
  }

  countConflicts(filter: { flow?: string; status?: ConflictStatus }): Promise<number> {
    return this.attempt('count conflicts', filter.flow, (pool) =>
      countPostgresRows(pool, 'conflicts', { filters: { flow: filter.flow, status: filter.status } }),
    );
  }

  startAudit(entry: AuditInput): Promise<number> {
    return this.attempt(`record the start of "${entry.action}" in the audit log`, entry.flow, (pool) =>
      startPostgresAudit(pool, entry),
    );
  }

  finishAudit(id: number, result: Exclude<AuditResult, 'started'>, outcome: string): Promise<void> {
    return this.attempt(`record the end of audit entry ${id}`, undefined, async (pool) => {
      if (!(await finishPostgresAudit(pool, id, result, outcome)))
        throw new StateStoreError(`State store ${this.display}: no audit entry with id ${id} to finish`, {
          retryable: false,
        });
    });
  }

  listAudit(filter: { flow?: string; action?: string } & PageFilter): Promise<AuditEntry[]> {
    return this.attempt('list the audit log', filter.flow, (pool) => listPostgresAudit(pool, filter));
  }

  recordReconciliation(summary: ReconciliationInput): Promise<number> {
    return this.attempt(`record a reconciliation of flow "${summary.flow}"`, summary.flow, (pool) =>
      recordPostgresReconciliation(pool, summary),
    );
  }

  listReconciliations(filter: { flow?: string } & PageFilter): Promise<ReconciliationRecord[]> {
    return this.attempt('list reconciliations', filter.flow, (pool) =>
      listPostgresReconciliations(pool, filter),
    );
  }

  acquireLease(flow: string, owner: string, ttlMs: number): Promise<LeaseFence | undefined> {
    return this.attempt(`take the lease of flow "${flow}" for ${owner}`, flow, (pool) =>
      acquirePostgresLease(pool, flow, owner, ttlMs),
    );
  }

  releaseLease(flow: string, owner: string): Promise<void> {
    return this.attempt(`release the lease of flow "${flow}" for ${owner}`, flow, (pool) =>
      releasePostgresLease(pool, flow, owner),
    );
  }

  getLeaseHolder(flow: string): Promise<LeaseHolder | undefined> {
    return this.attempt(`read the lease of flow "${flow}"`, flow, (pool) => postgresLeaseHolder(pool, flow));
  }

  async getFlowMeta(flow: string, name: string): Promise<JsonValue | undefined> {
    const rows = await this.rows<{ value: string }>(`read "${name}" of flow "${flow}"`, flow, GET_FLOW_META, [
      flow,
      name,
    ]);
    return rows[0] === undefined ? undefined : (JSON.parse(rows[0].value) as JsonValue);
  }

  async setFlowMeta(flow: string, name: string, value: JsonValue): Promise<void> {
    await this.attempt(`store "${name}" of flow "${flow}"`, flow, (pool) =>
      pool.query(PUT_FLOW_META, [flow, name, JSON.stringify(value)]),
    );
  }
}
