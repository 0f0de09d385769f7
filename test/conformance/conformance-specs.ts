import type { TestContext } from 'vitest';
import type { SourceSpec, TargetRecord, TargetSpec } from '../../src/core/connector.js';
import type { Row } from '../../src/core/values.js';
import { prepareTable, type ConformanceContext } from './conformance-context.js';
import type { ConnectorHarness, PortableColumn, PreparedObject } from './connector-harness.js';

/** The flow name every conformance spec carries (errors name it). */
export const CONFORMANCE_FLOW = 'conformance';

/** Columns of the versioned source tables: a key, an integer cursor, a payload and a soft-delete flag. */
export const VERSIONED_COLUMNS: readonly PortableColumn[] = [
  { name: 'id', type: 'bigint', nullable: false },
  { name: 'version', type: 'bigint', nullable: false },
  { name: 'name', type: 'text' },
  { name: 'is_deleted', type: 'boolean' },
];

/** The name specs carry: a prepared object's name by the system's rules, or a name as given. */
export function objectName(table: string | PreparedObject): string {
  return typeof table === 'string' ? table : table.object;
}

/** A source spec over a versioned table: key `id`, cursor `version`, batches of 1,000, no lookback. */
export function sourceSpec(table: string | PreparedObject, overrides: Partial<SourceSpec> = {}): SourceSpec {
  return {
    flow: CONFORMANCE_FLOW,
    table: objectName(table),
    key: 'id',
    cursor: 'version',
    deleted: undefined,
    columns: ['id', 'version', 'name', 'is_deleted'],
    batchSize: 1_000,
    lookback: 0,
    ...overrides,
  };
}

/** A target spec with key `id`, hard deletes and no type hints (the connector reads the live schema). */
export function targetSpec(
  table: string | PreparedObject,
  columns: readonly string[],
  overrides: Partial<TargetSpec> = {},
): TargetSpec {
  return {
    flow: CONFORMANCE_FLOW,
    table: objectName(table),
    key: 'id',
    columns,
    types: {},
    onDelete: { mode: 'hard' },
    ...overrides,
  };
}

/** An upsert record keyed by `values.id`. */
export function upsert(values: Row & { readonly id: number }): TargetRecord {
  return { key: String(values.id), op: 'upsert', values };
}

/** A delete record for this id. */
export function remove(id: number): TargetRecord {
  return { key: String(id), op: 'delete', values: { id } };
}

/** The row of a versioned table with this id and version. */
export function versionedRow(id: number, version: number, isDeleted = false): Row {
  return { id, version, name: `row ${id}`, is_deleted: isDeleted };
}

/** Prepares a versioned table holding ids 1..count, with `version(id)` as each row's cursor value. */
export async function createVersionedTable(
  test: TestContext,
  context: ConformanceContext,
  table: string,
  count: number,
  version: (id: number) => number = (id) => id,
): Promise<PreparedObject> {
  const object = await prepareTable(test, context, table, VERSIONED_COLUMNS);
  await insertVersionedRows(context.harness(), object, 1, count, version);
  return object;
}

/** Seeds versioned rows with ids from..to, in chunks so every harness copes. */
export async function insertVersionedRows(
  harness: ConnectorHarness,
  object: PreparedObject,
  from: number,
  to: number,
  version: (id: number) => number,
): Promise<void> {
  for (let start = from; start <= to; start += 500) {
    const rows: Row[] = [];
    for (let id = start; id <= Math.min(to, start + 499); id++) rows.push(versionedRow(id, version(id)));
    await harness.seed(object, rows);
  }
}

/** Sets the cursor (and name) of one row of a versioned table, as an application would. */
export async function updateVersion(
  harness: ConnectorHarness,
  object: PreparedObject,
  id: number,
  version: number,
  name: string,
): Promise<void> {
  await harness.update(object, id, { version, name });
}

/** Ids 1..n. */
export function range(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, index) => from + index);
}
