import type { LineConfig } from '../config/config-schema.js';
import type { FieldType, LineRow, LineSourceSpec, LineTargetSpec } from './connector.js';

export type { LineMapping } from './mapping.js';
import { compileFieldMappings, lineField, type LineMapping } from './mapping.js';
import { compileValidation, validateRecord } from './validation.js';

/** A relation of a flow's config (`lines.<name>`), compiled with the specs its connectors get. */
export interface CompiledLines {
  readonly mapping: LineMapping;
  readonly source: LineSourceSpec;
  readonly target: LineTargetSpec;
}

/** Compiles `lines.<name>` of a flow. */
export function compileLines(name: string, config: LineConfig): CompiledLines {
  const fields = compileFieldMappings(config.fields);
  const targetKey = config.target?.key;
  const inputs = new Set<string>([config.source.key, config.source.parent]);
  for (const field of fields) {
    if (field.from !== undefined) inputs.add(field.from);
    for (const column of field.expression?.columns ?? []) inputs.add(column);
  }
  const types: Record<string, FieldType | undefined> = {};
  for (const field of fields) types[field.target] = field.type;
  return {
    mapping: { name, targetKey, fields, rules: compileValidation(config.validate) },
    source: {
      name,
      table: config.source.table,
      key: config.source.key,
      parent: config.source.parent,
      columns: [...inputs],
    },
    target: {
      name,
      key: targetKey,
      columns: [...(targetKey === undefined ? [] : [targetKey]), ...fields.map((field) => field.target)],
      types,
    },
  };
}

/** The first line that breaks its relation's validation rules, as a field and a reason. */
export function validateLines(
  relations: readonly LineMapping[],
  lines: Readonly<Record<string, readonly LineRow[]>> | undefined,
): { field: string; reason: string } | undefined {
  for (const relation of relations) {
    if (relation.rules.length === 0) continue;
    for (const line of lines?.[relation.name] ?? []) {
      const failure = validateRecord(relation.rules, line.row);
      if (failure !== undefined)
        return { field: lineField(relation.name, line.key, failure.field), reason: failure.reason };
    }
  }
  return undefined;
}
