import { canonicalText } from '../digest.js';
import { compareDecimals, normalizeDecimal } from '../decimal.js';
import type { CanonicalRecord } from '../state-store.js';
import type { Row, Value } from '../values.js';
import type { RecordComparison } from './record-comparison.js';
import type { ConflictPolicy, RecordPolicy, Side } from './two-way-flow.js';

/** One side's version of a record, in target columns. */
export interface Version {
  readonly values: Row;
  readonly canonical: CanonicalRecord;
  /** Its cursor value (when it last changed), for newest-wins. */
  readonly cursor: Value | undefined;
  /** Zone of the cursor when it is a naive timestamp. */
  readonly cursorZone?: string | undefined;
  /** The target's own id of the record (`target.id`), for a target version read with it. */
  readonly id?: string | undefined;
}

/** What to do about a record both sides changed. */
export type Resolution =
  /** Both sides hold the same record already: it becomes the new base, nothing is written. */
  | { readonly action: 'agree' }
  /**
   * Write `record` (target columns) to the sides named: `target`, `source` or both. It becomes
   * the new base. `winner` says which version won, for logs: `source`, `target` or `merge`.
   */
  | {
      readonly action: 'write';
      readonly record: Row;
      readonly toTarget: boolean;
      readonly toSource: boolean;
      readonly winner: 'source' | 'target' | 'merge';
    }
  /** Park both versions for an operator (`manual`). */
  | { readonly action: 'park'; readonly fields: readonly string[]; readonly reason: string };

function numberText(value: Value | undefined): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? normalizeDecimal(String(value)) : undefined;
  return typeof value === 'string' ? normalizeDecimal(value) : undefined;
}

function instantOf(value: Value | undefined, zone: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = canonicalText(value, 'instant', zone);
  return text === null || text.startsWith('\u0001') ? undefined : text;
}

/**
 * The side that changed last by the cursor timestamps (compared as instants, or as numbers for
 * version cursors). A tie, or cursors that cannot be compared, goes to the source: deterministic.
 */
export function newestSide(source: Version, target: Version): Side {
  const a = instantOf(source.cursor, source.cursorZone);
  const b = instantOf(target.cursor, target.cursorZone);
  if (a !== undefined && b !== undefined) return b > a ? 'target' : 'source';
  const na = numberText(source.cursor);
  const nb = numberText(target.cursor);
  if (na !== undefined && nb !== undefined) return compareDecimals(nb, na) > 0 ? 'target' : 'source';
  return 'source';
}

/** Which side changed which of the differing fields since `base`, for the operator. */
function describeChanges(
  base: CanonicalRecord | undefined,
  source: Version,
  target: Version,
  differing: readonly string[],
): string {
  if (base === undefined)
    return `the two sides hold different ${differing.join(', ')} and never agreed before (conflict: manual)`;
  const changed = (version: Version): string[] =>
    differing.filter((column) => version.canonical[column] !== base[column]);
  const both = changed(source).filter((column) => changed(target).includes(column));
  if (both.length > 0) return `both sides changed ${both.join(', ')} since the last sync (conflict: manual)`;
  return `the source changed ${changed(source).join(', ')} and the target changed ${changed(target).join(', ')} since the last sync (conflict: manual)`;
}

function wholeRecord(policy: RecordPolicy, source: Version, target: Version): Side | 'park' {
  switch (policy) {
    case 'source-wins':
      return 'source';
    case 'target-wins':
      return 'target';
    case 'newest-wins':
      return newestSide(source, target);
    case 'manual':
      return 'park';
  }
}

function written(record: Row, comparison: RecordComparison, source: Version, target: Version): Resolution {
  const canonical = comparison.canonical(record);
  const toTarget = !comparison.isEqual(canonical, target.canonical);
  const toSource = !comparison.isEqual(canonical, source.canonical);
  const winner = !toTarget ? 'target' : !toSource ? 'source' : 'merge';
  return { action: 'write', record, toTarget, toSource, winner };
}

/**
 * Settles a record both sides changed since `base` (undefined when they never agreed), by the
 * flow's policy. Record policies take one side's whole record; `fields` merges field by field: a
 * field changed on one side only takes that side's value, one changed on both takes its owner's,
 * and a field without owner follows `otherwise`.
 */
export function resolveConflict(
  policy: ConflictPolicy,
  base: CanonicalRecord | undefined,
  source: Version,
  target: Version,
  comparison: RecordComparison,
): Resolution {
  const differing = comparison.diff(source.canonical, target.canonical);
  if (differing.length === 0) return { action: 'agree' };
  if (policy.mode === 'record') {
    const side = wholeRecord(policy.policy, source, target);
    if (side === 'park')
      return { action: 'park', fields: differing, reason: describeChanges(base, source, target, differing) };
    return written({ ...(side === 'source' ? source.values : target.values) }, comparison, source, target);
  }
  const merged: Row = { ...target.values };
  const unresolved: string[] = [];
  for (const column of differing) {
    const sourceChanged = base === undefined || source.canonical[column] !== base[column];
    const targetChanged = base === undefined || target.canonical[column] !== base[column];
    let side: Side | 'park';
    if (sourceChanged && !targetChanged) side = 'source';
    else if (targetChanged && !sourceChanged) side = 'target';
    else side = policy.owners.get(column) ?? wholeRecord(policy.otherwise, source, target);
    if (side === 'park') unresolved.push(column);
    else merged[column] = (side === 'source' ? source.values : target.values)[column] ?? null;
  }
  if (unresolved.length > 0)
    return {
      action: 'park',
      fields: differing,
      reason: `both sides changed ${unresolved.join(', ')}, which no side owns (conflict.otherwise: manual)`,
    };
  return written(merged, comparison, source, target);
}
