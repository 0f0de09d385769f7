import type { ColumnInfo, TargetRecord, TargetSpec } from '../../core/connector.js';
import { findColumn, type MysqlTableSchema } from './mysql-describe.js';
import { keyAtFault, toConnectorError } from './mysql-errors.js';
import {
  buildInsert,
  buildLockKeys,
  buildUpdate,
  buildUpsert,
  quoteColumn,
  type Statement,
  type TableName,
  type UpsertSyntax,
} from './mysql-sql.js';
import { estimateSqlBytes, toMysqlValue, UnstorableMysqlValue } from './mysql-values.js';
import { ConnectorError } from '../../core/errors.js';

/** What one statement did: rows affected, or rows returned. */
export interface StatementResult {
  /** Rows inserted, updated or deleted (0 for a SELECT). */
  readonly affectedRows: number;
  /** Rows returned (empty for a write). */
  readonly rows: readonly Record<string, unknown>[];
}

/** Runs one statement on the batch's connection, inside its transaction. */
export type Execute = (statement: Statement) => Promise<StatementResult>;

/** Everything a batch write needs besides its records. */
export interface WritePlan {
  readonly target: TargetSpec;
  /** The target table, validated. */
  readonly table: TableName;
  /** The target table's live schema. */
  readonly schema: MysqlTableSchema;
  /** Zone of DATETIME values written from zoned timestamps. */
  readonly timezone: string;
  readonly upsertSyntax: UpsertSyntax;
  /** Upper bound of one statement's text, below the server's max_allowed_packet. */
  readonly maxStatementBytes: number;
  /**
   * The table has unique keys besides the target key's that a record could collide with, so
   * `ON DUPLICATE KEY UPDATE` might overwrite another row: existing rows are updated by key and
   * new rows inserted, and a collision is an error instead.
   */
  readonly isChecked: boolean;
  /** Passwords to scrub from messages. */
  readonly secrets: readonly string[];
  /** `connection "erp" at db:3306`, for connection failures. */
  readonly server?: string;
}

/** Keys per `… IN (…)` statement. */
export const KEYS_PER_STATEMENT = 1000;

/** Cuts rows into runs whose statement text stays under `maxBytes`. */
export function chunkRows<T>(rows: readonly T[], sizeOf: (row: T) => number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Runs a statement; a failure becomes a ConnectorError naming the table and, where known, the record key. */
export async function runStatement(
  execute: Execute,
  statement: Statement,
  plan: WritePlan,
  records: readonly TargetRecord[],
): Promise<StatementResult> {
  try {
    return await execute(statement);
  } catch (error) {
    const key = keyAtFault(error, records);
    throw toConnectorError(error, {
      flow: plan.target.flow,
      table: plan.target.table,
      secrets: plan.secrets,
      ...(plan.server === undefined ? {} : { server: plan.server }),
      ...(key === undefined ? {} : { key }),
    });
  }
}

/** Records of one column set, with their values bound for those columns. */
export interface UpsertGroup {
  /** The INSERT column list, key first. */
  readonly columns: readonly string[];
  /** Each record with its values bound in `columns` order. */
  readonly rows: readonly { readonly record: TargetRecord; readonly values: unknown[] }[];
}

/** The columns a record carries: the key first, then target.columns order, then any others. */
function recordColumns(target: TargetSpec, record: TargetRecord): string[] {
  const listed = target.columns.filter((column) => column !== target.key && column in record.values);
  const others = Object.keys(record.values)
    .filter((column) => column !== target.key && !target.columns.includes(column))
    .sort();
  return [target.key, ...listed, ...others];
}

/** Records of one column set, before their values are bound. */
export interface ColumnGroup {
  /** The INSERT column list, key first, each validated. */
  readonly columns: readonly string[];
  /** The live column of each of `columns` (undefined for none). */
  readonly infos: readonly (ColumnInfo | undefined)[];
  readonly records: readonly TargetRecord[];
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/**
 * Groups records by the columns they carry (one INSERT or UPDATE column list each), keeping their
 * order. The records of a batch nearly always carry the keys of the one before, so that is
 * checked first: a comparison of key lists per record, not a sort and join.
 */
export function groupRecordsByColumns(plan: WritePlan, records: readonly TargetRecord[]): ColumnGroup[] {
  const bySignature = new Map<string, { columns: string[]; records: TargetRecord[] }>();
  let lastNames: readonly string[] = [];
  let last: { columns: string[]; records: TargetRecord[] } | undefined;
  for (const record of records) {
    const names = Object.keys(record.values);
    if (last === undefined || !sameNames(names, lastNames)) {
      const columns = recordColumns(plan.target, record);
      const signature = columns.join(',');
      last = bySignature.get(signature) ?? { columns, records: [] };
      bySignature.set(signature, last);
      lastNames = names;
    }
    last.records.push(record);
  }
  return [...bySignature.values()].map(({ columns, records: grouped }) => {
    columns.forEach((column) => quoteColumn(column, plan.target.flow));
    return { columns, infos: columns.map((column) => findColumn(plan.schema, column)), records: grouped };
  });
}

/**
 * Groups records by the columns they carry (groupRecordsByColumns) and binds each value for its
 * column (toMysqlValue).
 */
export function groupByColumns(plan: WritePlan, records: readonly TargetRecord[]): UpsertGroup[] {
  return groupRecordsByColumns(plan, records).map(({ columns, infos, records: grouped }) => ({
    columns,
    rows: grouped.map((record) => ({
      record,
      values: columns.map((column, index) => bindValue(plan, record, column, infos[index])),
    })),
  }));
}

/**
 * A record's value bound for its column; a value no MySQL column can hold is refused here, before
 * any statement is built, as a CONNECTOR_VALUE_REJECTED of this record naming the column (the
 * batch writer then isolates the record as a dead letter and writes the rest).
 */
export function bindValue(
  plan: WritePlan,
  record: TargetRecord,
  column: string,
  info: ColumnInfo | undefined,
): unknown {
  try {
    return toMysqlValue(info, record.values[column], plan.timezone);
  } catch (error) {
    if (!(error instanceof UnstorableMysqlValue)) throw error;
    throw new ConnectorError(
      'CONNECTOR_VALUE_REJECTED',
      `Flow "${plan.target.flow}": record ${record.key} cannot be written to ${plan.target.table}.${column}: ${error.message}`,
      { flow: plan.target.flow, key: record.key, field: column, cause: error },
    );
  }
}

function rowBytes(row: UpsertGroup['rows'][number]): number {
  return row.values.reduce<number>((sum, value) => sum + estimateSqlBytes(value) + 2, 4);
}

/** Multi-row `INSERT … ON DUPLICATE KEY UPDATE`, cut below the packet limit. */
export async function writeUpsertGroup(
  execute: Execute,
  plan: WritePlan,
  group: UpsertGroup,
  signal: AbortSignal,
): Promise<number> {
  let written = 0;
  for (const chunk of chunkRows(group.rows, rowBytes, plan.maxStatementBytes)) {
    signal.throwIfAborted();
    const statement = buildUpsert(
      plan.table,
      group.columns,
      plan.target.key,
      chunk.map((row) => row.values),
      plan.upsertSyntax,
    );
    await runStatement(
      execute,
      statement,
      plan,
      chunk.map((row) => row.record),
    );
    written += chunk.length;
  }
  return written;
}

/** How MySQL compares keys under the usual case-insensitive, PAD SPACE collations. */
export function comparableKey(value: unknown): string {
  return (typeof value === 'string' ? value : String(value)).toLowerCase().trimEnd();
}

/**
 * Locks the rows of a group's keys for the transaction (existing rows, and the gaps where new
 * ones would go) and returns the keys that exist, as `comparableKey` gives them.
 */
export async function lockExistingKeys(
  execute: Execute,
  plan: WritePlan,
  group: UpsertGroup,
  signal: AbortSignal,
): Promise<Set<string>> {
  const existing = new Set<string>();
  for (let start = 0; start < group.rows.length; start += KEYS_PER_STATEMENT) {
    signal.throwIfAborted();
    const chunk = group.rows.slice(start, start + KEYS_PER_STATEMENT);
    const statement = buildLockKeys(
      plan.table,
      plan.target.key,
      chunk.map((row) => row.values[0]),
    );
    const { rows } = await runStatement(execute, statement, plan, []);
    for (const row of rows) existing.add(comparableKey(row.existing_key));
  }
  return existing;
}

/**
 * The checked upsert of a table with other unique keys: locks the rows of the keys (existing
 * rows, and the gaps where new ones go), updates the existing rows by key one by one, and inserts
 * the new ones without an upsert clause, so a collision with another row is an error naming the
 * record instead of an overwrite.
 */
export async function writeCheckedGroup(
  execute: Execute,
  plan: WritePlan,
  group: UpsertGroup,
  signal: AbortSignal,
): Promise<number> {
  const existing = await lockExistingKeys(execute, plan, group, signal);
  const updates = group.rows.filter((row) => existing.has(comparableKey(row.values[0])));
  const inserts = group.rows.filter((row) => !existing.has(comparableKey(row.values[0])));
  const columns = group.columns.slice(1);
  for (const row of updates) {
    if (columns.length === 0) continue;
    signal.throwIfAborted();
    const statement = buildUpdate(plan.table, columns, plan.target.key, row.values.slice(1), row.values[0]);
    await runStatement(execute, statement, plan, [row.record]);
  }
  for (const chunk of chunkRows(inserts, rowBytes, plan.maxStatementBytes)) {
    signal.throwIfAborted();
    const statement = buildInsert(
      plan.table,
      group.columns,
      chunk.map((row) => row.values),
    );
    await runStatement(
      execute,
      statement,
      plan,
      chunk.map((row) => row.record),
    );
  }
  return group.rows.length;
}
