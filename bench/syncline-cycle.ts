import type { FlowConfig } from '../src/config/config-schema.js';
import { benchScript, runNodeChild, type ChildReport } from './child-process.js';

/** What the Syncline child is told to run; see syncline-cycle-child.ts. */
export interface SynclineCycleArguments {
  /** The flow's name (also its key in the state store). */
  readonly flowName: string;
  /** The flow as a user writes it under `flows:` in syncline.yaml (connections `crm` and `erp`). */
  readonly flow: FlowConfig;
  /** URL of the `crm` connection (PostgreSQL source). */
  readonly sourceUrl: string;
  /** Type and URL of the `erp` connection (the target). */
  readonly targetType: 'postgres' | 'mysql';
  readonly targetUrl: string;
  /** SQLite state file shared by the backfill and the incremental cycle of a flow. */
  readonly stateFile: string;
}

/**
 * The customers flow of the bench, as it would read in syncline.yaml:
 *
 * ```yaml
 * customers:
 *   source: { connection: crm, table: customers, key: id, cursor: updated_at, deleted: is_deleted }
 *   target: { connection: erp, table: customers_syncline, key: crm_id, onDelete: { soft: is_deleted } }
 *   batch: 5000
 *   backfill: { lanes: 2 }       # when the case runs in lanes
 *   fields: { external_code: external_code, name: name, …, credit_limit: { from: credit_limit, type: decimal } }
 * ```
 */
export function customersFlowConfig(
  sourceTable: string,
  targetTable: string,
  batch: number,
  options: { readonly bulk?: boolean; readonly lanes?: number } = {},
): FlowConfig {
  const backfill = {
    // The backfill without the bulk path (BENCH_UPSERT_PATH=1), for a before/after comparison.
    ...(options.bulk === false ? { bulk: false } : {}),
    ...(options.lanes === undefined || options.lanes === 1 ? {} : { lanes: options.lanes }),
  };
  return {
    source: { connection: 'crm', table: sourceTable, key: 'id', cursor: 'updated_at', deleted: 'is_deleted' },
    target: { connection: 'erp', table: targetTable, key: 'crm_id', onDelete: { soft: 'is_deleted' } },
    batch,
    ...(Object.keys(backfill).length === 0 ? {} : { backfill }),
    fields: {
      external_code: 'external_code',
      name: 'name',
      email: 'email',
      phone: 'phone',
      city: 'city',
      credit_limit: { from: 'credit_limit', type: 'decimal' },
      status: 'status',
    },
  };
}

/**
 * Runs one Syncline cycle of a flow in a child process (`node dist/bench/syncline-cycle-child.js`):
 * the first call of a flow is its backfill, later calls are incremental cycles from the checkpoint
 * kept in `stateFile`. Resolves with the cycle's time and the child's peak RSS.
 */
export function runSynclineCycle(argument: SynclineCycleArguments): Promise<ChildReport> {
  return runNodeChild(benchScript('syncline-cycle-child'), argument);
}
