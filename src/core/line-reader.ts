import type { Change, LineRow, LineSourceSpec, SourceSpec } from './connector.js';
import { valueText } from './values.js';

/** Reads rows by key, as `Connector.readByKeys` does. */
export type RowsByKeys = (
  source: SourceSpec,
  keys: readonly string[],
  signal: AbortSignal,
) => Promise<Change[]>;

/**
 * The lines of one relation as a source of their own: keyed by the parent column, so reading
 * "by key" a batch of parent keys is one query, `WHERE parent IN (…)`, for all their lines.
 */
export function lineSource(source: SourceSpec, line: LineSourceSpec): SourceSpec {
  return {
    flow: source.flow,
    table: line.table,
    key: line.parent,
    // Never paged by cursor: read by parent key only. The line key serves as the (unused) cursor.
    cursor: line.key,
    deleted: undefined,
    columns: [...new Set([line.parent, line.key, ...line.columns])],
    batchSize: source.batchSize,
    lookback: 0,
  };
}

function compareLineKeys(a: LineRow, b: LineRow): number {
  const numeric = /^-?\d+(\.\d+)?$/;
  if (numeric.test(a.key) && numeric.test(b.key)) return Number(a.key) - Number(b.key);
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Fills `Change.lines` of the upserts of one batch (with `SourceSpec.lines`): per relation one read
 * of the lines of every parent of the batch, grouped by parent and put in line-key order. Memory
 * holds one batch of parents with their lines; deletes carry no lines.
 */
export async function attachLines(
  source: SourceSpec,
  changes: readonly Change[],
  readByKeys: RowsByKeys,
  signal: AbortSignal,
): Promise<Change[]> {
  const relations = source.lines ?? [];
  const parents = changes.filter((change) => change.op === 'upsert').map((change) => change.key);
  if (relations.length === 0 || parents.length === 0) return [...changes];
  const grouped = new Map<string, Map<string, LineRow[]>>();
  for (const relation of relations) {
    const byParent = new Map<string, LineRow[]>();
    for (const { key: parent, row } of await readByKeys(lineSource(source, relation), parents, signal)) {
      const lines = byParent.get(parent) ?? [];
      lines.push({ key: valueText(row[relation.key]), row });
      byParent.set(parent, lines);
    }
    for (const lines of byParent.values()) lines.sort(compareLineKeys);
    grouped.set(relation.name, byParent);
  }
  return changes.map((change) =>
    change.op !== 'upsert'
      ? change
      : {
          ...change,
          lines: Object.fromEntries(
            relations.map((relation) => [relation.name, grouped.get(relation.name)?.get(change.key) ?? []]),
          ),
        },
  );
}
