import type { CyclePorts } from '../cycle-ports.js';
import { SyncError, toSyncError } from '../errors.js';
import type { Flow } from '../flow.js';
import type { JsonValue } from '../values.js';
import { compareRows, type CompareContext, type Difference } from './reconcile-compare.js';
import { fullCompare } from './reconcile-full.js';
import { planReconcile, type ReconcilePlan, type UncheckedColumn } from './reconcile-plan.js';
import { repairDifferences, type RepairOutcome } from './reconcile-repair.js';
import {
  chunkBuckets,
  emptyTransfer,
  findDifferingBuckets,
  readChunk,
  type BucketSearchOptions,
  type DigestSide,
  type TransferStats,
} from './reconcile-scan.js';

/** How to reconcile. */
export interface ReconcileOptions {
  /** `checksum`: bucket checksums in the databases, rows read only where they differ. `full`: every row. */
  readonly mode: 'checksum' | 'full';
  /** Apply the compensating changes, then compare again. */
  readonly repair: boolean;
  readonly signal: AbortSignal;
  /** Differences listed in full in the report (all are counted). Default 1000. */
  readonly detailLimit?: number;
  readonly search?: BucketSearchOptions;
}

/** The result of comparing both sides once. */
export interface ComparisonResult {
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly missing: number;
  readonly extra: number;
  readonly different: number;
  readonly transfer: TransferStats;
  readonly durationMs: number;
}

/** What `syncline reconcile` reports (also as JSON). */
export interface ReconcileReport {
  readonly flow: string;
  readonly mode: 'checksum' | 'full';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly comparison: ComparisonResult;
  /** Columns the databases could not hash (checksum mode): compared only in rows read. */
  readonly unchecked: readonly UncheckedColumn[];
  /** The first `detailLimit` differences, each with its fields and both versions. */
  readonly differences: readonly Difference[];
  readonly repair?: RepairOutcome & { readonly after: ComparisonResult };
}

function sides(
  flow: Flow,
  ports: CyclePorts,
  plan: ReconcilePlan,
): { source: DigestSide; target: DigestSide } {
  const source = ports.source.digests;
  const target = ports.target.digests;
  if (source === undefined || target === undefined)
    throw new SyncError(
      'RECONCILE_UNSUPPORTED',
      `Flow "${flow.name}": connection ${source === undefined ? flow.sourceConnection : flow.targetConnection} cannot compute checksums or scan its table, so it cannot be reconciled`,
      { flow: flow.name },
    );
  return { source: { support: source, spec: plan.source }, target: { support: target, spec: plan.target } };
}

async function compareOnce(
  flow: Flow,
  ports: CyclePorts,
  plan: ReconcilePlan,
  options: ReconcileOptions,
): Promise<{ result: ComparisonResult; differences: Difference[] }> {
  const started = Date.now();
  const transfer = emptyTransfer();
  const both = sides(flow, ports, plan);
  const context: CompareContext = {
    flow,
    plan,
    state: ports.state,
    source: ports.source,
    signal: options.signal,
  };
  let differences: Difference[] = [];
  let sourceRows: number;
  let targetRows: number;
  if (options.mode === 'full') {
    const lookup = {
      ...flow.source,
      table: flow.target.table,
      key: flow.target.key,
      cursor: flow.target.key,
      deleted: undefined,
      columns: plan.target.read,
    };
    const full = await fullCompare(context, both, lookup, ports.target, transfer);
    ({ differences, sourceTotal: sourceRows, targetTotal: targetRows } = full);
  } else {
    const differing = await findDifferingBuckets(
      both.source,
      both.target,
      options.signal,
      transfer,
      options.search,
    );
    sourceRows = differing.sourceTotal;
    targetRows = differing.targetTotal;
    for (const chunk of chunkBuckets(differing, options.search?.chunkRows)) {
      const rows = await readChunk(both.source, both.target, chunk, options.signal, transfer);
      differences = differences.concat(await compareRows(context, rows.source, rows.target));
    }
  }
  const count = (kind: Difference['kind']): number => differences.filter((d) => d.kind === kind).length;
  return {
    differences,
    result: {
      sourceRows,
      targetRows,
      missing: count('missing'),
      extra: count('extra'),
      different: count('different'),
      transfer,
      durationMs: Date.now() - started,
    },
  };
}

/**
 * Reconciles a flow: compares both tables by key and content (checksums computed in each
 * database, bisection into the buckets that differ, rows read only there), reports missing, extra
 * and different records, and with `repair` applies the compensating changes and compares again.
 * The summary is recorded in the state store for status and metrics. A flow with a row filter is
 * always compared in `full` mode, since the filter is evaluated by Syncline, not in SQL.
 */
export async function reconcileFlow(
  flow: Flow,
  ports: CyclePorts,
  requested: ReconcileOptions,
): Promise<ReconcileReport> {
  // A row filter is evaluated by Syncline, not in the databases' checksums: compare every row.
  const options: ReconcileOptions = flow.filter === undefined ? requested : { ...requested, mode: 'full' };
  const startedAt = new Date().toISOString();
  let report: ReconcileReport | undefined;
  try {
    const [sourceSchema, targetSchema] = await Promise.all([
      ports.source.capabilities.describe
        ? ports.source.describeTable(flow.source.table, options.signal)
        : undefined,
      ports.target.capabilities.describe
        ? ports.target.describeTable(flow.target.table, options.signal)
        : undefined,
    ]);
    const plan = planReconcile(flow, ports, { source: sourceSchema, target: targetSchema });
    const first = await compareOnce(flow, ports, plan, options);
    let repair: ReconcileReport['repair'];
    if (options.repair && first.differences.length > 0) {
      const outcome = await repairDifferences(flow, ports, first.differences, options.signal);
      const after = await compareOnce(flow, ports, plan, options);
      repair = { ...outcome, after: after.result };
    }
    report = {
      flow: flow.name,
      mode: options.mode,
      startedAt,
      finishedAt: new Date().toISOString(),
      comparison: first.result,
      unchecked: options.mode === 'checksum' ? plan.unchecked : [],
      differences: first.differences.slice(0, options.detailLimit ?? 1000),
      ...(repair === undefined ? {} : { repair }),
    };
    return report;
  } catch (error) {
    await record(flow, ports, options, startedAt, undefined, toSyncError(error, { flow: flow.name }));
    throw error;
  } finally {
    if (report !== undefined) await record(flow, ports, options, startedAt, report, undefined);
  }
}

/** The meta name under which a flow's last reconcile summary is kept (status, metrics). */
export const RECONCILE_META = 'reconcile.last';

async function record(
  flow: Flow,
  ports: CyclePorts,
  options: ReconcileOptions,
  startedAt: string,
  report: ReconcileReport | undefined,
  error: SyncError | undefined,
): Promise<void> {
  const comparison = report?.comparison;
  const summary = {
    flow: flow.name,
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: options.mode,
    status: error === undefined ? ('succeeded' as const) : ('failed' as const),
    missing: comparison?.missing ?? 0,
    extra: comparison?.extra ?? 0,
    different: comparison?.different ?? 0,
    repaired: report?.repair?.repaired ?? 0,
    rowsTransferred: (comparison?.transfer.sourceRows ?? 0) + (comparison?.transfer.targetRows ?? 0),
    ...(error === undefined ? {} : { error: error.toJSON() }),
  };
  await ports.state.recordReconciliation(summary);
  const remaining = report?.repair?.after;
  await ports.state.setFlowMeta(flow.name, RECONCILE_META, {
    ...summary,
    drift: summary.missing + summary.extra + summary.different,
    ...(remaining === undefined
      ? {}
      : { driftAfterRepair: remaining.missing + remaining.extra + remaining.different }),
  } as unknown as JsonValue);
}
