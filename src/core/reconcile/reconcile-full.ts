import { hash } from 'node:crypto';
import type { SourceSpec } from '../connector.js';
import { pickColumns, type Row } from '../values.js';
import { compareRows, mapSourceRows, type CompareContext, type Difference } from './reconcile-compare.js';
import { keyText } from './reconcile-plan.js';
import { approximateBytes, type DigestSide, type TransferStats } from './reconcile-scan.js';

const PAGE_ROWS = 5000;
/** Keys re-read per query when details of differing records are fetched. */
const DETAIL_KEYS = 1000;

function recordHash(context: CompareContext, values: Row): string {
  return hash('sha1', JSON.stringify(context.plan.comparison.canonical(values)), 'base64url');
}

/**
 * The full compare: every row of both tables is read (a page at a time) and compared in
 * Syncline — the baseline the checksum mode is measured against, and the way to compare columns
 * the databases cannot hash. Memory: one hash per target key, then the rows of differing keys.
 */
export async function fullCompare(
  context: CompareContext,
  sides: { readonly source: DigestSide; readonly target: DigestSide },
  lookup: SourceSpec,
  target: CompareContext['source'],
  stats: TransferStats,
): Promise<{ differences: Difference[]; sourceTotal: number; targetTotal: number }> {
  const { flow, signal } = context;
  const targetHashes = new Map<string, string>();
  for await (const page of sides.target.support.scan(sides.target.spec, PAGE_ROWS, signal)) {
    stats.targetRows += page.length;
    stats.bytes += approximateBytes(page);
    for (const row of page) {
      const key = keyText(row[flow.target.key]);
      if (key === undefined) continue;
      targetHashes.set(key, recordHash(context, pickColumns(row, flow.target.columns)));
    }
  }
  const targetTotal = targetHashes.size;
  let sourceTotal = 0;
  const suspects: string[] = [];
  for await (const page of sides.source.support.scan(sides.source.spec, PAGE_ROWS, signal)) {
    stats.sourceRows += page.length;
    stats.bytes += approximateBytes(page);
    sourceTotal += page.length;
    const differences = await compareRowsByHash(context, page, targetHashes);
    suspects.push(...differences);
  }
  suspects.push(...targetHashes.keys());
  const differences: Difference[] = [];
  for (let start = 0; start < suspects.length; start += DETAIL_KEYS) {
    const keys = suspects.slice(start, start + DETAIL_KEYS);
    const [sourceChanges, targetChanges] = await Promise.all([
      context.source.readByKeys(flow.source, keys, signal),
      target.readByKeys(lookup, keys, signal),
    ]);
    const excluded = flow.source.deleted !== undefined && flow.target.onDelete.mode !== 'soft';
    const sourceRows = sourceChanges
      .filter((change) => !excluded || change.op !== 'delete')
      .map((change) => change.row);
    differences.push(
      ...(await compareRows(
        context,
        sourceRows,
        targetChanges.map((change) => change.row),
      )),
    );
  }
  return { differences, sourceTotal, targetTotal };
}

/** Keys of a page of source rows whose mapped record does not hash like the target's; matched keys leave the map. */
async function compareRowsByHash(
  context: CompareContext,
  page: readonly Row[],
  targetHashes: Map<string, string>,
): Promise<string[]> {
  const suspects: string[] = [];
  for (const [key, mapped] of await mapSourceRows(context, page)) {
    const expected = targetHashes.get(key);
    targetHashes.delete(key);
    // A row outside the flow's filter is a suspect only when the target holds its key.
    if ('outside' in mapped) {
      if (expected !== undefined) suspects.push(key);
      continue;
    }
    if (expected === undefined || 'failure' in mapped || expected !== recordHash(context, mapped.values))
      suspects.push(key);
  }
  return suspects;
}
