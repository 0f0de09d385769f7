import type { Change } from './connector.js';
import { evaluateCondition } from './expression-eval.js';
import type { Flow } from './flow.js';
import type { DeadLetterInput, StateStore, SyncedRecord } from './state-store.js';

/** Changes left after a flow's row filter, and the rows whose filter could not be evaluated. */
export interface FilteredChanges {
  /** Changes to map and write: inside the filter, or synced ones that left it (as deletes). */
  readonly changes: readonly Change[];
  /** Rows whose filter could not be evaluated, quarantined with the reason. */
  readonly deadLetters: readonly DeadLetterInput[];
  /** Changes outside the filter that were never synced (or synced as deleted): nothing to write. */
  readonly skipped: number;
}

/**
 * Applies the flow's row filter (`filter`). A row for which it is true goes on as read. A row for
 * which it is false (or NULL) has left the flow's scope: when the key map holds it as synced and
 * not deleted, it goes on as a delete, handled by `target.onDelete` (hard, soft or ignore);
 * otherwise it is skipped. A filter that cannot be evaluated on a row quarantines that row.
 */
export async function applyRowFilter(
  flow: Flow,
  state: Pick<StateStore, 'getSynced'>,
  changes: readonly Change[],
): Promise<FilteredChanges> {
  const { filter } = flow;
  if (filter === undefined) return { changes, deadLetters: [], skipped: 0 };
  const deadLetters: DeadLetterInput[] = [];
  const outside = new Set<string>();
  for (const change of changes) {
    const result = evaluateCondition(filter, change.row);
    if (result.ok) {
      if (!result.value) outside.add(change.key);
      continue;
    }
    deadLetters.push({
      flow: flow.name,
      key: change.key,
      kind: 'validation',
      code: 'VALIDATION_FAILED',
      reason: `filter ${JSON.stringify(filter.text)}: ${result.reason}`,
      payload: change.row,
    });
  }
  if (outside.size === 0 && deadLetters.length === 0) return { changes, deadLetters, skipped: 0 };
  const synced =
    outside.size === 0 ? new Map<string, SyncedRecord>() : await state.getSynced(flow.name, [...outside]);
  const quarantined = new Set(deadLetters.map((letter) => letter.key));
  const kept: Change[] = [];
  let skipped = 0;
  for (const change of changes) {
    if (quarantined.has(change.key)) continue;
    if (!outside.has(change.key)) {
      kept.push(change);
      continue;
    }
    const record = synced.get(change.key);
    if (record === undefined || record.deleted) skipped += 1;
    else kept.push({ ...change, op: 'delete' });
  }
  return { changes: kept, deadLetters, skipped };
}
