import type { ColumnInfo, TableSchema } from '../../core/connector.js';
import type { ColumnKind } from '../../core/values.js';
import { nameWords } from './name-similarity.js';

/** Whether a source column's values fit a target column: `same` kind, `convertible` (check it), or not at all. */
export type TypeFit = 'same' | 'convertible' | 'incompatible';

/** Target kinds each source kind converts into without losing meaning (besides its own). */
const CONVERTIBLE: Readonly<Partial<Record<ColumnKind, readonly ColumnKind[]>>> = {
  integer: ['decimal', 'float', 'string', 'boolean'],
  decimal: ['float', 'string'],
  float: ['decimal', 'string'],
  boolean: ['integer', 'string'],
  string: ['json', 'other'],
  timestamp: ['timestamptz', 'string'],
  timestamptz: ['timestamp', 'string'],
  date: ['timestamp', 'timestamptz', 'string'],
  time: ['string'],
  json: ['string'],
  other: ['string'],
};

/** How well a source column's values fit a target column, by kind. */
export function typeFit(source: ColumnInfo, target: ColumnInfo): TypeFit {
  if (source.kind === target.kind) return 'same';
  return (CONVERTIBLE[source.kind] ?? []).includes(target.kind) ? 'convertible' : 'incompatible';
}

/** Why a value of `source` may not fit `target` although the kinds agree (length, precision), if so. */
export function narrowingOf(source: ColumnInfo, target: ColumnInfo): string | undefined {
  if (target.maxLength !== undefined && (source.maxLength ?? Infinity) > target.maxLength) {
    return `${source.nativeType} into ${target.nativeType}: longer values are quarantined (validate maxLength)`;
  }
  const sourceWhole = (source.precision ?? Infinity) - (source.scale ?? 0);
  const targetWhole = (target.precision ?? Infinity) - (target.scale ?? 0);
  if (target.kind === 'decimal' && (sourceWhole > targetWhole || (source.scale ?? 0) > (target.scale ?? 0))) {
    return `${source.nativeType} into ${target.nativeType}: larger or more precise values are refused`;
  }
  return undefined;
}

const CURSOR_NAMES: ReadonlySet<string> = new Set([
  'updated_at',
  'updated',
  'updated_on',
  'modified_at',
  'modified',
  'modified_on',
  'last_modified',
  'last_modified_at',
  'last_modified_date',
  'last_update',
  'last_updated',
  'changed_at',
  'write_date',
  'update_time',
  'modify_time',
  'date_modified',
  'mtime',
]);
const CURSOR_WORDS: ReadonlySet<string> = new Set(['updated', 'update', 'modified', 'modify', 'changed']);
const VERSION_NAMES: ReadonlySet<string> = new Set([
  'version',
  'row_version',
  'rowversion',
  'lock_version',
  'revision',
  'rev',
  'change_seq',
]);
const DELETED_NAMES: ReadonlySet<string> = new Set([
  'deleted',
  'is_deleted',
  'deleted_flag',
  'del_flag',
  'removed',
  'is_removed',
  'archived',
  'is_archived',
  'trashed',
  'is_trashed',
]);

/** A column's name as lower-case snake words, prefixes kept: `LastModifiedDate` → `last_modified_date`. */
function snake(column: ColumnInfo): string {
  return nameWords(column.name, true).join('_');
}

const isTime = (column: ColumnInfo): boolean => column.kind === 'timestamptz' || column.kind === 'timestamp';

/** The column a source's changes can be read by, and how sure that is. */
export interface CursorChoice {
  readonly column: string;
  /** Why a person should look at it, when unsure. */
  readonly check?: string;
}

/**
 * The source's cursor: a timestamp named like `updated_at`/`modified`, else a timestamp whose name
 * speaks of updates, else a version number; undefined when there is none.
 */
export function chooseCursor(table: TableSchema): CursorChoice | undefined {
  const nullable = (column: ColumnInfo): string | undefined =>
    column.nullable
      ? `${column.name} accepts NULL: a row whose ${column.name} is NULL is read by the first scan only`
      : undefined;
  const choose = (column: ColumnInfo, check?: string): CursorChoice => {
    const note = [check, nullable(column)].filter((text) => text !== undefined).join('; ');
    return note === '' ? { column: column.name } : { column: column.name, check: note };
  };
  const named = table.columns.find((column) => isTime(column) && CURSOR_NAMES.has(snake(column)));
  if (named !== undefined) return choose(named);
  const worded = table.columns.find(
    (column) =>
      isTime(column) &&
      snake(column)
        .split('_')
        .some((word) => CURSOR_WORDS.has(word)),
  );
  if (worded !== undefined) return choose(worded, `make sure every insert and update sets ${worded.name}`);
  const version = table.columns.find(
    (column) => column.kind === 'integer' && VERSION_NAMES.has(snake(column)),
  );
  if (version !== undefined) {
    return choose(version, `a version number: make sure every insert and update raises ${version.name}`);
  }
  return undefined;
}

/** A boolean (or 0/1 integer) column that marks a row as deleted, like `is_deleted`. */
export function findDeletedFlag(table: TableSchema): ColumnInfo | undefined {
  return table.columns.find(
    (column) => (column.kind === 'boolean' || column.kind === 'integer') && DELETED_NAMES.has(snake(column)),
  );
}

/** The single column of the table's first unique key (its primary key), if that key has one column. */
export function primaryKeyColumn(table: TableSchema): ColumnInfo | undefined {
  const first = table.uniqueKeys[0];
  if (first?.length !== 1) return undefined;
  return table.columns.find((column) => column.name === first[0]);
}

/** Whether the column alone has a primary key or unique index. */
export function isUniqueColumn(table: TableSchema, column: string): boolean {
  return table.uniqueKeys.some((key) => key.length === 1 && key[0] === column);
}

/** Names a target column receiving a source key is usually given: `crm_id`, `account_id`, `external_id`. */
export function sourceKeyColumnNames(connection: string, sourceTable: string): string[] {
  const tableWords = nameWords(sourceTable);
  const connectionWords = nameWords(connection, true).join('_');
  return [
    `${connectionWords}_id`,
    `${connectionWords}_key`,
    `${connectionWords}_ref`,
    `${tableWords.join('_')}_id`,
    `${connectionWords}_${tableWords.join('_')}_id`,
    'external_id',
    'external_key',
    'ext_id',
    'source_id',
    'source_key',
    'remote_id',
    'sync_id',
  ];
}

/** The lower-case snake form of a column name, as `sourceKeyColumnNames` spells names. */
export function snakeName(name: string): string {
  return nameWords(name, true).join('_');
}
