import type { ColumnInfo, TableSchema } from './connector.js';
import type { Flow } from './flow.js';
import { checkLinkedColumns } from './linked-columns-check.js';
import type { FieldMapping } from './mapping.js';
import { warningId, type SchemaFinding } from './schema-finding.js';
import { valueText, type ColumnKind } from './values.js';

const TEXT_KINDS: readonly ColumnKind[] = ['string', 'json'];
const NUMBER_KINDS: readonly ColumnKind[] = ['integer', 'decimal', 'float'];

function column(schema: TableSchema, name: string): ColumnInfo | undefined {
  return (
    schema.columns.find((candidate) => candidate.name === name) ??
    schema.columns.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase())
  );
}

function describeColumn(table: string, info: ColumnInfo): string {
  return `${table}.${info.name} ${info.nativeType}${info.nullable ? '' : ' NOT NULL'}`;
}

function suggest(schema: TableSchema): string {
  const names = schema.columns.map((candidate) => candidate.name);
  return names.length === 0
    ? ''
    : ` (columns: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''})`;
}

/** A risk of a mapped pair: the kind that makes its warning's id (`LENGTH`), and the message. */
type Risk = readonly [kind: string, message: string];

/** Risks of writing a source column's values into a target column. */
function comparePair(
  source: ColumnInfo,
  target: ColumnInfo,
  field: FieldMapping,
  flow: Flow,
  options: SchemaCheckOptions,
): Risk[] {
  const risks: Risk[] = [];
  const src = describeColumn(flow.source.table, source);
  const dst = describeColumn(flow.target.table, target);
  // A `maxLength` rule no longer than the column quarantines long values before the write.
  const ruleMaxLength = flow.rules.find((rule) => rule.field === field.target)?.rules.maxLength;
  const lengthIsValidated =
    ruleMaxLength !== undefined && target.maxLength !== undefined && ruleMaxLength <= target.maxLength;
  if (field.dictionary === undefined) {
    if (TEXT_KINDS.includes(target.kind) && target.maxLength !== undefined && !lengthIsValidated) {
      if (source.maxLength === undefined && source.kind === 'string')
        risks.push([
          'LENGTH',
          `${src} is unbounded text but ${dst} holds at most ${target.maxLength} characters: longer values will be refused`,
        ]);
      else if (source.maxLength !== undefined && source.maxLength > target.maxLength)
        risks.push([
          'LENGTH',
          `${src} allows ${source.maxLength} characters but ${dst} only ${target.maxLength}: longer values will be refused`,
        ]);
    }
    if (
      source.kind === 'decimal' &&
      target.kind === 'decimal' &&
      source.precision !== undefined &&
      target.precision !== undefined
    ) {
      const sourceWhole = source.precision - (source.scale ?? 0);
      const targetWhole = target.precision - (target.scale ?? 0);
      if (targetWhole < sourceWhole)
        risks.push([
          'PRECISION',
          `${src} allows ${sourceWhole} digits before the point but ${dst} only ${targetWhole}: large values will overflow`,
        ]);
      if ((target.scale ?? 0) < (source.scale ?? 0))
        risks.push([
          'SCALE',
          `${src} has ${source.scale ?? 0} decimal places but ${dst} ${target.scale ?? 0}: values will be rounded`,
        ]);
    }
    if ((source.kind === 'decimal' || source.kind === 'float') && target.kind === 'integer')
      risks.push([
        'FRACTION',
        `${src} has fractions but ${dst} is an integer: fractions will be refused or lost`,
      ]);
    if (source.kind === 'decimal' && target.kind === 'float')
      risks.push([
        'FLOAT',
        `${src} is exact but ${dst} is a binary float: money and quantities lose exactness`,
      ]);
    if (
      source.kind === 'float' &&
      options.sourceNonFiniteFloats === true &&
      options.targetNonFiniteFloats !== true
    )
      risks.push([
        'NON-FINITE',
        `${src} may hold NaN or ±Infinity, which ${dst} cannot: such records become dead letters (CONNECTOR_VALUE_REJECTED)`,
      ]);
    if (source.kind === 'timestamptz' && target.kind === 'timestamp')
      risks.push([
        'ZONE',
        `${src} carries a time zone but ${dst} does not: values are written in the target connection's time zone`,
      ]);
    if ((source.kind === 'timestamp' || source.kind === 'timestamptz') && target.kind === 'date')
      risks.push(['DATE', `${src} has a time of day but ${dst} is a date: the time is dropped`]);
    const isCompatible =
      source.kind === target.kind ||
      target.kind === 'string' ||
      (NUMBER_KINDS.includes(source.kind) && NUMBER_KINDS.includes(target.kind)) ||
      ((source.kind === 'timestamp' || source.kind === 'timestamptz' || source.kind === 'date') &&
        (target.kind === 'timestamp' || target.kind === 'timestamptz' || target.kind === 'date')) ||
      source.kind === 'other' ||
      target.kind === 'other';
    if (!isCompatible && field.type === undefined)
      risks.push([
        'KIND',
        `${src} (${source.kind}) and ${dst} (${target.kind}) differ in kind: declare "type:" so values are converted and checked before the write`,
      ]);
  } else {
    const longest = Math.max(
      ...[...field.dictionary.values(), field.fallback].map(
        (value) => Array.from(valueText(value ?? null)).length,
      ),
    );
    if (target.maxLength !== undefined && longest > target.maxLength)
      risks.push([
        'MAP-LENGTH',
        `a mapped value has ${longest} characters but ${dst} holds ${target.maxLength}`,
      ]);
  }
  const isRequired = flow.rules.some((rule) => rule.field === field.target && rule.rules.required === true);
  if (
    source.nullable &&
    !target.nullable &&
    !target.hasDefault &&
    field.fallback === undefined &&
    !isRequired
  ) {
    risks.push([
      'NULL',
      `${src} may be NULL but ${dst} may not and has no default: set "default:" or a "required" rule so such records are quarantined before the write`,
    ]);
  }
  return risks;
}

/** Options of `checkFlowSchema`. */
export interface SchemaCheckOptions {
  /**
   * False when the target connector cannot describe tables (`capabilities.describe` is false,
   * e.g. a REST API): target-side checks are skipped instead of reporting a missing table.
   * Default true.
   */
  readonly targetDescribes?: boolean;
  /** Likewise for the source (an inbox of pushed events has no fixed columns). Default true. */
  readonly sourceDescribes?: boolean;
  /** The source connector's float columns hold NaN and ±Infinity (`capabilities.nonFiniteFloats`). */
  readonly sourceNonFiniteFloats?: boolean;
  /** The target connector's float columns hold NaN and ±Infinity (`capabilities.nonFiniteFloats`). */
  readonly targetNonFiniteFloats?: boolean;
}

/**
 * Compares a flow with the live source and target schemas: every configured column must exist,
 * the target key must be unique, and each mapped pair is checked for type, length,
 * precision/scale and nullability risks (most integration failures are data-dictionary mismatches).
 */
export function checkFlowSchema(
  flow: Flow,
  source: TableSchema | undefined,
  target: TableSchema | undefined,
  options: SchemaCheckOptions = {},
): SchemaFinding[] {
  const base = `flows.${flow.name}`;
  const findings: SchemaFinding[] = [];
  const error = (path: string, message: string): void =>
    void findings.push({ severity: 'error', path: `${base}.${path}`, message });
  const warn = (path: string, message: string, id: string): void =>
    void findings.push({ severity: 'warning', path: `${base}.${path}`, message, id });
  if (source === undefined && options.sourceDescribes !== false)
    error(
      'source.table',
      `table "${flow.source.table}" does not exist at connection "${flow.sourceConnection}"`,
    );
  if (target === undefined && options.targetDescribes !== false)
    error(
      'target.table',
      `table "${flow.target.table}" does not exist at connection "${flow.targetConnection}"`,
    );

  if (source !== undefined) {
    const sourceColumns: [string, string][] = [
      ['source.key', flow.source.key],
      ...(flow.source.cursor === undefined
        ? []
        : [['source.cursor', flow.source.cursor] as [string, string]]),
      ...(flow.source.deleted === undefined
        ? []
        : [['source.deleted', flow.source.deleted] as [string, string]]),
      ...flow.mapping.fields.flatMap((field) =>
        field.from === undefined ? [] : [[`fields.${field.target}`, field.from] as [string, string]],
      ),
      ...flow.mapping.fields.flatMap((field) =>
        (field.expression?.columns ?? []).map(
          (name) => [`fields.${field.target}.expr`, name] as [string, string],
        ),
      ),
      ...(flow.filter?.columns ?? []).map((name) => ['filter', name] as [string, string]),
    ];
    for (const [path, name] of sourceColumns) {
      if (column(source, name) === undefined)
        error(path, `source column "${name}" does not exist in ${flow.source.table}${suggest(source)}`);
    }
    const cursor = flow.source.cursor === undefined ? undefined : column(source, flow.source.cursor);
    if (cursor?.nullable === true)
      warn(
        'source.cursor',
        `${flow.source.table}.${cursor.name} may be NULL; rows with a NULL cursor are never read incrementally`,
        warningId('CURSOR-NULL', flow.source.table, cursor.name),
      );
    if (
      !source.uniqueKeys.some(
        (key) => key.length === 1 && key[0]?.toLowerCase() === flow.source.key.toLowerCase(),
      )
    ) {
      warn(
        'source.key',
        `${flow.source.table}.${flow.source.key} has no unique index or primary key; records sharing a key overwrite each other, and reads by key are slow`,
        warningId('SOURCE-KEY', flow.source.table, flow.source.key),
      );
    }
  }
  if (target !== undefined) {
    const targetColumns = flow.target.columns.map(
      (name) => [name === flow.target.key ? 'target.key' : `fields.${name}`, name] as const,
    );
    for (const [path, name] of targetColumns) {
      if (column(target, name) === undefined)
        error(path, `target column "${name}" does not exist in ${flow.target.table}${suggest(target)}`);
    }
    if (
      !target.uniqueKeys.some(
        (key) => key.length === 1 && key[0]?.toLowerCase() === flow.target.key.toLowerCase(),
      )
    ) {
      error(
        'target.key',
        `${flow.target.table}.${flow.target.key} has no unique index or primary key, so upserts cannot be idempotent; add one`,
      );
    }
    const mapped = new Set(flow.target.columns.map((name) => name.toLowerCase()));
    for (const info of target.columns) {
      if (!info.nullable && !info.hasDefault && !mapped.has(info.name.toLowerCase())) {
        warn(
          'fields',
          `${describeColumn(flow.target.table, info)} has no default and is not mapped: inserts of new records will be refused`,
          warningId('UNMAPPED', flow.target.table, info.name),
        );
      }
    }
  }
  if (source !== undefined && target !== undefined) {
    for (const field of flow.mapping.fields) {
      const targetInfo = column(target, field.target);
      const sourceInfo = field.from === undefined ? undefined : column(source, field.from);
      if (targetInfo === undefined || sourceInfo === undefined) continue;
      for (const [kind, risk] of comparePair(sourceInfo, targetInfo, field, flow, options))
        warn(`fields.${field.target}`, risk, warningId(kind, flow.target.table, targetInfo.name));
      const maxLength = flow.rules.find((rule) => rule.field === field.target)?.rules.maxLength;
      if (maxLength !== undefined && targetInfo.maxLength !== undefined && maxLength > targetInfo.maxLength) {
        warn(
          `validate.${field.target}.maxLength`,
          `the rule allows ${maxLength} characters but ${describeColumn(flow.target.table, targetInfo)} holds ${targetInfo.maxLength}`,
          warningId('RULE-LENGTH', flow.target.table, targetInfo.name),
        );
      }
    }
  }
  return [...findings, ...checkLinkedColumns(flow, source, target)];
}
