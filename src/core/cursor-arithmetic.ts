import type { ScalarValue } from './values.js';

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:([ T])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * The cursor value `lookback` before `value`: milliseconds before a timestamp or date (kept in
 * its own format and offset, sub-millisecond digits kept), units below a number.
 */
export function subtractLookback(value: ScalarValue, lookback: number): ScalarValue {
  if (lookback <= 0) return value;
  if (typeof value === 'number') return value - lookback;
  if (/^-?\d+$/.test(value)) return (BigInt(value) - BigInt(Math.ceil(lookback))).toString();
  if (/^-?\d+\.\d+$/.test(value)) return String(Number(value) - lookback);
  const match = TIMESTAMP.exec(value);
  if (match === null) return value;
  const [, y, mo, d, sep, h, mi, s, frac, zone] = match;
  const fraction = frac ?? '';
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const wall = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
    millis,
  );
  const shifted = new Date(wall - lookback);
  const date = `${pad(shifted.getUTCFullYear(), 4)}-${pad(shifted.getUTCMonth() + 1, 2)}-${pad(shifted.getUTCDate(), 2)}`;
  if (sep === undefined) return date;
  let time = `${pad(shifted.getUTCHours(), 2)}:${pad(shifted.getUTCMinutes(), 2)}:${pad(shifted.getUTCSeconds(), 2)}`;
  if (fraction.length > 0)
    time += `.${pad(shifted.getUTCMilliseconds(), 3)}${fraction.slice(3)}`.slice(0, fraction.length + 1);
  return `${date}${sep}${time}${zone ?? ''}`;
}
