import { ConnectorError } from '../../core/errors.js';
import { parseBoolean } from '../../core/value-conversion.js';
import { isJsonNull, type JsonValue, type Row, type Value } from '../../core/values.js';

/** A JSON value as Tryton's JSON-RPC sends and accepts it (special values as `__class__` objects). */
export type RpcValue = JsonValue;

type RpcObject = { [key: string]: JsonValue };

/** A value as text for keys and messages: strings as they are, numbers and booleans printed, anything else as JSON. */
export function valueAsText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function isObject(value: unknown): value is RpcObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(object: RpcObject, key: string): number {
  const value = object[key];
  return typeof value === 'number' ? value : 0;
}

/**
 * A value Tryton sent, in the engine's canonical form: `Decimal` → decimal string, `datetime` →
 * ISO instant (`2026-11-25T16:35:09.9035Z`; Tryton's naive times are UTC, see docs/tryton.md),
 * `date` → `YYYY-MM-DD`, `time` → `HH:MM:SS`, `timedelta` → seconds, `bytes` → bytes; lists and
 * plain values unchanged. `fieldType` (from `fields_get`) turns SQLite's 1/0 into booleans.
 */
export function decodeValue(value: RpcValue | undefined, fieldType?: string): Value {
  if (value === undefined) return null;
  if (fieldType === 'boolean' && typeof value === 'number') return value !== 0;
  if (!isObject(value)) return value;
  switch (value['__class__']) {
    case 'Decimal':
      return valueAsText(value['decimal']);
    case 'datetime': {
      const micro = num(value, 'microsecond');
      const fraction = micro === 0 ? '' : `.${pad(micro, 6)}`.replace(/0+$/, '');
      return `${pad(num(value, 'year'), 4)}-${pad(num(value, 'month'))}-${pad(num(value, 'day'))}T${pad(num(value, 'hour'))}:${pad(num(value, 'minute'))}:${pad(num(value, 'second'))}${fraction}Z`;
    }
    case 'date':
      return `${pad(num(value, 'year'), 4)}-${pad(num(value, 'month'))}-${pad(num(value, 'day'))}`;
    case 'time':
      return `${pad(num(value, 'hour'))}:${pad(num(value, 'minute'))}:${pad(num(value, 'second'))}`;
    case 'timedelta':
      return num(value, 'seconds');
    case 'bytes':
      return new Uint8Array(Buffer.from(valueAsText(value['base64']), 'base64'));
    default:
      return value;
  }
}

/**
 * The value of `field` in a record Tryton read: a plain field, or a dotted path (`party.name`),
 * which Tryton answers as `"party.": {"id": 3, "name": "Acme"}` (nested per dot).
 */
export function pickField(record: RpcObject, field: string): RpcValue | undefined {
  if (field in record) return record[field];
  const dot = field.indexOf('.');
  if (dot < 0) return undefined;
  const related = record[`${field.slice(0, dot)}.`];
  if (!isObject(related)) return related === null ? null : undefined;
  return pickField(related, field.slice(dot + 1));
}

/** A record Tryton read, as a canonical row of `fields` (types by field name from `fields_get`). */
export function decodeRecord(
  record: RpcObject,
  fields: readonly string[],
  types: ReadonlyMap<string, string>,
): Row {
  const row: Row = {};
  for (const field of fields) row[field] = decodeValue(pickField(record, field), types.get(field));
  return row;
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A `datetime` object for Tryton (naive UTC) from an ISO timestamp; zoned values are shifted to UTC. */
export function encodeDatetime(text: string): RpcObject | undefined {
  const match = ISO_TIME.exec(text.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const micro = Number((frac ?? '').slice(0, 6).padEnd(6, '0'));
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  const at = new Date(ms);
  return {
    __class__: 'datetime',
    year: at.getUTCFullYear(),
    month: at.getUTCMonth() + 1,
    day: at.getUTCDate(),
    hour: at.getUTCHours(),
    minute: at.getUTCMinutes(),
    second: at.getUTCSeconds(),
    microsecond: micro,
  };
}

function encodeDate(text: string): RpcObject | undefined {
  const match = ISO_TIME.exec(text.trim());
  if (match === null) return undefined;
  return { __class__: 'date', year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

function refuse(field: string, value: Value, expected: string): never {
  throw new ConnectorError(
    'CONNECTOR_VALUE_REJECTED',
    `The value ${JSON.stringify(value)} of field "${field}" is not ${expected}`,
    { field },
  );
}

/**
 * A canonical value as Tryton expects it for a field of `fieldType` (from `fields_get`):
 * decimals as `Decimal` objects (exact), timestamps as naive UTC `datetime`s, dates as `date`s,
 * booleans from any boolean spelling, many2one ids as integers. Throws a record's
 * `CONNECTOR_VALUE_REJECTED` naming the field for a value that does not fit.
 */
export function encodeValue(field: string, value: Value, fieldType: string | undefined): RpcValue {
  if (value === null) return null;
  if (value instanceof Uint8Array)
    return { __class__: 'bytes', base64: Buffer.from(value).toString('base64') };
  if (isJsonNull(value)) return null;
  switch (fieldType) {
    case 'numeric': {
      const text = valueAsText(value).trim();
      if (typeof value === 'boolean' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text))
        return refuse(field, value, 'a decimal number');
      return { __class__: 'Decimal', decimal: text };
    }
    case 'float':
    case 'integer':
    case 'bigint':
    case 'many2one': {
      const parsed =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
      if (!Number.isFinite(parsed) || (fieldType !== 'float' && !Number.isInteger(parsed)))
        return refuse(field, value, fieldType === 'many2one' ? 'a record id' : `a number (${fieldType})`);
      return parsed;
    }
    case 'boolean': {
      const parsed = parseBoolean(value);
      return parsed ?? refuse(field, value, 'a boolean');
    }
    case 'datetime':
    case 'timestamp':
      return (
        (typeof value === 'string' ? encodeDatetime(value) : undefined) ?? refuse(field, value, 'a timestamp')
      );
    case 'date':
      return (typeof value === 'string' ? encodeDate(value) : undefined) ?? refuse(field, value, 'a date');
    case 'char':
    case 'text':
    case 'selection':
      return valueAsText(value);
    default:
      return value;
  }
}
