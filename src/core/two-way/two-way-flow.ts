import type { FlowConfig } from '../../config/config-schema.js';
import { RECORD_POLICIES } from '../../config/sync-direction-schema.js';
import type { SourceSpec, TargetSpec } from '../connector.js';
import type { FieldMapping } from '../mapping.js';
import type { Value } from '../values.js';

/** A conflict policy that settles a whole record. */
export type RecordPolicy = (typeof RECORD_POLICIES)[number];

/** The side of a two-way flow. */
export type Side = 'source' | 'target';

/** A flow's conflict policy, compiled: whole records, or an owner per field. */
export type ConflictPolicy =
  | { readonly mode: 'record'; readonly policy: RecordPolicy }
  | {
      readonly mode: 'fields';
      /** Target column → the side that owns it. */
      readonly owners: ReadonlyMap<string, Side>;
      /** For changed fields without an owner. */
      readonly otherwise: RecordPolicy;
    };

/** How one target column maps back to a source column. */
export interface ReverseField {
  /** Target column read. */
  readonly target: string;
  /** Source column written. */
  readonly source: string;
  /** The field's dictionary inverted (target value text → source value), when it has one. */
  readonly dictionary: ReadonlyMap<string, Value> | undefined;
}

/** What a two-way flow needs beyond the forward direction. */
export interface TwoWaySpec {
  /** The target table read as a source, keyed by its own id (`target.id`) or else the target key. */
  readonly reader: SourceSpec;
  /** Target rows looked up by the target key column, which holds the source key. */
  readonly lookup: SourceSpec;
  /** The source table written as a target: updates by source key, never inserts. */
  readonly writer: TargetSpec;
  /** Target columns that map back, and how. */
  readonly fields: readonly ReverseField[];
  /** Target columns compared between the two sides (every written column but the key). */
  readonly compared: readonly string[];
  /** The target's cursor column (newest-wins compares it with the source's). */
  readonly targetCursor: string;
  readonly conflict: ConflictPolicy;
}

/** Default conflict policy of a two-way flow. */
export const DEFAULT_CONFLICT_POLICY: RecordPolicy = 'source-wins';

function compilePolicy(config: FlowConfig): ConflictPolicy {
  const policy = config.conflict ?? DEFAULT_CONFLICT_POLICY;
  if (typeof policy === 'string') return { mode: 'record', policy };
  const owners = new Map<string, Side>();
  for (const [field, owner] of Object.entries(policy.fields)) {
    const side: Side =
      owner === 'source' || (owner !== 'target' && owner === config.source.connection) ? 'source' : 'target';
    owners.set(field, side);
  }
  return { mode: 'fields', owners, otherwise: policy.otherwise ?? 'newest-wins' };
}

function reverseFields(config: FlowConfig, fields: readonly FieldMapping[]): ReverseField[] {
  const reverse: ReverseField[] = [];
  for (const field of fields) {
    if (field.from === undefined || field.ref !== undefined) continue;
    let dictionary: Map<string, Value> | undefined;
    if (field.dictionary !== undefined) {
      dictionary = new Map();
      for (const [from, to] of field.dictionary) {
        if (to !== null) dictionary.set(typeof to === 'string' ? to : JSON.stringify(to), from);
      }
    }
    reverse.push({ target: field.target, source: field.from, dictionary });
  }
  const onDelete = config.target.onDelete;
  if (typeof onDelete === 'object' && config.source.deleted !== undefined)
    reverse.push({ target: onDelete.soft, source: config.source.deleted, dictionary: undefined });
  return reverse;
}

/** Compiles the reverse direction of a `direction: both` flow. */
export function compileTwoWay(
  config: FlowConfig,
  forward: {
    readonly source: SourceSpec;
    readonly target: TargetSpec;
    readonly fields: readonly FieldMapping[];
    readonly lookback: number;
  },
): TwoWaySpec {
  const { source, target } = forward;
  const targetCursor = config.target.cursor ?? config.target.key;
  const readerKey = config.target.id ?? config.target.key;
  const compared = target.columns.filter((column) => column !== target.key);
  const columns = [...new Set([readerKey, target.key, targetCursor, ...compared])];
  const fields = reverseFields(config, forward.fields);
  const reader: SourceSpec = {
    flow: source.flow,
    table: target.table,
    key: readerKey,
    cursor: targetCursor,
    deleted: undefined,
    columns,
    batchSize: source.batchSize,
    lookback: forward.lookback,
    lookbackAppliesTo: source.lookbackAppliesTo ?? 'time',
  };
  const writerColumns = [source.key, ...new Set(fields.map((field) => field.source))];
  return {
    reader,
    lookup: { ...reader, key: target.key },
    writer: {
      flow: source.flow,
      table: source.table,
      key: source.key,
      columns: writerColumns,
      types: {},
      onDelete: { mode: 'ignore' },
    },
    fields,
    compared,
    targetCursor,
    conflict: compilePolicy(config),
  };
}
