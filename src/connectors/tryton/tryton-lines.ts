import type { LineRow, LineTargetSpec } from '../../core/connector.js';
import type { Row } from '../../core/values.js';
import type { RpcValue } from './tryton-values.js';

/** A line already at the target: its id and, when lines are matched by key, the key it keeps. */
export interface ExistingLine {
  readonly id: number;
  readonly key: string | undefined;
}

/**
 * One2many commands that make a record's lines at the target exactly `lines`: with
 * `spec.key`, a line whose key is already there is written in place, a new one created and one
 * no longer present deleted; without it, every existing line is deleted and the lines created
 * again. `encode` turns a line's mapped row into Tryton values (the key field included).
 */
export function lineCommands(
  spec: LineTargetSpec,
  lines: readonly LineRow[],
  existing: readonly ExistingLine[],
  encode: (row: Row) => Record<string, RpcValue>,
): RpcValue[] {
  const withKey = (line: LineRow): Row =>
    spec.key === undefined ? line.row : { ...line.row, [spec.key]: line.key };
  if (spec.key === undefined) {
    const commands: RpcValue[] = [];
    if (existing.length > 0) commands.push(['delete', existing.map((line) => line.id)]);
    if (lines.length > 0) commands.push(['create', lines.map((line) => encode(withKey(line)))]);
    return commands;
  }
  const byKey = new Map<string, number>();
  const stale: number[] = [];
  for (const line of existing) {
    if (line.key !== undefined && !byKey.has(line.key)) byKey.set(line.key, line.id);
    else stale.push(line.id);
  }
  const commands: RpcValue[] = [];
  const created: RpcValue[] = [];
  const kept = new Set<number>();
  for (const line of lines) {
    const id = byKey.get(line.key);
    if (id === undefined) created.push(encode(withKey(line)));
    else {
      kept.add(id);
      commands.push(['write', [id], encode(withKey(line))]);
    }
  }
  const removed = [...stale, ...[...byKey.values()].filter((id) => !kept.has(id))];
  if (removed.length > 0) commands.push(['delete', removed]);
  if (created.length > 0) commands.push(['create', created]);
  return commands;
}
