import type { FieldSpec } from '../config/config-schema.js';
import type { Expression } from '../config/expression-ast.js';
import type { Change, DeletePolicy, FieldType, LineRow, TargetRecord } from './connector.js';
import type { FieldRules } from './validation.js';
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
  /**
   * The value is the source column as read: nothing computed, trimmed, looked up, defaulted or
   * converted (derived from the rest when compiled, so mapping a row skips every step).
   */
  readonly isCopy: boolean;
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
        isCopy: true,
      };
    }
    const trim = spec.trim ?? false;
    return {
      target,
      from: spec.from,
      expression: spec.expr,
      constant: spec.value ?? null,
      type: spec.type,
      dictionary: spec.map === undefined ? undefined : new Map(Object.entries(spec.map)),
      fallback: spec.default,
      trim,
      ref: spec.ref,
      isCopy:
        spec.from !== undefined &&
        spec.expr === undefined &&
        spec.type === undefined &&
        spec.map === undefined &&
        spec.default === undefined &&
        !trim,
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

/** What a field's value comes from, for messages. */
function origin(field: FieldMapping): string {
  return field.expression === undefined
    ? `source column "${field.from ?? ''}"`
    : `expr ${JSON.stringify(field.expression.text)}`;
}

/**
 * Maps one field of `row` into `values`: its source column, computed expression or constant,
 * trimmed, looked up in its dictionary, defaulted and converted. Returns the failure, or undefined
 * once the value is set. Runs for every field of every record, so it allocates nothing on success.
 */
function mapFieldInto(field: FieldMapping, row: Row, values: Row): MappingFailure | undefined {
  let value: Value;
  if (field.isCopy) {
    values[field.target] = row[field.from as string] ?? null;
    return undefined;
  }
  if (field.expression !== undefined) {
    const result = evaluateExpression(field.expression, row);
    if (!result.ok) {
      return {
        ok: false,
        field: field.target,
        reason: `expr ${JSON.stringify(field.expression.text)}: ${result.reason}`,
      };
    }
    value = result.value;
  } else if (field.from === undefined) {
    values[field.target] = field.constant;
    return undefined;
  } else {
    value = row[field.from] ?? null;
  }
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
  if (field.type !== undefined && value !== null) {
    const converted = convertValue(value, field.type);
    if (!converted.ok)
      return { ok: false, field: field.target, reason: `${origin(field)}: ${converted.reason}` };
    value = converted.value;
  }
  values[field.target] = value;
  return undefined;
}

/** Maps every field of `row` into `values`, in order; the first failure stops it. */
function mapFieldsInto(fields: readonly FieldMapping[], row: Row, values: Row): MappingFailure | undefined {
  for (let index = 0; index < fields.length; index++) {
    const failure = mapFieldInto(fields[index] as FieldMapping, row, values);
    if (failure !== undefined) return failure;
  }
  return undefined;
}

/** What mapping needs to know about a flow. */
export interface MappingContext {
  readonly sourceKey: string;
  readonly targetKey: string;
  readonly fields: readonly FieldMapping[];
  readonly onDelete: DeletePolicy;
  /** Records with lines: how each relation's lines are mapped. */
  readonly lines?: readonly LineMapping[];
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
  // The target key first, then the fields in order (a field named like the target key overwrites
  // its value in place).
  const values: Row = {};
  values[context.targetKey] = key;
  const failure = mapFieldsInto(context.fields, change.row, values);
  if (failure !== undefined) return failure;
  if (context.onDelete.mode === 'soft') values[context.onDelete.column] = change.op === 'delete';
  if (context.lines === undefined || context.lines.length === 0 || change.op === 'delete')
    return { ok: true, record: { key: change.key, op: 'upsert', values } };
  const lines = mapLines(context.lines, change.lines);
  if (!lines.ok) return lines;
  return { ok: true, record: { key: change.key, op: 'upsert', values, lines: lines.lines } };
}

/** Maps one source row with a list of field mappings (a record's fields, or a line's). */
export function mapFields(
  fields: readonly FieldMapping[],
  row: Row,
): { ok: true; values: Row } | MappingFailure {
  const values: Row = {};
  const failure = mapFieldsInto(fields, row, values);
  return failure ?? { ok: true, values };
}

/** One relation of a record with lines, compiled: how its lines are read, mapped and checked. */
export interface LineMapping {
  /** The relation's name at the target (`lines` of `sale.sale`). */
  readonly name: string;
  /** Target field keeping a line's source key, if any (`lines.<name>.target.key`). */
  readonly targetKey: string | undefined;
  readonly fields: readonly FieldMapping[];
  readonly rules: readonly FieldRules[];
}

/** Where a line's problem is, for dead letters: `lines[7].quantity`. */
export function lineField(relation: string, key: string, field: string): string {
  return `${relation}[${key}].${field}`;
}

/**
 * Maps every line of a record with its relation's fields (the same mapping as a record's fields);
 * the first line that cannot be mapped fails the record, naming the line and the field.
 */
export function mapLines(
  relations: readonly LineMapping[],
  lines: Readonly<Record<string, readonly LineRow[]>> | undefined,
): { ok: true; lines: Record<string, LineRow[]> } | MappingFailure {
  const mapped: Record<string, LineRow[]> = {};
  for (const relation of relations) {
    const rows: LineRow[] = [];
    for (const line of lines?.[relation.name] ?? []) {
      const result = mapFields(relation.fields, line.row);
      if (!result.ok)
        return {
          ok: false,
          field: lineField(relation.name, line.key, result.field),
          reason: `line "${line.key}" of ${relation.name}: ${result.reason}`,
        };
      const row: Row = relation.targetKey === undefined ? {} : { [relation.targetKey]: line.key };
      rows.push({ key: line.key, row: { ...row, ...result.values } });
    }
    mapped[relation.name] = rows;
  }
  return { ok: true, lines: mapped };
}
