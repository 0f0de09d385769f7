import { quoteIdentifier, type Statement } from './postgres-sql.js';
import { arrayLiteral } from './postgres-values.js';
import type { WriteShape } from './postgres-write-plan.js';

/** PostgreSQL's limit of bound parameters in one statement (a 16-bit count in the protocol). */
export const MAX_PARAMETERS = 65_535;

function quoteColumn(shape: WriteShape, column: string): string {
  return quoteIdentifier(column, { flow: shape.flow, role: `column of ${shape.table.display}` });
}

/**
 * `ON CONFLICT (key) DO UPDATE SET col = EXCLUDED.col` for every written column but the key, so
 * columns a record does not carry are left as they are. A record of the key alone only inserts.
 */
export function conflictClause(shape: WriteShape, columns: readonly string[]): string {
  const key = quoteColumn(shape, shape.key);
  const updates = columns
    .filter((column) => column !== shape.key)
    .map((column) => `${quoteColumn(shape, column)} = EXCLUDED.${quoteColumn(shape, column)}`);
  return updates.length === 0
    ? `ON CONFLICT (${key}) DO NOTHING`
    : `ON CONFLICT (${key}) DO UPDATE SET ${updates.join(', ')}`;
}

/** Multi-row upserts of `rows` (one array of parameters per record), chunked under MAX_PARAMETERS. */
export function upsertStatements(
  shape: WriteShape,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Statement[] {
  const columnList = columns.map((column) => quoteColumn(shape, column)).join(', ');
  const conflict = conflictClause(shape, columns);
  const rowsPerStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const statements: Statement[] = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement);
    const tuples = chunk.map(
      (_, row) => `(${columns.map((__, column) => `$${row * columns.length + column + 1}`).join(', ')})`,
    );
    statements.push({
      text: `INSERT INTO ${shape.table.sql} (${columnList}) VALUES ${tuples.join(', ')} ${conflict}`,
      values: chunk.flat(),
    });
  }
  return statements;
}

/**
 * A staging table of exactly the written columns, typed as in the target (length and precision
 * included) but without its constraints, defaults or sequences, dropped at commit. `CREATE TABLE
 * … (LIKE target)` would copy NOT NULL constraints of columns the batch does not carry.
 */
export function createStageStatement(
  shape: WriteShape,
  stage: string,
  columns: readonly string[],
): Statement {
  const columnList = columns.map((column) => quoteColumn(shape, column)).join(', ');
  return {
    text: `CREATE TEMPORARY TABLE ${quoteIdentifier(stage, { flow: shape.flow, role: 'staging table' })} ON COMMIT DROP AS SELECT ${columnList} FROM ${shape.table.sql} WITH NO DATA`,
    values: [],
  };
}

/** `COPY stage (columns) FROM STDIN` in text format (tab-separated, `\N` for NULL). */
export function copyStageText(shape: WriteShape, stage: string, columns: readonly string[]): string {
  const columnList = columns.map((column) => quoteColumn(shape, column)).join(', ');
  return `COPY ${quoteIdentifier(stage, { flow: shape.flow, role: 'staging table' })} (${columnList}) FROM STDIN`;
}

/** `COPY table (columns) FROM STDIN` straight into the target: the bulk path's insert (no conflict clause). */
export function copyTargetText(shape: WriteShape, columns: readonly string[]): string {
  const columnList = columns.map((column) => quoteColumn(shape, column)).join(', ');
  return `COPY ${shape.table.sql} (${columnList}) FROM STDIN`;
}

/** Upserts every staged row into the target with the same conflict clause as the INSERT path. */
export function insertFromStageStatement(
  shape: WriteShape,
  stage: string,
  columns: readonly string[],
): Statement {
  const columnList = columns.map((column) => quoteColumn(shape, column)).join(', ');
  return {
    text: `INSERT INTO ${shape.table.sql} (${columnList}) SELECT ${columnList} FROM ${quoteIdentifier(stage, { flow: shape.flow, role: 'staging table' })} ${conflictClause(shape, columns)}`,
    values: [],
  };
}

/**
 * Updates the target rows that a staged row's key already names (`UPDATE … FROM stage`): the
 * first half of an upsert of records that omit a NOT NULL column. `INSERT … ON CONFLICT` cannot
 * do it, because PostgreSQL checks NOT NULL on the row to insert before it looks for a conflict.
 */
export function updateFromStageStatement(
  shape: WriteShape,
  stage: string,
  columns: readonly string[],
): Statement | undefined {
  const key = quoteColumn(shape, shape.key);
  const updates = columns
    .filter((column) => column !== shape.key)
    .map((column) => `${quoteColumn(shape, column)} = s.${quoteColumn(shape, column)}`);
  if (updates.length === 0) return undefined;
  return {
    text: `UPDATE ${shape.table.sql} AS t SET ${updates.join(', ')} FROM ${quoteIdentifier(stage, { flow: shape.flow, role: 'staging table' })} AS s WHERE t.${key} = s.${key}`,
    values: [],
  };
}

/** Inserts the staged rows whose key the target does not hold yet: the second half of that upsert. */
export function insertMissingFromStageStatement(
  shape: WriteShape,
  stage: string,
  columns: readonly string[],
): Statement {
  const key = quoteColumn(shape, shape.key);
  const columnList = columns.map((column) => quoteColumn(shape, column)).join(', ');
  return {
    text: `INSERT INTO ${shape.table.sql} (${columnList}) SELECT ${columnList} FROM ${quoteIdentifier(stage, { flow: shape.flow, role: 'staging table' })} AS s WHERE NOT EXISTS (SELECT 1 FROM ${shape.table.sql} AS t WHERE t.${key} = s.${key})`,
    values: [],
  };
}

/**
 * The staging column that numbers the records of an update group (0-based), so the rows an update
 * misses name their records exactly. No config identifier holds a space, so it never collides.
 */
const ORDINAL = '"syncline ordinal"';

/** A staging table for an update group: the record's ordinal, then the written columns as in the target. */
export function createUpdateStageStatement(
  shape: WriteShape,
  stage: string,
  columns: readonly string[],
): Statement {
  const columnList = columns.map((column) => quoteColumn(shape, column)).join(', ');
  return {
    text: `CREATE TEMPORARY TABLE ${quoteIdentifier(stage, { flow: shape.flow, role: 'staging table' })} ON COMMIT DROP AS SELECT 0::integer AS ${ORDINAL}, ${columnList} FROM ${shape.table.sql} WITH NO DATA`,
    values: [],
  };
}

/** `COPY stage (ordinal, columns) FROM STDIN` for an update group's staging table. */
export function copyUpdateStageText(shape: WriteShape, stage: string, columns: readonly string[]): string {
  const columnList = columns.map((column) => quoteColumn(shape, column)).join(', ');
  return `COPY ${quoteIdentifier(stage, { flow: shape.flow, role: 'staging table' })} (${ORDINAL}, ${columnList}) FROM STDIN`;
}

/**
 * Sets the staged columns (all but the key) on the target rows whose key a staged row names, and
 * returns the `ordinal` of each staged row that found no row: nothing is inserted. A group of the
 * key alone only looks for the missing rows.
 */
export function updateMissingFromStageStatement(
  shape: WriteShape,
  stage: string,
  columns: readonly string[],
): Statement {
  const key = quoteColumn(shape, shape.key);
  const staged = quoteIdentifier(stage, { flow: shape.flow, role: 'staging table' });
  const updates = columns
    .filter((column) => column !== shape.key)
    .map((column) => `${quoteColumn(shape, column)} = s.${quoteColumn(shape, column)}`);
  if (updates.length === 0) {
    return {
      text: `SELECT s.${ORDINAL} AS ordinal FROM ${staged} AS s WHERE NOT EXISTS (SELECT 1 FROM ${shape.table.sql} AS t WHERE t.${key} = s.${key}) ORDER BY 1`,
      values: [],
    };
  }
  return {
    text:
      `WITH updated AS (UPDATE ${shape.table.sql} AS t SET ${updates.join(', ')} FROM ${staged} AS s WHERE t.${key} = s.${key} RETURNING s.${ORDINAL} AS ordinal) ` +
      `SELECT s.${ORDINAL} AS ordinal FROM ${staged} AS s WHERE NOT EXISTS (SELECT 1 FROM updated AS u WHERE u.ordinal = s.${ORDINAL}) ORDER BY 1`,
    values: [],
  };
}

/** `DELETE … WHERE key = ANY($1)`, the keys bound as one array typed like the key column. */
export function deleteStatement(shape: WriteShape, keys: readonly string[]): Statement {
  return {
    text: `DELETE FROM ${shape.table.sql} WHERE ${quoteColumn(shape, shape.key)} = ANY($1)`,
    values: [arrayLiteral(keys)],
  };
}
