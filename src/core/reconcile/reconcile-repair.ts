import { writeIsolatingFailures } from '../batch-writer.js';
import type { TargetRecord } from '../connector.js';
import type { CyclePorts } from '../cycle-ports.js';
import type { Flow } from '../flow.js';
import { withManualRun } from '../manual-run.js';
import { resyncKeys } from '../resync.js';
import { createRetryPolicy } from '../retry-policy.js';
import type { SyncedRecord } from '../state-store.js';
import { valueText } from '../values.js';
import { settleKeys } from '../two-way/settle-keys.js';
import type { Difference } from './reconcile-compare.js';

/** What a repair did. */
export interface RepairOutcome {
  /** Differences settled (written, deleted or parked as a conflict). */
  readonly repaired: number;
  /** Differences left as they are, with the reason (onDelete: ignore, a record that fails validation…). */
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
  /** Records a side refused: dead-lettered, with the reason. */
  readonly failed: readonly { readonly key: string; readonly reason: string }[];
}

/**
 * Applies the compensating changes of a reconcile through the normal write path, validated and
 * recorded like a cycle's: records missing or different at the target are written again from the
 * source (a two-way flow settles a difference by its conflict policy, `manual` parks it), and rows
 * only the target has are deleted as the flow's `onDelete` says (nothing under `ignore`).
 */
export async function repairDifferences(
  flow: Flow,
  ports: CyclePorts,
  differences: readonly Difference[],
  signal: AbortSignal,
): Promise<RepairOutcome> {
  const skipped: { key: string; reason: string }[] = [];
  const failed: { key: string; reason: string }[] = [];
  let repaired = 0;
  const rewrite = differences.filter((difference) => difference.kind !== 'extra').map((d) => d.key);
  if (rewrite.length > 0) {
    if (flow.twoWay === undefined) {
      const result = await resyncKeys(flow, ports, rewrite, { trigger: 'repair', signal });
      repaired += result.counts.written;
      const letters = await ports.state.listDeadLetters({
        flow: flow.name,
        status: 'open',
        keys: rewrite,
        limit: rewrite.length,
      });
      for (const letter of letters) failed.push({ key: letter.key, reason: letter.reason });
      if (result.error !== undefined) throw result.error;
    } else {
      const outcome = await settleKeys(flow, ports, rewrite, 'repair', signal);
      repaired += outcome.settled + outcome.parked;
      failed.push(...outcome.failed);
    }
  }
  const extras = differences.filter((difference) => difference.kind === 'extra');
  if (extras.length > 0) {
    const outcome = await deleteExtras(flow, ports, extras, signal);
    repaired += outcome.repaired;
    skipped.push(...outcome.skipped);
    failed.push(...outcome.failed);
  }
  return { repaired, skipped, failed };
}

async function deleteExtras(
  flow: Flow,
  ports: CyclePorts,
  extras: readonly Difference[],
  signal: AbortSignal,
): Promise<RepairOutcome> {
  const policy = flow.target.onDelete;
  if (policy.mode === 'ignore')
    return {
      repaired: 0,
      skipped: extras.map((extra) => ({
        key: extra.key,
        reason: 'left at the target: the flow has onDelete: ignore',
      })),
      failed: [],
    };
  const records: TargetRecord[] = extras.flatMap((extra): TargetRecord[] => {
    const keyValue = extra.target?.[flow.target.key] ?? extra.key;
    if (policy.mode === 'hard')
      return [{ key: extra.key, op: 'delete', values: { [flow.target.key]: keyValue } }];
    if (extra.target === undefined) return [];
    return [{ key: extra.key, op: 'upsert', values: { ...extra.target, [policy.column]: true } }];
  });
  const run = await withManualRun(
    flow.name,
    ports,
    { trigger: 'repair', signal, what: 'repair' },
    async (counts, fence) => {
      const outcome = await writeIsolatingFailures(
        ports.target,
        flow.target,
        records,
        createRetryPolicy(flow.retry),
        signal,
      );
      const known = await ports.state.getSynced(
        flow.name,
        outcome.written.map((record) => record.key),
      );
      const synced: SyncedRecord[] = outcome.written
        .filter((record) => known.has(record.key))
        .map((record) => ({
          key: record.key,
          targetKey: valueText(record.values[flow.target.key]),
          hash: '',
          deleted: true,
        }));
      await ports.state.commitBatch(fence, { synced, deadLetters: [], resolvedKeys: [] });
      counts.written += outcome.written.length;
      counts.deleted += outcome.written.length;
      counts.failed += outcome.rejected.length;
      return {
        value: {
          repaired: outcome.written.length,
          skipped: [],
          failed: outcome.rejected.map(({ record, error }) => ({ key: record.key, reason: error.message })),
        },
        status: outcome.rejected.length === 0 ? 'succeeded' : 'failed',
      };
    },
  );
  return run.value;
}
