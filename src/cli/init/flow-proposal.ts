import type { ColumnInfo, TableSchema } from '../../core/connector.js';
import {
  chooseCursor,
  findDeletedFlag,
  isUniqueColumn,
  narrowingOf,
  primaryKeyColumn,
  snakeName,
  sourceKeyColumnNames,
  typeFit,
} from './column-roles.js';
import { columnSimilarity } from './name-similarity.js';

/** Column names at least this alike are mapped; below 0.95 with a `# CHECK:` comment. */
const COLUMN_MATCH_MIN = 0.75;
const SURE = 0.95;

/** One side of `init`: a connection's name and its tables. */
export interface CatalogSide {
  readonly connection: string;
  readonly tables: readonly TableSchema[];
}

/** `target column: source column`, with why to look at it when unsure. */
export interface FieldProposal {
  readonly target: string;
  readonly source: string;
  readonly check?: string;
}

/** Validation rules proposed for a mapped target column. */
export interface RuleProposal {
  readonly column: string;
  readonly required?: true;
  readonly maxLength?: number;
}

/** A proposed flow; one with gaps cannot run yet and is written commented out. */
export interface FlowProposal {
  readonly name: string;
  readonly source: {
    readonly table: string;
    readonly key: string;
    readonly cursor?: string;
    readonly deleted?: string;
  };
  readonly target: {
    readonly table: string;
    readonly key: string;
    readonly onDelete: 'ignore' | 'hard' | { readonly soft: string };
  };
  readonly fields: readonly FieldProposal[];
  readonly validate: readonly RuleProposal[];
  /** `# CHECK:` notes: choices a person should confirm. */
  readonly checks: readonly string[];
  /** `# GAP:` notes: what is missing before the flow can run or be complete. */
  readonly gaps: readonly string[];
  /** False when a gap stops the flow from running (no cursor, no target key column…). */
  readonly isRunnable: boolean;
}

function chooseSourceKey(table: TableSchema, checks: string[], gaps: string[]): ColumnInfo | undefined {
  const primary = primaryKeyColumn(table);
  if (primary !== undefined) return primary;
  const unique = table.uniqueKeys.find((key) => key.length === 1)?.[0];
  const column = table.columns.find((c) => c.name === (unique ?? 'id'));
  if (column !== undefined && unique !== undefined) {
    checks.push(`${table.table} has no one-column primary key; its unique column ${column.name} is the key`);
  } else if (column !== undefined) {
    checks.push(
      `${table.table} has no primary key or unique column; ${column.name} must be unique and not NULL`,
    );
  } else {
    gaps.push(`${table.table} has no primary key or unique column to identify a record: add one`);
  }
  return column;
}

function chooseTargetKey(
  source: CatalogSide,
  sourceTable: TableSchema,
  sourceKey: ColumnInfo | undefined,
  target: TableSchema,
  checks: string[],
  gaps: string[],
): { readonly name: string; readonly isUsable: boolean } {
  const names = sourceKeyColumnNames(source.connection, sourceTable.table);
  const byName = (column: ColumnInfo): number => names.indexOf(snakeName(column.name));
  const candidates = target.columns
    .filter((column) => byName(column) >= 0)
    .sort((a, b) => byName(a) - byName(b));
  const unique = candidates.find((column) => isUniqueColumn(target, column.name));
  const mirror = target.columns.find(
    (column) => column.name === sourceKey?.name && !column.hasDefault && isUniqueColumn(target, column.name),
  );
  const chosen = unique ?? mirror;
  if (chosen !== undefined && unique === undefined) {
    checks.push(`${target.table}.${chosen.name}, its own key, receives the source key ${chosen.name}`);
  }
  if (chosen !== undefined) {
    if (sourceKey !== undefined && typeFit(sourceKey, chosen) === 'incompatible') {
      gaps.push(
        `${target.table}.${chosen.name} (${chosen.nativeType}) cannot hold the source key ${sourceKey.name} (${sourceKey.nativeType})`,
      );
      return { name: chosen.name, isUsable: false };
    }
    return { name: chosen.name, isUsable: true };
  }
  const named = candidates[0];
  if (named !== undefined) {
    gaps.push(
      `${target.table}.${named.name} must be unique to receive the source key: ALTER TABLE ${target.table} ADD UNIQUE (${named.name})`,
    );
    return { name: named.name, isUsable: false };
  }
  const column = names[0] ?? 'source_id';
  gaps.push(
    `create a unique column to receive the source key, e.g. ALTER TABLE ${target.table} ADD COLUMN ${column} ` +
      `${sourceKey?.kind === 'integer' ? 'BIGINT' : 'VARCHAR(64)'} UNIQUE`,
  );
  return { name: column, isUsable: false };
}

function chooseFields(
  source: TableSchema,
  target: TableSchema,
  excludedSource: ReadonlySet<string>,
  excludedTarget: ReadonlySet<string>,
): FieldProposal[] {
  const pairs: { target: ColumnInfo; source: ColumnInfo; score: number; check?: string }[] = [];
  for (const targetColumn of target.columns) {
    if (excludedTarget.has(targetColumn.name)) continue;
    for (const sourceColumn of source.columns) {
      if (excludedSource.has(sourceColumn.name)) continue;
      const fit = typeFit(sourceColumn, targetColumn);
      if (fit === 'incompatible') continue;
      const similarity = columnSimilarity(
        { column: sourceColumn.name, table: source.table },
        { column: targetColumn.name, table: target.table },
      );
      if (similarity < COLUMN_MATCH_MIN) continue;
      const isReference = [sourceColumn.name, targetColumn.name].some((name) => /_id$/.test(snakeName(name)));
      const notes = [
        similarity < SURE ? `matched by name likeness (${similarity.toFixed(2)})` : undefined,
        isReference
          ? `a reference? if ${targetColumn.name} holds the target's own ids, write { from: ${sourceColumn.name}, ref: <flow> } (docs/config.md#references-ref)`
          : undefined,
        fit === 'convertible' ? `${sourceColumn.nativeType} into ${targetColumn.nativeType}` : undefined,
        fit === 'same' ? narrowingOf(sourceColumn, targetColumn) : undefined,
      ].filter((note): note is string => note !== undefined);
      const score = similarity - (fit === 'convertible' ? 0.05 : 0);
      pairs.push({
        target: targetColumn,
        source: sourceColumn,
        score,
        ...(notes.length > 0 ? { check: notes.join('; ') } : {}),
      });
    }
  }
  pairs.sort((a, b) => b.score - a.score);
  const usedSource = new Set<string>();
  const chosen = new Map<string, FieldProposal>();
  for (const pair of pairs) {
    if (chosen.has(pair.target.name) || usedSource.has(pair.source.name)) continue;
    usedSource.add(pair.source.name);
    chosen.set(pair.target.name, {
      target: pair.target.name,
      source: pair.source.name,
      ...(pair.check === undefined ? {} : { check: pair.check }),
    });
  }
  // In the target table's column order, which is how people read it.
  return target.columns.flatMap((column) => {
    const field = chosen.get(column.name);
    return field === undefined ? [] : [field];
  });
}

function rulesOf(fields: readonly FieldProposal[], source: TableSchema, target: TableSchema): RuleProposal[] {
  return fields.flatMap((field) => {
    const from = source.columns.find((column) => column.name === field.source);
    const to = target.columns.find((column) => column.name === field.target);
    if (from === undefined || to === undefined) return [];
    const required = !to.nullable && !to.hasDefault && from.nullable;
    const maxLength =
      to.maxLength !== undefined && (from.maxLength ?? Infinity) > to.maxLength ? to.maxLength : undefined;
    if (!required && maxLength === undefined) return [];
    return [{ column: field.target, ...(required ? { required } : {}), ...(maxLength ? { maxLength } : {}) }];
  });
}

/** Proposes the flow from one source table into the target table matched to it. */
export function proposeFlow(
  name: string,
  source: CatalogSide,
  sourceTable: TableSchema,
  targetTable: TableSchema,
): FlowProposal {
  const checks: string[] = [];
  const gaps: string[] = [];
  const sourceKey = chooseSourceKey(sourceTable, checks, gaps);
  const cursor = chooseCursor(sourceTable);
  if (cursor === undefined) {
    gaps.push(
      `${sourceTable.table} has no cursor column (a timestamp like updated_at, or a version number) that ` +
        `every change raises: add one (kept by the application or a trigger), then enable this flow`,
    );
  } else if (cursor.check !== undefined) {
    checks.push(`cursor ${cursor.column}: ${cursor.check}`);
  }
  const targetKey = chooseTargetKey(source, sourceTable, sourceKey, targetTable, checks, gaps);
  const deleted = findDeletedFlag(sourceTable);
  const softColumn = findDeletedFlag(targetTable);
  let onDelete: FlowProposal['target']['onDelete'] = 'ignore';
  if (softColumn !== undefined) onDelete = { soft: softColumn.name };
  if (
    deleted !== undefined &&
    softColumn !== undefined &&
    snakeName(deleted.name) !== snakeName(softColumn.name)
  ) {
    checks.push(`deletes marked in ${deleted.name} are written to ${targetTable.table}.${softColumn.name}`);
  }
  if (deleted !== undefined && softColumn === undefined) {
    checks.push(
      `${targetTable.table} has no soft-delete column: rows marked in ${deleted.name} are skipped (onDelete: ignore); write onDelete: hard to delete them`,
    );
  }
  if (deleted === undefined) {
    gaps.push(
      `hard deletes (DELETE FROM ${sourceTable.table}) are not seen: it has no soft-delete column. ` +
        `Until change capture exists, cover them with the reconcile schedule below (repair` +
        (softColumn === undefined ? `; set onDelete: hard, or { soft: column }, first` : '') +
        `), or add a soft-delete column`,
    );
  }
  const excludedSource = new Set([sourceKey?.name ?? '', deleted?.name ?? '']);
  const primary = primaryKeyColumn(targetTable);
  const excludedTarget = new Set([
    targetKey.name,
    softColumn?.name ?? '',
    primary?.hasDefault === true ? primary.name : '',
  ]);
  const fields = chooseFields(sourceTable, targetTable, excludedSource, excludedTarget);
  if (fields.length === 0) gaps.push(`no column of ${targetTable.table} matches one of ${sourceTable.table}`);
  const mapped = new Set([...fields.map((field) => field.target), ...excludedTarget]);
  for (const column of targetTable.columns) {
    if (!mapped.has(column.name) && !column.nullable && !column.hasDefault) {
      checks.push(
        `${targetTable.table}.${column.name} is NOT NULL without a default and nothing maps to it: map it, or new rows are refused`,
      );
    }
  }
  return {
    name,
    source: {
      table: sourceTable.table,
      key: sourceKey?.name ?? 'id',
      ...(cursor === undefined ? {} : { cursor: cursor.column }),
      ...(deleted === undefined ? {} : { deleted: deleted.name }),
    },
    target: { table: targetTable.table, key: targetKey.name, onDelete },
    fields,
    validate: rulesOf(fields, sourceTable, targetTable),
    checks,
    gaps,
    isRunnable: sourceKey !== undefined && cursor !== undefined && fields.length > 0 && targetKey.isUsable,
  };
}
