import type { TableSchema, TargetRecord } from '../connector.js';
import { wallTimeOffsetMinutes } from '../digest.js';
import type { MappingFailure } from '../mapping.js';
import { valueText, type Row, type Value } from '../values.js';
import type { ReverseField, TwoWaySpec } from './two-way-flow.js';

const NAIVE_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}

/**
 * A naive timestamp read from a target column that stores wall-clock time in `zone`, given that
 * zone's offset, so a zoned source column receives the same instant (not the digits in UTC).
 */
export function attachZone(value: Value, zone: string): Value {
  if (typeof value !== 'string') return value;
  const match = NAIVE_TIMESTAMP.exec(value);
  if (match === null) return value;
  const [, y, mo, d, h, mi, s] = match;
  const wallMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  const offset = wallTimeOffsetMinutes(zone, wallMs);
  return `${value.replace(' ', 'T')}${offsetText(offset)}`;
}

/** What reverse mapping needs to know besides the flow: the live schemas and the target's zone. */
export interface ReverseContext {
  readonly twoWay: TwoWaySpec;
  /** The source's key column. */
  readonly sourceKey: string;
  readonly sourceSchema: TableSchema | undefined;
  readonly targetSchema: TableSchema | undefined;
  /** The target connector's wall-clock zone, if it has a fixed one. */
  readonly targetZone: string | undefined;
}

function needsZone(context: ReverseContext, field: ReverseField): boolean {
  if (context.targetZone === undefined) return false;
  const target = context.targetSchema?.columns.find((column) => column.name === field.target);
  const source = context.sourceSchema?.columns.find((column) => column.name === field.source);
  return target?.kind === 'timestamp' && source?.kind === 'timestamptz';
}

function reverseValue(
  context: ReverseContext,
  field: ReverseField,
  value: Value,
): { ok: true; value: Value } | MappingFailure {
  let result = value;
  if (field.dictionary !== undefined && result !== null) {
    const mapped = field.dictionary.get(valueText(result));
    if (mapped === undefined) {
      const known = [...field.dictionary.keys()].map((key) => `"${key}"`).join(', ');
      return {
        ok: false,
        field: field.target,
        reason: `value "${valueText(result)}" of target column "${field.target}" is not a value of its map (known: ${known}), so it cannot be mapped back to source column "${field.source}"`,
      };
    }
    result = mapped;
  }
  if (result !== null && needsZone(context, field) && context.targetZone !== undefined)
    result = attachZone(result, context.targetZone);
  return { ok: true, value: result };
}

/**
 * Maps a record in target columns (a target row, or a merged record) back to an update of the
 * source row with key `sourceKey`: each field's source column, dictionaries inverted, constants
 * and references left out.
 */
export function mapToSource(
  context: ReverseContext,
  key: string,
  keyValue: Value,
  values: Row,
): { ok: true; record: TargetRecord } | MappingFailure {
  const row: Row = { [context.sourceKey]: keyValue };
  for (const field of context.twoWay.fields) {
    const mapped = reverseValue(context, field, values[field.target] ?? null);
    if (!mapped.ok) return mapped;
    row[field.source] = mapped.value;
  }
  return { ok: true, record: { key, op: 'update', values: row } };
}
