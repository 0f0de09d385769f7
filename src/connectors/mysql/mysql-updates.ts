import type { TargetRecord } from '../../core/connector.js';
import { SyncError } from '../../core/errors.js';
import { buildMultiUpdate, buildUpdate } from './mysql-sql.js';
import {
  chunkRows,
  comparableKey,
  groupByColumns,
  lockExistingKeys,
  runStatement,
  type Execute,
  type UpsertGroup,
  type WritePlan,
} from './mysql-upserts.js';
import { estimateSqlBytes } from './mysql-values.js';

/** Rows per multi-row UPDATE: each row adds a `WHEN` to every column's CASE, so keep it modest. */
const ROWS_PER_UPDATE = 200;

/** What the updates of a batch did. */
export interface UpdateOutcome {
  /** Rows found (and so updated). */
  readonly written: number;
  /** Keys of records whose row does not exist. */
  readonly notFound: readonly string[];
}

type GroupRow = UpsertGroup['rows'][number];

/** Bytes a row adds to a multi-row UPDATE: its key once per column, and each value. */
function updateBytes(row: GroupRow): number {
  const keyBytes = estimateSqlBytes(row.values[0]) + 16;
  return row.values.slice(1).reduce<number>((sum, value) => sum + keyBytes + estimateSqlBytes(value), 16);
}

/**
 * Runs one multi-row UPDATE. When a record breaks it (a non-retryable failure), the rows are
 * replayed one statement each, inside the same transaction (rolled back anyway), so the error
 * names the record at fault: a multi-row statement's `at row N` counts rows in index order.
 */
async function runUpdateChunk(
  execute: Execute,
  plan: WritePlan,
  columns: readonly string[],
  chunk: readonly GroupRow[],
  signal: AbortSignal,
): Promise<void> {
  const { table, target } = plan;
  const single = (row: GroupRow): Promise<unknown> =>
    runStatement(execute, buildUpdate(table, columns, target.key, row.values.slice(1), row.values[0]), plan, [
      row.record,
    ]);
  const [only] = chunk;
  if (chunk.length === 1 && only !== undefined) {
    await single(only);
    return;
  }
  const rows = chunk.map((row) => ({ key: row.values[0], values: row.values.slice(1) }));
  try {
    await runStatement(execute, buildMultiUpdate(table, columns, target.key, rows), plan, []);
  } catch (error) {
    if (signal.aborted || !(error instanceof SyncError) || error.retryable) throw error;
    for (const row of chunk) await single(row);
    throw error;
  }
}

/**
 * Updates the existing rows of `update` records, never inserting, in the caller's transaction:
 * per column set, locks the records' rows and learns which exist, then sets the given columns on
 * those in multi-row UPDATEs. Values are bound as upserts bind them (groupByColumns).
 */
export async function writeUpdates(
  execute: Execute,
  plan: WritePlan,
  records: readonly TargetRecord[],
  signal: AbortSignal,
): Promise<UpdateOutcome> {
  let written = 0;
  const notFound: string[] = [];
  for (const group of groupByColumns(plan, records)) {
    const existing = await lockExistingKeys(execute, plan, group, signal);
    const found: GroupRow[] = [];
    for (const row of group.rows) {
      if (existing.has(comparableKey(row.values[0]))) found.push(row);
      else notFound.push(row.record.key);
    }
    written += found.length;
    const columns = group.columns.slice(1);
    if (columns.length === 0) continue;
    for (let start = 0; start < found.length; start += ROWS_PER_UPDATE) {
      const rows = found.slice(start, start + ROWS_PER_UPDATE);
      for (const chunk of chunkRows(rows, updateBytes, plan.maxStatementBytes)) {
        signal.throwIfAborted();
        await runUpdateChunk(execute, plan, columns, chunk, signal);
      }
    }
  }
  return { written, notFound };
}
