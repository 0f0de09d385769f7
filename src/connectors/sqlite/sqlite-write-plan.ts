import type { TargetRecord, TargetSpec, WriteResult } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import type { SqliteDatabase } from './sqlite-database.js';
import { toSqliteConnectorError, type SqliteErrorContext } from './sqlite-errors.js';
import type { TableName } from './sqlite-identifiers.js';
import type { SqliteTable } from './sqlite-schema.js';
import {
  chunkForParameters,
  deleteStatement,
  updateStatement,
  upsertStatement,
  type Statement,
} from './sqlite-statements.js';
import { encodeValue, UnbindableValue } from './sqlite-values.js';

/** One statement of a batch, with the records it writes (to name the bad one when it fails). */
export interface WriteStep {
  /** The op of the step's records; an `update` step holds one record, so a row it misses names it. */
  readonly op: TargetRecord['op'];
  readonly statement: Statement;
  readonly keys: readonly string[];
  /** The same records as one statement each, for finding which record a failed statement choked on. */
  readonly singles: () => Statement[];
}

interface Run {
  readonly op: TargetRecord['op'];
  readonly columns: readonly string[];
  readonly records: TargetRecord[];
}

/** Columns the record carries, in the spec's stable order, key first. */
function columnsOf(target: TargetSpec, record: TargetRecord): string[] {
  const present = target.columns.filter(
    (column) => column !== target.key && record.values[column] !== undefined,
  );
  return [target.key, ...present];
}

/** Consecutive records with the same op and columns, so the batch's order is kept. */
function groupRuns(target: TargetSpec, records: readonly TargetRecord[]): Run[] {
  const runs: Run[] = [];
  for (const record of records) {
    const columns = record.op === 'delete' ? [target.key] : columnsOf(target, record);
    const last = runs.at(-1);
    if (last?.op === record.op && last.columns.join('\0') === columns.join('\0')) last.records.push(record);
    else runs.push({ op: record.op, columns, records: [record] });
  }
  return runs;
}

function encodeRecord(
  target: TargetSpec,
  table: SqliteTable,
  columns: readonly string[],
  record: TargetRecord,
): unknown[] {
  return columns.map((column) => {
    const value = record.values[column] ?? (column === target.key ? record.key : null);
    try {
      return encodeValue(table.columnsByName.get(column), value);
    } catch (error) {
      if (!(error instanceof UnbindableValue)) throw error;
      throw new ConnectorError(
        'CONNECTOR_VALUE_REJECTED',
        `Flow "${target.flow}": record ${record.key} cannot be written to ${target.table}.${column}: ${error.message}`,
        { flow: target.flow, key: record.key, field: column, cause: error },
      );
    }
  });
}

function statementFor(
  run: Run,
  tableName: TableName,
  target: TargetSpec,
  rows: readonly (readonly unknown[])[],
): Statement {
  if (run.op === 'upsert') return upsertStatement(tableName, target.key, run.columns, rows);
  if (run.op === 'update') return updateStatement(tableName, target.key, run.columns, rows[0] ?? []);
  return deleteStatement(
    tableName,
    target.key,
    rows.map((row) => row[0]),
  );
}

/**
 * Turns a batch into statements: runs of consecutive records with the same op and columns (so the
 * batch's order is kept), each run chunked under SQLite's bound-parameter limit; an update is one
 * statement per record (prepared once), so each tells whether its row exists. A delete is a
 * hard delete: the core turns `onDelete: soft` into an upsert of the soft-delete column and drops
 * the deletes of `onDelete: ignore` before they reach a connector.
 */
export function planWrites(
  target: TargetSpec,
  records: readonly TargetRecord[],
  table: SqliteTable,
  tableName: TableName,
): WriteStep[] {
  const steps: WriteStep[] = [];
  for (const run of groupRuns(target, records)) {
    const encoded = run.records.map((record) => ({
      key: record.key,
      row: encodeRecord(target, table, run.columns, record),
    }));
    const rowsPerStep = run.op === 'update' ? 1 : undefined;
    for (const chunk of chunkForParameters(encoded, run.columns.length, rowsPerStep)) {
      steps.push({
        op: run.op,
        statement: statementFor(
          run,
          tableName,
          target,
          chunk.map((item) => item.row),
        ),
        keys: chunk.map((item) => item.key),
        singles: () => chunk.map((item) => statementFor(run, tableName, target, [item.row])),
      });
    }
  }
  return steps;
}

/** Driver errors worth replaying record by record to name the record at fault. */
function isRecordError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG')
  );
}

/**
 * Runs one statement of a batch and returns the rows it changed. When a record breaks it, the
 * records are replayed one by one (inside the same transaction, which is rolled back anyway) so
 * the error names the record at fault.
 */
export function runWriteStep(database: SqliteDatabase, step: WriteStep, context: SqliteErrorContext): number {
  try {
    return database.prepare(step.statement.sql).run(...step.statement.params).changes;
  } catch (error) {
    if (!isRecordError(error)) throw error;
    if (step.keys.length === 1) throw toSqliteConnectorError(error, { ...context, key: step.keys[0] ?? '' });
    step.singles().forEach((single, index) => {
      try {
        database.prepare(single.sql).run(...single.params);
      } catch (singleError) {
        throw toSqliteConnectorError(singleError, { ...context, key: step.keys[index] ?? '' });
      }
    });
    throw error;
  }
}

/**
 * Runs a batch's steps (inside the caller's transaction): the rows written, and the keys of
 * update records whose row does not exist.
 */
export function runWriteSteps(
  database: SqliteDatabase,
  steps: readonly WriteStep[],
  context: SqliteErrorContext,
): WriteResult {
  let written = 0;
  const notFound: string[] = [];
  for (const step of steps) {
    const changes = runWriteStep(database, step, context);
    written += changes;
    if (step.op === 'update' && changes === 0) notFound.push(...step.keys);
  }
  return notFound.length === 0 ? { written } : { written, notFound };
}
