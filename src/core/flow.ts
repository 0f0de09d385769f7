import type { Cadence } from '../config/cadence-schema.js';
import type { FlowConfig } from '../config/config-schema.js';
import type { Expression } from '../config/expression-ast.js';
import type { ReconcileScheduleConfig } from '../config/sync-direction-schema.js';
import type { DeletePolicy, FieldType, SourceSpec, TargetSpec } from './connector.js';
import { compileFieldMappings, type FieldMapping, type LineMapping, type MappingContext } from './mapping.js';
import { compileLines } from './line-mapping.js';
import { compileValidation, type FieldRules } from './validation.js';
import { compileTwoWay, type TwoWaySpec } from './two-way/two-way-flow.js';

/** Retry of a batch that failed with a retryable error. */
export interface RetrySettings {
  /** Tries, the first included. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** A field whose value is translated through another flow's key map (`ref`). */
export interface FieldReference {
  /** Target column (of each line, with `lines`). */
  readonly field: string;
  /** The relation whose lines hold the field; undefined for a field of the record itself. */
  readonly lines?: string;
  /** Source column holding the referenced flow's source key. */
  readonly from: string;
  /** The referenced flow. */
  readonly flow: string;
}

/** A flow, compiled from its config: what the cycle runs. */
export interface Flow {
  readonly name: string;
  readonly enabled: boolean;
  readonly sourceConnection: string;
  readonly targetConnection: string;
  readonly source: SourceSpec;
  readonly target: TargetSpec;
  readonly mapping: MappingContext;
  readonly rules: readonly FieldRules[];
  /** Records with lines (`lines:`): each relation's mapping and rules, in config order. */
  readonly lines: readonly LineMapping[];
  /** Row filter (`filter`): only source rows for which it is true belong to the flow. */
  readonly filter: Expression | undefined;
  /** The compiled cadence; `FLOW_DEFAULTS.cadence` when the flow gives none. */
  readonly cadence: Cadence;
  readonly retry: RetrySettings;
  /** `both`: changes of the target flow back to the source (see `twoWay`). */
  readonly direction: 'one-way' | 'both';
  /** Two-way flows: how the target is read and the source written, and the conflict policy. */
  readonly twoWay: TwoWaySpec | undefined;
  /** The target's own id column (`target.id`), read back after inserts. */
  readonly targetId: string | undefined;
  /** Source column ← target column pairs written back to the source once the target has them. */
  readonly writeBack: readonly { readonly source: string; readonly target: string }[];
  /** Fields translated through other flows' key maps. */
  readonly references: readonly FieldReference[];
  /** Cycles a record waits for a referenced record (`retry.references`) before it stays dead-lettered. */
  readonly referenceAttempts: number;
  /** Flows that must run first: `dependsOn` and referenced flows (never the flow itself). */
  readonly dependsOn: readonly string[];
  /** Scheduled reconciliation, if configured. */
  readonly reconcile: ReconcileScheduleConfig | undefined;
  /** Whether batches of new records may use the target's bulk loader (`backfill.bulk`, default true). */
  readonly bulkLoad: boolean;
  /** Key ranges a new flow's initial scan is split into, written concurrently (`backfill.lanes`, docs/backfill.md). */
  readonly backfillLanes: number;
}

/** Defaults of keys a flow may leave out; docs/config.md lists the same values. */
export const FLOW_DEFAULTS = {
  batch: 1000,
  lookbackMs: 5 * 60_000,
  cadence: { everyMs: 5 * 60_000 } satisfies Cadence,
  retry: { attempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 },
  referenceAttempts: 10,
  backfillLanes: 1,
} as const;

function deletePolicy(config: FlowConfig['target']['onDelete']): DeletePolicy {
  if (config === undefined || config === 'ignore') return { mode: 'ignore' };
  if (config === 'hard') return { mode: 'hard' };
  return { mode: 'soft', column: config.soft };
}

/** Source columns the flow reads: key, cursor, deleted flag, every mapped input and the filter's. */
function sourceColumns(config: FlowConfig, fields: readonly FieldMapping[]): string[] {
  const columns = new Set<string>([config.source.key]);
  if (config.source.cursor !== undefined) columns.add(config.source.cursor);
  if (config.source.deleted !== undefined) columns.add(config.source.deleted);
  for (const field of fields) {
    if (field.from !== undefined) columns.add(field.from);
    for (const column of field.expression?.columns ?? []) columns.add(column);
  }
  for (const column of config.filter?.columns ?? []) columns.add(column);
  for (const column of Object.keys(config.writeBack ?? {})) columns.add(column);
  return [...columns];
}

/** Compiles one flow of the config. */
export function compileFlow(name: string, config: FlowConfig): Flow {
  const fields = compileFieldMappings(config.fields);
  const onDelete = deletePolicy(config.target.onDelete);
  const lookback = config.source.lookback?.ms ?? FLOW_DEFAULTS.lookbackMs;
  const targetColumns = [config.target.key, ...fields.map((field) => field.target)];
  if (onDelete.mode === 'soft' && !targetColumns.includes(onDelete.column))
    targetColumns.push(onDelete.column);
  const lines = Object.entries(config.lines ?? {}).map(([relation, entry]) => compileLines(relation, entry));
  const references: FieldReference[] = [
    ...fields.flatMap((field) =>
      field.ref === undefined || field.from === undefined
        ? []
        : [{ field: field.target, from: field.from, flow: field.ref }],
    ),
    ...lines.flatMap(({ mapping }) =>
      mapping.fields.flatMap((field) =>
        field.ref === undefined || field.from === undefined
          ? []
          : [{ field: field.target, from: field.from, flow: field.ref, lines: mapping.name }],
      ),
    ),
  ];
  const dependsOn = [...new Set([...(config.dependsOn ?? []), ...references.map((ref) => ref.flow)])].filter(
    (dependency) => dependency !== name,
  );
  const types: Record<string, FieldType | undefined> = {};
  for (const field of fields) types[field.target] = field.type;
  if (onDelete.mode === 'soft') types[onDelete.column] = 'boolean';
  const source: SourceSpec = {
    flow: name,
    table: config.source.table,
    key: config.source.key,
    cursor: config.source.cursor,
    deleted: config.source.deleted,
    columns: sourceColumns(config, fields),
    batchSize: config.batch ?? FLOW_DEFAULTS.batch,
    lookback,
    lookbackAppliesTo: config.source.lookback?.appliesTo ?? 'time',
    ...(lines.length === 0 ? {} : { lines: lines.map((line) => line.source) }),
  };
  const target: TargetSpec = {
    flow: name,
    table: config.target.table,
    key: config.target.key,
    columns: targetColumns,
    types,
    onDelete,
    ...(lines.length === 0 ? {} : { lines: lines.map((line) => line.target) }),
  };
  return {
    name,
    enabled: config.enabled ?? true,
    sourceConnection: config.source.connection,
    targetConnection: config.target.connection,
    source,
    target,
    mapping: {
      sourceKey: config.source.key,
      targetKey: config.target.key,
      fields,
      onDelete,
      lines: lines.map((line) => line.mapping),
    },
    rules: compileValidation(config.validate),
    lines: lines.map((line) => line.mapping),
    filter: config.filter,
    cadence: config.cadence ?? FLOW_DEFAULTS.cadence,
    retry: {
      attempts: config.retry?.attempts ?? FLOW_DEFAULTS.retry.attempts,
      initialDelayMs: config.retry?.initialDelayMs ?? FLOW_DEFAULTS.retry.initialDelayMs,
      maxDelayMs: config.retry?.maxDelayMs ?? FLOW_DEFAULTS.retry.maxDelayMs,
    },
    referenceAttempts: config.retry?.references ?? FLOW_DEFAULTS.referenceAttempts,
    direction: config.direction ?? 'one-way',
    twoWay:
      config.direction === 'both' ? compileTwoWay(config, { source, target, fields, lookback }) : undefined,
    targetId: config.target.id,
    writeBack: Object.entries(config.writeBack ?? {}).map(([sourceColumn, targetColumn]) => ({
      source: sourceColumn,
      target: targetColumn,
    })),
    references,
    dependsOn,
    reconcile: config.reconcile,
    bulkLoad: config.backfill?.bulk ?? true,
    backfillLanes: config.backfill?.lanes ?? FLOW_DEFAULTS.backfillLanes,
  };
}
