import type pg from 'pg';
import type { TableSchema, TargetRecord, WriteResult } from '../../core/connector.js';
import { ConnectorError, type SyncError } from '../../core/errors.js';
import type { ColumnKind } from '../../core/values.js';
import { copyErrorLine, copyLines } from './postgres-copy.js';
import { parseKeyDetail, toConnectorError } from './postgres-errors.js';
import type { Statement } from './postgres-sql.js';
import { toParameter, unstorableText } from './postgres-values.js';
import { keyText, type WriteGroup, type WriteShape } from './postgres-write-plan.js';
import {
  copyStageText,
  copyTargetText,
  copyUpdateStageText,
  createStageStatement,
  createUpdateStageStatement,
  deleteStatement,
  insertFromStageStatement,
  insertMissingFromStageStatement,
  updateFromStageStatement,
  updateMissingFromStageStatement,
  upsertStatements,
} from './postgres-write-sql.js';

/** A session inside an open transaction, as the batch writer uses it. */
export interface WriteSession {
  /** Runs one statement in the transaction. */
  run(statement: Statement): Promise<pg.QueryResult>;
  /** Streams COPY text (copyLines) into a `COPY … FROM STDIN`; resolves with the rows copied. */
  copy(copyText: string, chunks: Iterable<string>): Promise<number>;
}

/** How the batch writer writes, and what its errors name. */
export interface WriteOptions {
  /** Upsert groups of at least this many records go through COPY into a staging table. */
  readonly copyThreshold: number;
  /**
   * The bulk path (`Connector.bulkInsert`): upserts are COPYed straight into the table, without
   * a conflict clause, so a key that already exists fails the whole write.
   */
  readonly insertOnly?: boolean;
  /** Secrets to mask in error messages. */
  readonly secrets: readonly string[];
  readonly signal: AbortSignal;
}

/** The kind of each column, from the live schema; unknown columns were refused before. */
function kindsOf(schema: TableSchema, columns: readonly string[]): ColumnKind[] {
  const byName = new Map(schema.columns.map((column) => [column.name, column.kind]));
  return columns.map((column) => byName.get(column) ?? 'other');
}

/**
 * The source key of the record a failure is about: the only record of its group, the COPY line
 * PostgreSQL names, or the target key in the error detail (`Key (id)=(42) already exists.`).
 */
function recordAtFault(
  error: unknown,
  shape: WriteShape,
  records: readonly TargetRecord[],
  isCopy: boolean,
): string | undefined {
  if (records.length === 1) return records[0]?.key;
  const line = isCopy ? copyErrorLine(error) : undefined;
  if (line !== undefined) return records[line - 1]?.key;
  const detail =
    typeof error === 'object' && error !== null ? (error as { detail?: unknown }).detail : undefined;
  const key = typeof detail === 'string' ? parseKeyDetail(detail) : undefined;
  if (key?.column !== shape.key) return undefined;
  return records.find((record) => keyText(record.values[shape.key]) === key.value)?.key;
}

/** Whether records of these columns leave out a NOT NULL column that has no default. */
function omitsRequiredColumn(schema: TableSchema, columns: readonly string[]): boolean {
  return schema.columns.some(
    (column) => !column.nullable && !column.hasDefault && !columns.includes(column.name),
  );
}

let stageCounter = 0;

/**
 * Upserts through a staging table: COPY the records in, then one `INSERT … SELECT … ON CONFLICT`,
 * or, when they omit a required column, an UPDATE of the existing rows and an INSERT of the rest.
 */
async function writeThroughStage(
  session: WriteSession,
  shape: WriteShape,
  columns: readonly string[],
  kinds: readonly ColumnKind[],
  records: readonly TargetRecord[],
  isUpdateFirst: boolean,
): Promise<number> {
  stageCounter = (stageCounter + 1) % 1_000_000;
  const stage = `syncline_stage_${stageCounter}`;
  await session.run(createStageStatement(shape, stage, columns));
  await session.copy(copyStageText(shape, stage, columns), copyLines(records, columns, kinds));
  if (!isUpdateFirst)
    return (await session.run(insertFromStageStatement(shape, stage, columns))).rowCount ?? 0;
  const update = updateFromStageStatement(shape, stage, columns);
  const updated = update === undefined ? 0 : ((await session.run(update)).rowCount ?? 0);
  return (
    updated + ((await session.run(insertMissingFromStageStatement(shape, stage, columns))).rowCount ?? 0)
  );
}

async function writeUpserts(
  session: WriteSession,
  shape: WriteShape,
  schema: TableSchema,
  columns: readonly string[],
  records: readonly TargetRecord[],
  options: WriteOptions,
): Promise<number> {
  const kinds = kindsOf(schema, columns);
  if (options.insertOnly === true) {
    return session.copy(copyTargetText(shape, columns), copyLines(records, columns, kinds));
  }
  const isUpdateFirst = omitsRequiredColumn(schema, columns);
  if (records.length >= options.copyThreshold || isUpdateFirst) {
    return writeThroughStage(session, shape, columns, kinds, records, isUpdateFirst);
  }
  const rows = records.map((record) =>
    columns.map((column, index) => toParameter(record.values[column], kinds[index] ?? 'other')),
  );
  let written = 0;
  for (const statement of upsertStatements(shape, columns, rows))
    written += (await session.run(statement)).rowCount ?? 0;
  return written;
}

/**
 * Updates existing rows of a group of `update` records, never inserting: COPY the records (each
 * numbered) into a staging table typed like the target, then one `UPDATE … FROM stage` that
 * returns which records found no row. Values are converted as upserts convert them (toCopyField).
 */
async function writeUpdates(
  session: WriteSession,
  shape: WriteShape,
  schema: TableSchema,
  columns: readonly string[],
  records: readonly TargetRecord[],
): Promise<{ written: number; notFound: string[] }> {
  const kinds = kindsOf(schema, columns);
  stageCounter = (stageCounter + 1) % 1_000_000;
  const stage = `syncline_stage_${stageCounter}`;
  await session.run(createUpdateStageStatement(shape, stage, columns));
  await session.copy(copyUpdateStageText(shape, stage, columns), copyLines(records, columns, kinds, true));
  const missing = await session.run(updateMissingFromStageStatement(shape, stage, columns));
  const notFound = (missing.rows as { ordinal: number }[]).flatMap((row) => records[row.ordinal]?.key ?? []);
  return { written: records.length - notFound.length, notFound };
}

/**
 * Deletes rows by key. The core turns a soft delete into an upsert of the soft-delete column
 * and drops deletes of `onDelete: ignore`, so a delete that reaches the connector is a hard one.
 */
async function writeDeletes(
  session: WriteSession,
  shape: WriteShape,
  records: readonly TargetRecord[],
): Promise<number> {
  const keys = records.map((record) => keyText(record.values[shape.key]));
  return (await session.run(deleteStatement(shape, keys))).rowCount ?? 0;
}

/**
 * Refuses, before any statement, a record holding text PostgreSQL cannot store (a NUL character,
 * invalid Unicode):
 * a CONNECTOR_VALUE_REJECTED of that record naming the column, which the batch writer isolates as
 * a dead letter.
 */
function refuseUnstorableValues(shape: WriteShape, segments: readonly (readonly WriteGroup[])[]): void {
  for (const group of segments.flat()) {
    for (const record of group.records) {
      const found = unstorableText(record.values, group.op === 'delete' ? [] : group.columns);
      if (found === undefined) continue;
      throw new ConnectorError(
        'CONNECTOR_VALUE_REJECTED',
        `Flow "${shape.flow}": record ${record.key} cannot be written to ${shape.table.display}.${found.column}: ${found.reason}`,
        { flow: shape.flow, key: record.key, field: found.column },
      );
    }
  }
}

/**
 * Writes planned segments in the caller's transaction and returns the rows written (an update
 * counts when its row exists) and the keys of updates whose row does not exist. A failure
 * becomes a ConnectorError naming the table and, where it can be told, the record at fault; the
 * caller rolls back.
 */
export async function writeSegments(
  session: WriteSession,
  shape: WriteShape,
  schema: TableSchema,
  segments: readonly (readonly WriteGroup[])[],
  options: WriteOptions,
): Promise<WriteResult> {
  refuseUnstorableValues(shape, segments);
  let written = 0;
  const notFound: string[] = [];
  for (const groups of segments) {
    for (const group of groups) {
      const isCopy =
        group.op === 'update' ||
        (group.op === 'upsert' &&
          (options.insertOnly === true ||
            group.records.length >= options.copyThreshold || omitsRequiredColumn(schema, group.columns)));
      try {
        if (group.op === 'update') {
          const updated = await writeUpdates(session, shape, schema, group.columns, group.records);
          written += updated.written;
          notFound.push(...updated.notFound);
        } else {
          written +=
            group.op === 'upsert'
              ? await writeUpserts(session, shape, schema, group.columns, group.records, options)
              : await writeDeletes(session, shape, group.records);
        }
      } catch (error) {
        throw describeFailure(error, shape, group.records, isCopy, options);
      }
    }
  }
  return notFound.length === 0 ? { written } : { written, notFound };
}

function describeFailure(
  error: unknown,
  shape: WriteShape,
  records: readonly TargetRecord[],
  isCopy: boolean,
  options: WriteOptions,
): unknown {
  if (options.signal.aborted || error instanceof ConnectorError) return error;
  const key = recordAtFault(error, shape, records, isCopy);
  const failure: SyncError = toConnectorError(error, {
    operation: `writing ${shape.table.display} (flow "${shape.flow}", ${records.length} record${records.length === 1 ? '' : 's'} in the failing statement)`,
    flow: shape.flow,
    ...(key === undefined ? {} : { key }),
    secrets: options.secrets,
  });
  return failure;
}
