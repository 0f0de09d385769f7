import type { RetryPolicy } from 'cockatiel';
import { writeIsolatingFailures } from './batch-writer.js';
import type { Connector, SourceSpec, TargetRecord, TargetSpec } from './connector.js';
import type { Flow } from './flow.js';
import type { DeadLetterInput } from './state-store.js';
import { valueText, type Row, type Value } from './values.js';

/** Whether a flow reads target rows back after writing them (`target.id` or `writeBack`). */
export function readsBack(flow: Flow): boolean {
  return flow.targetId !== undefined || flow.writeBack.length > 0;
}

/** Target rows looked up by the target key, with the id and write-back columns. */
function readBackSpec(flow: Flow): SourceSpec {
  const columns = [
    flow.target.key,
    ...(flow.targetId === undefined ? [] : [flow.targetId]),
    ...flow.writeBack.map((pair) => pair.target),
  ];
  return {
    ...flow.source,
    table: flow.target.table,
    key: flow.target.key,
    cursor: flow.target.key,
    deleted: undefined,
    columns: [...new Set(columns)],
  };
}

/** The source table written by write-back: updates of the write-back columns by source key. */
function writeBackSpec(flow: Flow): TargetSpec {
  return {
    flow: flow.name,
    table: flow.source.table,
    key: flow.source.key,
    columns: [flow.source.key, ...flow.writeBack.map((pair) => pair.source)],
    types: {},
    onDelete: { mode: 'ignore' },
  };
}

function isEmpty(value: Value | undefined): boolean {
  return value === null || value === undefined || value === '';
}

/** What reading back brought: target ids by source key, and dead letters of failed write-backs. */
export interface ReadBackResult {
  readonly targetIds: ReadonlyMap<string, string>;
  readonly deadLetters: readonly DeadLetterInput[];
}

/**
 * After records were written: reads back the target rows of `keys` to learn the id the target
 * gave each one (`target.id`, for references from other flows), and writes each `writeBack`
 * column whose source value is still empty back to the source row (an update, never an insert).
 * A write-back the source refuses is dead-lettered with its reason; the target write stands.
 */
export async function readBackAndWriteBack(
  flow: Flow,
  connectors: { readonly source: Connector; readonly target: Connector },
  records: readonly TargetRecord[],
  sourceRows: ReadonlyMap<string, Row>,
  policy: RetryPolicy,
  signal: AbortSignal,
): Promise<ReadBackResult> {
  const keys = records.filter((record) => record.op === 'upsert').map((record) => record.key);
  if (keys.length === 0) return { targetIds: new Map(), deadLetters: [] };
  const rows = await connectors.target.readByKeys(readBackSpec(flow), keys, signal);
  const targetIds = new Map<string, string>();
  const updates: TargetRecord[] = [];
  for (const { key, row } of rows) {
    const id = flow.targetId === undefined ? undefined : row[flow.targetId];
    if (!isEmpty(id)) targetIds.set(key, valueText(id));
    const source = sourceRows.get(key);
    if (source === undefined) continue;
    const values: Row = { [flow.source.key]: source[flow.source.key] ?? key };
    let hasValue = false;
    for (const pair of flow.writeBack) {
      const value = row[pair.target];
      if (isEmpty(source[pair.source]) && !isEmpty(value)) {
        values[pair.source] = value ?? null;
        hasValue = true;
      }
    }
    if (hasValue) updates.push({ key, op: 'update', values });
  }
  const deadLetters: DeadLetterInput[] = [];
  if (updates.length > 0) {
    const outcome = await writeIsolatingFailures(
      connectors.source,
      writeBackSpec(flow),
      updates,
      policy,
      signal,
    );
    for (const { record, error } of outcome.rejected)
      deadLetters.push({
        flow: flow.name,
        key: record.key,
        kind: 'write',
        code: error.code,
        reason: `written to ${flow.target.table}, but writing ${Object.keys(record.values)
          .filter((column) => column !== flow.source.key)
          .join(', ')} back to ${flow.source.table} failed: ${error.message}`,
        payload: sourceRows.get(record.key) ?? record.values,
      });
  }
  return { targetIds, deadLetters };
}
