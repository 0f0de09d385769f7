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

/**
 * The record's columns in write order, validated. Records of a batch nearly always share one
 * column set, so the sorted, validated list is computed once per set.
 */
function orderedColumns(
  target: TargetSpec,
  order: ReadonlyMap<string, number>,
  values: TargetRecord['values'],
  cache: Map<string, string[]>,
): string[] {
  const names = Object.keys(values);
  const cacheKey = names.join('\u0000');
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  const columns = names.sort(
    (a, b) => (order.get(a) ?? order.size) - (order.get(b) ?? order.size) || (a < b ? -1 : a > b ? 1 : 0),
  );
  for (const column of columns)
    quoteIdentifier(column, { flow: target.flow, role: `column of ${target.table}` });
  cache.set(cacheKey, columns);
  return columns;
}

/**
 * Orders a batch into segments of distinct keys, each segment a list of groups. A key met a
 * second time starts a new segment, so one statement never touches a row twice (PostgreSQL
 * refuses that in `ON CONFLICT DO UPDATE`) and a later record of a key is applied after an
 * earlier one, each touching only its own columns. Columns follow `target.columns`, then the
 * record's other columns; every one is validated.
 */
export function planWrite(target: TargetSpec, records: readonly TargetRecord[]): WriteGroup[][] {
  const order = new Map(target.columns.map((column, index) => [column, index]));
  const columnCache = new Map<string, string[]>();
  const segments: WriteGroup[][] = [];
  let keys = new Set<string>();
  let groups = new Map<string, { op: TargetRecord['op']; columns: string[]; records: TargetRecord[] }>();
  const flush = (): void => {
    if (groups.size > 0) {
      segments.push(
        [...groups.values()].map((group): WriteGroup =>
          group.op === 'delete'
            ? { op: 'delete', records: group.records }
            : { op: group.op, columns: group.columns, records: group.records },
        ),
      );
    }
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
    const columns = record.op === 'delete' ? [] : orderedColumns(target, order, record.values, columnCache);
    const signature = `${record.op}\u0000${columns.join('\u0000')}`;
    const group = groups.get(signature) ?? {
      op: record.op,
      columns: record.op === 'delete' ? [] : columns,
      records: [],
    };
    group.records.push(record);
    groups.set(signature, group);
  }
  flush();
  return segments;
}
