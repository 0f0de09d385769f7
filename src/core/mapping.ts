import type { FieldSpec } from '../config/config-schema.js';
import type { Expression } from '../config/expression-ast.js';
import type { Change, DeletePolicy, FieldType, TargetRecord } from './connector.js';
import { evaluateExpression } from './expression-eval.js';
import { convertValue } from './value-conversion.js';
import { valueText, type Row, type Value } from './values.js';

/** How one target column gets its value. */
export interface FieldMapping {
  /** Target column. */
  readonly target: string;
  /** Source column, unless the field is a constant or computed. */
  readonly from: string | undefined;
  /** The expression computing the value (`expr`), when the field is computed. */
  readonly expression: Expression | undefined;
  /** The constant, when `from` and `expression` are undefined. */
  readonly constant: Value;
  readonly type: FieldType | undefined;
  /** Dictionary keyed by the source value as text. */
  readonly dictionary: ReadonlyMap<string, Value> | undefined;
  /** Value for NULL or unmapped source values; `undefined` means none was configured. */
  readonly fallback: Value | undefined;
  readonly trim: boolean;
  /** The flow whose key map translates this field's value (a source key of that flow) into a target id. */
  readonly ref: string | undefined;
}

/** Compiles the `fields:` of a flow. */
export function compileFieldMappings(fields: Readonly<Record<string, string | FieldSpec>>): FieldMapping[] {
  return Object.entries(fields).map(([target, spec]) => {
    if (typeof spec === 'string') {
      return {
        target,
        from: spec,
        expression: undefined,
        constant: null,
        type: undefined,
        dictionary: undefined,
        fallback: undefined,
        trim: false,
        ref: undefined,
      };
    }
    return {
      target,
      from: spec.from,
      expression: spec.expr,
      constant: spec.value ?? null,
      type: spec.type,
      dictionary: spec.map === undefined ? undefined : new Map(Object.entries(spec.map)),
      fallback: spec.default,
      trim: spec.trim ?? false,
      ref: spec.ref,
    };
  });
}

/** A change that could not be mapped: the target field and the reason. */
export interface MappingFailure {
  readonly ok: false;
  readonly field: string;
  readonly reason: string;
}

export type MappingResult = { readonly ok: true; readonly record: TargetRecord | undefined } | MappingFailure;

/** The value a field starts from: its source column, its computed expression, or its constant. */
function baseValue(field: FieldMapping, row: Row): { ok: true; value: Value } | MappingFailure {
  if (field.expression !== undefined) {
    const result = evaluateExpression(field.expression, row);
    if (result.ok) return result;
    return {
      ok: false,
      field: field.target,
      reason: `expr ${JSON.stringify(field.expression.text)}: ${result.reason}`,
    };
  }
  if (field.from === undefined) return { ok: true, value: field.constant };
  return { ok: true, value: row[field.from] ?? null };
}

/** What a field's value comes from, for messages. */
function origin(field: FieldMapping): string {
  return field.expression === undefined
    ? `source column "${field.from ?? ''}"`
    : `expr ${JSON.stringify(field.expression.text)}`;
}

function mapField(field: FieldMapping, row: Row): { ok: true; value: Value } | MappingFailure {
  if (field.from === undefined && field.expression === undefined) return { ok: true, value: field.constant };
  const base = baseValue(field, row);
  if (!base.ok) return base;
  let value = base.value;
  if (field.trim && typeof value === 'string') value = value.trim();
  if (field.dictionary !== undefined && value !== null) {
    const mapped = field.dictionary.get(valueText(value));
    if (mapped !== undefined) {
      value = mapped;
    } else if (field.fallback !== undefined) {
      value = field.fallback;
    } else {
      const known = [...field.dictionary.keys()].map((key) => `"${key}"`).join(', ');
      return {
        ok: false,
        field: field.target,
        reason: `value "${valueText(value)}" of ${origin(field)} is not in the map (known: ${known}) and no default is set`,
      };
    }
  }
  if (value === null && field.fallback !== undefined) value = field.fallback;
  if (field.type === undefined || value === null) return { ok: true, value };
  const converted = convertValue(value, field.type);
  if (!converted.ok)
    return { ok: false, field: field.target, reason: `${origin(field)}: ${converted.reason}` };
  return { ok: true, value: converted.value };
}

/** What mapping needs to know about a flow. */
export interface MappingContext {
  readonly sourceKey: string;
  readonly targetKey: string;
  readonly fields: readonly FieldMapping[];
  readonly onDelete: DeletePolicy;
}

/**
 * Maps a source change to the target record: the source key into the target key column, each
 * field renamed, converted and looked up in its dictionary. A soft delete at the target is an
 * upsert that sets the soft-delete column; `ignore` drops deletes (record undefined).
 */
export function mapChange(context: MappingContext, change: Change): MappingResult {
  const key = change.row[context.sourceKey] ?? null;
  if (change.op === 'delete') {
    if (context.onDelete.mode === 'ignore') return { ok: true, record: undefined };
    if (context.onDelete.mode === 'hard') {
      return { ok: true, record: { key: change.key, op: 'delete', values: { [context.targetKey]: key } } };
    }
  }
  const values: Row = { [context.targetKey]: key };
  for (const field of context.fields) {
    const result = mapField(field, change.row);
    if (!result.ok) return result;
    values[field.target] = result.value;
  }
  if (context.onDelete.mode === 'soft') values[context.onDelete.column] = change.op === 'delete';
  return { ok: true, record: { key: change.key, op: 'upsert', values } };
}
