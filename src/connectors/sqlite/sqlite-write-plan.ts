import type { TargetRecord, TargetSpec } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import type { TableName } from './sqlite-identifiers.js';
import type { SqliteTable } from './sqlite-schema.js';
import { chunkForParameters, deleteStatement, softDeleteStatement, upsertStatement, type Statement } from './sqlite-statements.js';
import { encodeValue, UnbindableValue } from './sqlite-values.js';

/** One statement of a batch, with the records it writes (to name the bad one when it fails). */
export interface WriteStep {
  readonly statement: Statement;
  readonly keys: readonly string[];
  /** The same records as one statement each, for finding which record a failed statement choked on. */
  readonly singles: () => Statement[];
}

interface Run {
  readonly action: 'upsert' | 'delete' | 'soft-delete';
  readonly columns: readonly string[];
  readonly records: TargetRecord[];
}

function actionOf(target: TargetSpec, record: TargetRecord): Run['action'] | undefined {
  if (record.op === 'upsert') return 'upsert';
  if (target.onDelete.mode === 'hard') return 'delete';
  return target.onDelete.mode === 'soft' ? 'soft-delete' : undefined;
}

/** Columns the record carries, in the spec's stable order, key first. */
function columnsOf(target: TargetSpec, record: TargetRecord): string[] {
  const present = target.columns.filter((column) => column !== target.key && record.values[column] !== undefined);
  return [target.key, ...present];
}

/** Consecutive records with the same action and columns, so the batch's order is kept. */
function groupRuns(target: TargetSpec, records: readonly TargetRecord[]): Run[] {
  const runs: Run[] = [];
  for (const record of records) {
    const action = actionOf(target, record);
    if (action === undefined) continue;
    const columns = action === 'upsert' ? columnsOf(target, record) : [target.key];
    const last = runs.at(-1);
    if (last?.action === action && last.columns.join('\0') === columns.join('\0')) last.records.push(record);
    else runs.push({ action, columns, records: [record] });
  }
  return runs;
}

function encodeRecord(target: TargetSpec, table: SqliteTable, columns: readonly string[], record: TargetRecord): unknown[] {
  return columns.map((column) => {
    const value = record.values[column] ?? (column === target.key ? record.key : null);
    try {
      return encodeValue(table.columnsByName.get(column), value);
    } catch (error) {
      if (!(error instanceof UnbindableValue)) throw error;
      throw new ConnectorError(
        'CONNECTOR_VALUE_REJECTED',
        `Flow "${target.flow}": record ${record.key} cannot be written to ${target.table}.${column}: ${error.message}`,
        { flow: target.flow, key: record.key, cause: error },
      );
    }
  });
}

function statementFor(run: Run, tableName: TableName, target: TargetSpec, rows: readonly (readonly unknown[])[]): Statement {
  const keys = rows.map((row) => row[0]);
  if (run.action === 'upsert') return upsertStatement(tableName, target.key, run.columns, rows);
  if (run.action === 'delete') return deleteStatement(tableName, target.key, keys);
  const column = target.onDelete.mode === 'soft' ? target.onDelete.column : target.key;
  return softDeleteStatement(tableName, target.key, column, keys);
}

/**
 * Turns a batch into statements: runs of consecutive records with the same action and columns,
 * each run chunked under SQLite's bound-parameter limit. Records deleted at the source are
 * deleted, marked (`soft`) or skipped (`ignore`) per the target's delete policy.
 */
export function planWrites(target: TargetSpec, records: readonly TargetRecord[], table: SqliteTable, tableName: TableName): WriteStep[] {
  const steps: WriteStep[] = [];
  for (const run of groupRuns(target, records)) {
    const encoded = run.records.map((record) => ({ key: record.key, row: encodeRecord(target, table, run.columns, record) }));
    for (const chunk of chunkForParameters(encoded, run.columns.length)) {
      steps.push({
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
