import type { LineRow, SourceSpec, TargetRecord, TargetSpec } from '../../src/core/connector.js';
import { valueText, type Row } from '../../src/core/values.js';
import { CONFORMANCE_FLOW } from './conformance-specs.js';
import type { ObjectSpec, PortableColumn, PreparedObject } from './connector-harness.js';

/**
 * Specs and records of the cases that run on any system, database or business system: they speak
 * the suite's field names and translate through `PreparedObject.fields` at the connector's door.
 */

/** A portable record: a text key and a name. */
export const RECORD_FIELDS: readonly PortableColumn[] = [
  { name: 'code', type: 'varchar255', nullable: false },
  { name: 'name', type: 'text' },
];

/** The line relation of the lines cases: a text line key, a description, a quantity. */
export const LINE_FIELDS: readonly PortableColumn[] = [
  { name: 'line_code', type: 'varchar255', nullable: false },
  { name: 'description', type: 'text' },
  { name: 'quantity', type: 'integer' },
];

/** The cursor field of `recordSpec(name, { cursor: true })`; the harness or the system moves it. */
export const CURSOR_FIELD: PortableColumn = { name: 'changed', type: 'bigint' };

/**
 * An object spec of portable records. Options: `required`, the name is a field the system requires
 * (a record without one is refused); `cursor`, with CURSOR_FIELD; `lines`, with a `lines` relation
 * of LINE_FIELDS. Each case asks only for what it uses, so a system maps as many cases as it can.
 */
export function recordSpec(
  name: string,
  options: { readonly required?: boolean; readonly lines?: boolean; readonly cursor?: boolean } = {},
): ObjectSpec {
  const fields = RECORD_FIELDS.map((field) =>
    field.name === 'name' && options.required === true ? { ...field, nullable: false } : field,
  );
  return {
    name,
    fields: options.cursor === true ? [...fields, CURSOR_FIELD] : fields,
    key: 'code',
    ...(options.cursor === true ? { cursor: CURSOR_FIELD.name } : {}),
    ...(options.lines === true ? { lines: [{ name: 'lines', fields: LINE_FIELDS, key: 'line_code' }] } : {}),
  };
}

/** The system's name of a suite field; an unmapped field is a harness bug, named here. */
function systemName(fields: Readonly<Record<string, string>>, name: string, where: string): string {
  const mapped = fields[name];
  if (mapped === undefined) throw new Error(`the harness mapped no field for ${name} of ${where}`);
  return mapped;
}

/** A row in the suite's names → the same row in the system's names. */
export function toSystemRow(object: PreparedObject, row: Row): Row {
  return Object.fromEntries(
    Object.entries(row).map(([name, value]) => [systemName(object.fields, name, object.object), value]),
  );
}

/** A row in the system's names → the suite's names (fields the spec does not hold are dropped). */
export function toSuiteRow(object: PreparedObject, row: Row): Row {
  const suite: Row = {};
  for (const [name, mapped] of Object.entries(object.fields)) {
    const value = row[mapped];
    if (value !== undefined) suite[name] = value;
  }
  return suite;
}

/**
 * A source spec over the object, every field read; its cursor is the spec's `cursor`, or the key
 * where the spec has none (a `cursor: false` system ignores it).
 */
export function portableSource(object: PreparedObject, overrides: Partial<SourceSpec> = {}): SourceSpec {
  const key = systemName(object.fields, object.spec.key, object.object);
  const cursor = object.spec.cursor;
  return {
    flow: CONFORMANCE_FLOW,
    table: object.object,
    key,
    cursor: cursor === undefined ? key : systemName(object.fields, cursor, object.object),
    deleted: undefined,
    columns: Object.values(object.fields),
    batchSize: 1_000,
    lookback: 0,
    ...overrides,
  };
}

/** A target spec writing every field of the object, with its line relations, hard deletes. */
export function portableTarget(object: PreparedObject): TargetSpec {
  const lines = Object.values(object.lines ?? {}).map((relation) => ({
    name: relation.relation,
    key: relation.key,
    columns: Object.values(relation.fields),
    types: {},
  }));
  return {
    flow: CONFORMANCE_FLOW,
    table: object.object,
    key: systemName(object.fields, object.spec.key, object.object),
    columns: Object.values(object.fields),
    types: {},
    onDelete: { mode: 'hard' },
    ...(lines.length > 0 ? { lines } : {}),
  };
}

/** An upsert of a row in the suite's names, keyed by the spec's key, with lines by the suite's relation names. */
export function portableUpsert(
  object: PreparedObject,
  row: Row,
  lines: Readonly<Record<string, readonly Row[]>> = {},
): TargetRecord {
  const key = valueText(row[object.spec.key] ?? null);
  const mapped: Record<string, LineRow[]> = {};
  for (const [name, rows] of Object.entries(lines)) {
    const relation = object.lines?.[name];
    const line = object.spec.lines?.find((candidate) => candidate.name === name);
    if (relation === undefined || line === undefined)
      throw new Error(`the harness prepared no line relation ${name} of ${object.object}`);
    mapped[relation.relation] = rows.map((lineRow) => ({
      key: valueText(lineRow[line.key] ?? null),
      row: Object.fromEntries(
        Object.entries(lineRow).map(([field, value]) => [
          systemName(relation.fields, field, `${object.object}.${relation.relation}`),
          value,
        ]),
      ),
    }));
  }
  return {
    key,
    op: 'upsert',
    values: toSystemRow(object, row),
    ...(Object.keys(mapped).length > 0 ? { lines: mapped } : {}),
  };
}
