import type {
  Change,
  ChangeBatch,
  Checkpoint,
  Connector,
  SourceSpec,
  TargetRecord,
  TargetSpec,
} from '../../../src/core/connector.js';
import type { Row } from '../../../src/core/values.js';
import type { MysqlHarness } from './mysql-harness.js';

/** A signal that is never aborted. */
export const neverAborted: AbortSignal = new AbortController().signal;

/** A source spec of flow `customers`: key `id`, cursor `updated_at`, batches of 1,000, no lookback. */
export function mysqlSource(table: string, overrides: Partial<SourceSpec> = {}): SourceSpec {
  return {
    flow: 'customers',
    table,
    key: 'id',
    cursor: 'updated_at',
    deleted: undefined,
    columns: ['id', 'updated_at', 'name'],
    batchSize: 1_000,
    lookback: 0,
    ...overrides,
  };
}

/** A target spec of flow `customers` with hard deletes; the key defaults to `id`. */
export function mysqlTarget(
  table: string,
  columns: readonly string[],
  overrides: Partial<TargetSpec> = {},
): TargetSpec {
  return {
    flow: 'customers',
    table,
    key: 'id',
    columns,
    types: {},
    onDelete: { mode: 'hard' },
    ...overrides,
  };
}

/** Upsert records keyed by the value of `key` in each row. */
export function upserts(rows: readonly Row[], key = 'id'): TargetRecord[] {
  return rows.map((values) => ({ key: JSON.stringify(values[key]), op: 'upsert', values }));
}

/** Every batch a read yields, from `since`. */
export async function readAll(
  connector: Connector,
  spec: SourceSpec,
  since?: Checkpoint,
): Promise<ChangeBatch[]> {
  const batches: ChangeBatch[] = [];
  for await (const batch of connector.readChanges(spec, since, neverAborted)) batches.push(batch);
  return batches;
}

/** The changes of all batches, in order. */
export function changesOf(batches: readonly ChangeBatch[]): Change[] {
  return batches.flatMap((batch) => batch.changes);
}

/** The last row of each key, in order of first appearance (a read re-reads its high-water mark). */
export function latestRows(batches: readonly ChangeBatch[]): Row[] {
  return [...new Map(changesOf(batches).map((change) => [change.key, change.row])).values()];
}

/** Rows of plain SQL on the harness's admin connection, as the driver returns them. */
export async function rawRows(harness: MysqlHarness, sql: string): Promise<Record<string, unknown>[]> {
  const [rows] = await harness.admin.query(sql);
  return rows as Record<string, unknown>[];
}
