import type { Change, Connector } from '../connector.js';
import type { Flow } from '../flow.js';
import { evaluateCondition } from '../expression-eval.js';
import { mapChange } from '../mapping.js';
import { translateReferences } from '../references.js';
import type { StateStore } from '../state-store.js';
import { validateRecord } from '../validation.js';
import { isFlagSet } from '../digest.js';
import { pickColumns, type Row } from '../values.js';
import { keyText, type ReconcilePlan } from './reconcile-plan.js';

/** One record on which the two sides disagree. */
export interface Difference {
  /** The source key, as text. */
  readonly key: string;
  /**
   * `missing`: at the source, not at the target. `extra`: at the target, not at the source (a row
   * added to the target, or hard-deleted at the source). `different`: on both, with other values.
   */
  readonly kind: 'missing' | 'extra' | 'different';
  /** Target columns that differ (`different`). */
  readonly fields?: readonly string[];
  /** What Syncline knows about it, e.g. that the source record fails validation. */
  readonly note?: string;
  /** The source record mapped to target columns. */
  readonly source?: Row;
  /** The target row (target columns). */
  readonly target?: Row;
}

/** What comparing needs besides the rows. */
export interface CompareContext {
  readonly flow: Flow;
  readonly plan: ReconcilePlan;
  readonly state: StateStore;
  readonly source: Connector;
  readonly signal: AbortSignal;
}

/**
 * A source row mapped to target columns, or why it would not be written, or `outside`: the row
 * is outside the flow's filter, so the target should not hold it (or hold it as deleted).
 */
export type MappedRecord =
  { readonly values: Row } | { readonly failure: string } | { readonly outside: true };

/** Source rows by key, mapped, referenced and validated as a cycle would, or why they would not be written. */
export async function mapSourceRows(
  context: CompareContext,
  rows: readonly Row[],
): Promise<Map<string, MappedRecord>> {
  const { flow } = context;
  const mapped = new Map<string, MappedRecord>();
  const records = [];
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    const key = keyText(row[flow.source.key]);
    if (key === undefined) continue;
    byKey.set(key, row);
    if (flow.filter !== undefined) {
      const scope = evaluateCondition(flow.filter, row);
      if (!scope.ok) {
        mapped.set(key, { failure: `its filter cannot be evaluated: ${scope.reason}` });
        continue;
      }
      if (!scope.value) {
        mapped.set(key, { outside: true });
        continue;
      }
    }
    const isDeleted = flow.source.deleted !== undefined && isFlagSet(row[flow.source.deleted]);
    const change: Change = { key, op: isDeleted ? 'delete' : 'upsert', row };
    const result = mapChange(flow.mapping, change);
    if (!result.ok) mapped.set(key, { failure: `its ${result.field} cannot be mapped: ${result.reason}` });
    else if (result.record !== undefined && result.record.op === 'upsert') records.push(result.record);
  }
  const translated = await translateReferences(flow, context.state, records, byKey);
  for (const waiting of translated.waiting) mapped.set(waiting.key, { failure: waiting.reason });
  for (const record of translated.records) {
    const failure = validateRecord(flow.rules, record.values);
    mapped.set(
      record.key,
      failure === undefined
        ? { values: record.values }
        : { failure: `it fails validation: ${failure.field} ${failure.reason}` },
    );
  }
  return mapped;
}

/**
 * Compares source rows with target rows of the same keys (the rows of some buckets, or of every
 * key): each source row is mapped, referenced and validated as a cycle would, then compared
 * column by column in canonical text with the target row of its key.
 */
export async function compareRows(
  context: CompareContext,
  sourceRows: readonly Row[],
  targetRows: readonly Row[],
): Promise<Difference[]> {
  const { flow, plan } = context;
  const mapped = await mapSourceRows(context, sourceRows);
  const targets = new Map<string, Row>();
  for (const row of targetRows) {
    const key = keyText(row[flow.target.key]);
    if (key !== undefined) targets.set(key, pickColumns(row, flow.target.columns));
  }
  const differences: Difference[] = [];
  for (const [key, entry] of mapped) {
    const target = targets.get(key);
    targets.delete(key);
    if ('outside' in entry) {
      // Left as last written (onDelete: ignore), or deleted: what a cycle does with such a row.
      const policy = flow.target.onDelete;
      if (target === undefined || policy.mode === 'ignore') continue;
      if (policy.mode === 'soft' && isFlagSet(target[policy.column])) continue;
      differences.push({
        key,
        kind: 'extra',
        target,
        note: "outside the flow's filter but still at the target",
      });
      continue;
    }
    if ('failure' in entry) {
      differences.push({
        key,
        kind: target === undefined ? 'missing' : 'different',
        note: `the source record is not synced: ${entry.failure}`,
        ...(target === undefined ? {} : { target }),
      });
      continue;
    }
    if (target === undefined) {
      differences.push({ key, kind: 'missing', source: entry.values });
      continue;
    }
    const fields = plan.comparison.diff(
      plan.comparison.canonical(entry.values),
      plan.comparison.canonical(target),
    );
    if (fields.length > 0) differences.push({ key, kind: 'different', fields, source: entry.values, target });
  }
  const extras = [...targets.keys()];
  if (extras.length === 0) return differences;
  // A target row without a source row: the source may keep it as soft-deleted (left out of the
  // compare) — then it is expected under onDelete: ignore, and stale under hard.
  const flagged = new Map<string, Row>();
  if (flow.source.deleted !== undefined) {
    for (const change of await context.source.readByKeys(flow.source, extras, context.signal))
      if (change.op === 'delete') flagged.set(change.key, change.row);
  }
  for (const key of extras) {
    const target = targets.get(key);
    if (flagged.has(key) && flow.target.onDelete.mode === 'ignore') continue;
    // Under onDelete: soft a target row marked deleted stands for a record the source no longer has.
    const policy = flow.target.onDelete;
    if (policy.mode === 'soft' && isFlagSet(target?.[policy.column])) continue;
    differences.push({
      key,
      kind: 'extra',
      ...(target === undefined ? {} : { target }),
      note: flagged.has(key)
        ? 'deleted at the source (soft-delete flag) but still at the target'
        : 'not at the source (added at the target, or deleted at the source)',
    });
  }
  return differences;
}
