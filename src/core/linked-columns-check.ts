import type { ColumnInfo, TableSchema } from './connector.js';
import type { Flow } from './flow.js';
import { warningId, type SchemaFinding } from './schema-finding.js';

function find(schema: TableSchema, name: string): ColumnInfo | undefined {
  return (
    schema.columns.find((column) => column.name === name) ??
    schema.columns.find((column) => column.name.toLowerCase() === name.toLowerCase())
  );
}

/**
 * Schema checks of what issue-4 features add to a flow: the target's cursor and id columns, the
 * write-back columns on both sides, and, for two-way flows, field pairs that change a value on
 * its way back (rounding), which then comes back to the target rounded.
 */
export function checkLinkedColumns(
  flow: Flow,
  source: TableSchema | undefined,
  target: TableSchema | undefined,
): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  const base = `flows.${flow.name}`;
  const error = (path: string, message: string): void =>
    void findings.push({ severity: 'error', path: `${base}.${path}`, message });
  const warn = (path: string, message: string, id: string): void =>
    void findings.push({ severity: 'warning', path: `${base}.${path}`, message, id });
  if (target !== undefined) {
    const cursor = flow.twoWay?.targetCursor;
    if (cursor !== undefined && find(target, cursor) === undefined)
      error('target.cursor', `target column "${cursor}" does not exist in ${flow.target.table}`);
    if (flow.targetId !== undefined && find(target, flow.targetId) === undefined)
      error('target.id', `target column "${flow.targetId}" does not exist in ${flow.target.table}`);
    for (const pair of flow.writeBack)
      if (find(target, pair.target) === undefined)
        error(
          `writeBack.${pair.source}`,
          `target column "${pair.target}" does not exist in ${flow.target.table}`,
        );
  }
  if (source !== undefined) {
    for (const pair of flow.writeBack)
      if (find(source, pair.source) === undefined)
        error(
          `writeBack.${pair.source}`,
          `source column "${pair.source}" does not exist in ${flow.source.table}`,
        );
  }
  if (flow.twoWay === undefined || source === undefined || target === undefined) return findings;
  for (const field of flow.twoWay.fields) {
    const from = find(target, field.target);
    const to = find(source, field.source);
    if (from === undefined || to === undefined) continue;
    const path = `fields.${field.target}`;
    if (from.kind === 'decimal' && to.kind === 'decimal' && (to.scale ?? 0) < (from.scale ?? 0))
      warn(
        path,
        `${flow.target.table}.${from.name} has ${from.scale ?? 0} decimal places but ${flow.source.table}.${to.name} ${to.scale ?? 0}: a value entered in the target with more places is rounded on its way back, and the rounded value is then written to the target too; widen the source column to keep it`,
        warningId('BACK-SCALE', flow.source.table, to.name),
      );
    if ((from.kind === 'decimal' || from.kind === 'float') && to.kind === 'integer')
      warn(
        path,
        `${flow.target.table}.${from.name} has fractions but ${flow.source.table}.${to.name} is an integer: a fraction entered in the target is refused or lost on its way back`,
        warningId('BACK-FRACTION', flow.source.table, to.name),
      );
  }
  return findings;
}
