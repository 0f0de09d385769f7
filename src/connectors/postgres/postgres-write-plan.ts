import type { TargetRecord, TargetSpec } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import type { Value } from '../../core/values.js';
import { parseTableName, quoteIdentifier, type TableName } from './postgres-sql.js';

/** Records written by one statement shape: upserts or updates of the same columns, or deletes. */
export type WriteGroup =
  | {
      readonly op: 'upsert' | 'update';
      readonly columns: readonly string[];
      readonly records: readonly TargetRecord[];
    }
  | { readonly op: 'delete'; readonly records: readonly TargetRecord[] };

/** A target, its identifiers validated once per batch. */
export interface WriteShape {
  /** The flow, for messages. */
  readonly flow: string;
  readonly table: TableName;
  /** The target key column, unquoted (validated). */
  readonly key: string;
}

/** Validates the table, key and columns of a target before any SQL is built. */
export function writeShape(target: TargetSpec, defaultSchema: string): WriteShape {
  const context = { flow: target.flow };
  const table = parseTableName(target.table, defaultSchema, { ...context, role: 'target table' });
  quoteIdentifier(target.key, { ...context, role: 'target key column' });
  for (const column of target.columns)
    quoteIdentifier(column, { ...context, role: `column of ${table.display}` });
  return { flow: target.flow, table, key: target.key };
}

/** The key value of a record as text, the way PostgreSQL compares it after the cast. */
export function keyText(value: Value | undefined): string {
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** Column sets a target's plan remembers before it starts over. */
const MAX_COLUMN_SETS = 1000;

/** One column set of a target: its validated write order, and the group token of each operation. */
interface ColumnSet {
  readonly columns: readonly string[];
  readonly upsert: object;
  readonly update: object;
}

/**
 * The column sets of one target, kept across batches: the sorted, validated write order of each
 * set of record keys, so a batch pays a key comparison per record, not a sort, join or lookup.
 */
class ColumnPlan {
  readonly #target: TargetSpec;
  readonly #order: ReadonlyMap<string, number>;
  /** Sets by the record keys in the record's own order, and by the keys in write order. */
  readonly #byNames = new Map<string, ColumnSet>();
  readonly #bySorted = new Map<string, ColumnSet>();
  /** The record keys (in the record's own order) of the set met last, and that set. */
  #lastNames: readonly string[] = [];
  #last: ColumnSet | undefined;

  constructor(target: TargetSpec) {
    this.#target = target;
    this.#order = new Map(target.columns.map((column, index) => [column, index]));
  }

  /** The column set of a record's values; records of a batch nearly always share the last one. */
  columnSet(values: TargetRecord['values']): ColumnSet {
    const names = Object.keys(values);
    const last = this.#last;
    if (last !== undefined && sameNames(names, this.#lastNames)) return last;
    const cacheKey = names.join('\u0000');
    // A source whose records carry ever new column sets must not grow the plan without end.
    if (this.#byNames.size >= MAX_COLUMN_SETS) {
      this.#byNames.clear();
      this.#bySorted.clear();
    }
    const set = this.#byNames.get(cacheKey) ?? this.#create(names, cacheKey);
    this.#lastNames = names;
    this.#last = set;
    return set;
  }

  #create(names: readonly string[], cacheKey: string): ColumnSet {
    const order = this.#order;
    const rank = (column: string): number => order.get(column) ?? order.size;
    const columns = [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const column of columns)
      quoteIdentifier(column, { flow: this.#target.flow, role: `column of ${this.#target.table}` });
    // Records listing the same columns in another order share the set, and so their groups.
    const sortedKey = columns.join('\u0000');
    const set = this.#bySorted.get(sortedKey) ?? { columns, upsert: {}, update: {} };
    this.#bySorted.set(sortedKey, set);
    this.#byNames.set(cacheKey, set);
    return set;
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/** Column plans by target spec; a changed config brings a new spec object, and so a new plan. */
const columnPlans = new WeakMap<TargetSpec, ColumnPlan>();

function columnPlanOf(target: TargetSpec): ColumnPlan {
  let plan = columnPlans.get(target);
  if (plan === undefined) {
    plan = new ColumnPlan(target);
    columnPlans.set(target, plan);
  }
  return plan;
}

/** The group token of deletes, which carry no columns. */
const DELETE_GROUP = {};

/**
 * Orders a batch into segments of distinct keys, each segment a list of groups. A key met a
 * second time starts a new segment, so one statement never touches a row twice (PostgreSQL
 * refuses that in `ON CONFLICT DO UPDATE`) and a later record of a key is applied after an
 * earlier one, each touching only its own columns. Columns follow `target.columns`, then the
 * record's other columns; every one is validated.
 */
export function planWrite(target: TargetSpec, records: readonly TargetRecord[]): WriteGroup[][] {
  const plan = columnPlanOf(target);
  const segments: WriteGroup[][] = [];
  let keys = new Set<string>();
  /** Groups of the current segment by token (an operation on one column set), in first-met order. */
  let groups = new Map<object, WriteGroup & { records: TargetRecord[] }>();
  const flush = (): void => {
    if (groups.size > 0) segments.push([...groups.values()]);
    keys = new Set();
    groups = new Map();
  };
  for (const record of records) {
    const value = record.values[target.key];
    if (value === undefined || value === null) {
      throw new ConnectorError(
        'INTERNAL',
        `Flow "${target.flow}": record ${JSON.stringify(record.key)} has no value for the target key column "${target.key}"`,
        {
          flow: target.flow,
          key: record.key,
        },
      );
    }
    const key = keyText(value);
    if (keys.has(key)) flush();
    keys.add(key);
    if (record.op === 'delete') {
      const group = groups.get(DELETE_GROUP);
      if (group === undefined) groups.set(DELETE_GROUP, { op: 'delete', records: [record] });
      else group.records.push(record);
      continue;
    }
    const set = plan.columnSet(record.values);
    const token = record.op === 'upsert' ? set.upsert : set.update;
    const group = groups.get(token);
    if (group === undefined) groups.set(token, { op: record.op, columns: set.columns, records: [record] });
    else group.records.push(record);
  }
  flush();
  return segments;
}
