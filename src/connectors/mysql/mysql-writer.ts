import type { Pool, PoolConnection } from 'mysql2/promise';
import type { TargetRecord, TargetSpec, WriteResult } from '../../core/connector.js';
import type { Value } from '../../core/values.js';
import { findColumn } from './mysql-describe.js';
import { toConnectorError } from './mysql-errors.js';
import { buildDelete, buildSoftDelete, type Statement } from './mysql-sql.js';
import {
  groupByColumns,
  KEYS_PER_STATEMENT,
  runStatement,
  writeCheckedGroup,
  writeUpsertGroup,
  type Execute,
  type StatementResult,
  type WritePlan,
} from './mysql-upserts.js';
import { writeUpdates } from './mysql-updates.js';
import { assertFormattable, toMysqlValue } from './mysql-values.js';

function compareKeys(a: Value | undefined, b: Value | undefined): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' || typeof a === 'number' ? String(a) : '';
  const sb = typeof b === 'string' || typeof b === 'number' ? String(b) : '';
  if (/^-?\d+$/.test(sa) && /^-?\d+$/.test(sb)) {
    const diff = BigInt(sa) - BigInt(sb);
    return diff === 0n ? 0 : diff < 0n ? -1 : 1;
  }
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * The records to write, in target key order (InnoDB inserts into its clustered index in key order
 * several times faster than at random). Of the upserts and deletes of a key the last wins. An
 * update after an upsert (or update) of its key is merged into it, its columns last; an update
 * after a delete, or alone, is kept as an update, which `writeRecords` runs after the deletes. An
 * upsert drops an earlier update of its key (the last wins); a delete keeps it.
 */
export function orderRecords(target: TargetSpec, records: readonly TargetRecord[]): TargetRecord[] {
  const latest = new Map<string, TargetRecord>();
  const updates = new Map<string, TargetRecord>();
  for (const record of records) {
    const previous = latest.get(record.key);
    if (record.op !== 'update') {
      latest.delete(record.key);
      latest.set(record.key, record);
      if (record.op === 'upsert') updates.delete(record.key);
    } else if (previous?.op === 'upsert') {
      latest.set(record.key, { ...previous, values: { ...previous.values, ...record.values } });
    } else {
      const pending = updates.get(record.key);
      updates.set(
        record.key,
        pending === undefined ? record : { ...record, values: { ...pending.values, ...record.values } },
      );
    }
  }
  return [...latest.values(), ...updates.values()].sort((a, b) =>
    compareKeys(a.values[target.key], b.values[target.key]),
  );
}

async function writeDeletes(
  execute: Execute,
  plan: WritePlan,
  records: readonly TargetRecord[],
  signal: AbortSignal,
): Promise<number> {
  const { target } = plan;
  if (target.onDelete.mode === 'ignore' || records.length === 0) return 0;
  const keyColumn = findColumn(plan.schema, target.key);
  let written = 0;
  for (let start = 0; start < records.length; start += KEYS_PER_STATEMENT) {
    signal.throwIfAborted();
    const chunk = records.slice(start, start + KEYS_PER_STATEMENT);
    const keys = chunk.map((record) =>
      toMysqlValue(keyColumn, record.values[target.key] ?? record.key, plan.timezone),
    );
    const statement =
      target.onDelete.mode === 'hard'
        ? buildDelete(plan.table, target.key, keys)
        : buildSoftDelete(plan.table, target.key, target.onDelete.column, keys);
    written += (await runStatement(execute, statement, plan, chunk)).affectedRows;
  }
  return written;
}

/**
 * Writes records on one connection inside the caller's transaction: upserts in key order (multi-row
 * `ON DUPLICATE KEY UPDATE`, or the checked form for tables with other unique keys), then deletes,
 * then updates (see orderRecords). Returns the records upserted plus the rows deleted and the rows
 * updated, and the keys of updates whose row does not exist.
 */
export async function writeRecords(
  execute: Execute,
  plan: WritePlan,
  records: readonly TargetRecord[],
  signal: AbortSignal,
): Promise<WriteResult> {
  const ordered = orderRecords(plan.target, records);
  const byOp = (op: TargetRecord['op']): TargetRecord[] => ordered.filter((record) => record.op === op);
  let written = 0;
  for (const group of groupByColumns(plan, byOp('upsert'))) {
    written += plan.isChecked
      ? await writeCheckedGroup(execute, plan, group, signal)
      : await writeUpsertGroup(execute, plan, group, signal);
  }
  written += await writeDeletes(execute, plan, byOp('delete'), signal);
  const updated = await writeUpdates(execute, plan, byOp('update'), signal);
  written += updated.written;
  return updated.notFound.length === 0 ? { written } : { written, notFound: [...updated.notFound] };
}

/** Rolls a failed batch back; a connection that cannot even roll back is closed, not reused. */
async function rollbackOrDestroy(connection: PoolConnection): Promise<void> {
  try {
    await connection.rollback();
    connection.release();
  } catch {
    connection.destroy();
  }
}

/**
 * Runs `body` in one transaction on one pooled connection: committed when it returns, rolled back
 * when it throws, with the failure as a ConnectorError naming the table (a SyncError passes as it
 * is; an abort of the cycle is rethrown unchanged).
 */
export async function inTransaction<T>(
  pool: Pool,
  plan: WritePlan,
  signal: AbortSignal,
  body: (connection: PoolConnection) => Promise<T>,
): Promise<T> {
  const context = {
    flow: plan.target.flow,
    table: plan.target.table,
    secrets: plan.secrets,
    ...(plan.server === undefined ? {} : { server: plan.server }),
  };
  let connection: PoolConnection;
  try {
    connection = await pool.getConnection();
  } catch (error) {
    throw toConnectorError(error, context);
  }
  try {
    await connection.beginTransaction();
    const result = await body(connection);
    signal.throwIfAborted();
    await connection.commit();
    connection.release();
    return result;
  } catch (error) {
    await rollbackOrDestroy(connection);
    if (signal.aborted) throw error;
    throw toConnectorError(error, context);
  }
}

/**
 * Writes a batch in one transaction on one pooled connection: all of it, or (rolled back) none of
 * it, with the failure as a ConnectorError naming the table and, where known, the record key.
 */
export async function writeInTransaction(
  pool: Pool,
  plan: WritePlan,
  records: readonly TargetRecord[],
  signal: AbortSignal,
): Promise<WriteResult> {
  return await inTransaction(pool, plan, signal, async (connection) => {
    const execute = async (statement: Statement): Promise<StatementResult> => {
      // mysql2's `query` formats parameters into the SQL text client-side; refuse what it would
      // print unquoted (bindValue already refused it per record, naming the column).
      assertFormattable(statement.params);
      const [result] = await connection.query(statement.sql, statement.params);
      return Array.isArray(result)
        ? { affectedRows: 0, rows: result as Record<string, unknown>[] }
        : { affectedRows: result.affectedRows, rows: [] };
    };
    return await writeRecords(execute, plan, records, signal);
  });
}
