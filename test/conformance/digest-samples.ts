import type { Row, Value } from '../../src/core/values.js';
import type { PortableColumn } from './connector-harness.js';

/** A table of every portable type, plus a text-stored flag and a soft-delete flag. */
export const DIGEST_COLUMNS: readonly PortableColumn[] = [
  { name: 'id', type: 'bigint', nullable: false },
  { name: 'code', type: 'varchar255' },
  { name: 'name', type: 'text' },
  { name: 'amount', type: 'decimal18_4' },
  { name: 'qty', type: 'integer' },
  { name: 'active', type: 'boolean' },
  { name: 'seen_at', type: 'timestamptz' },
  { name: 'local_at', type: 'timestamp' },
  { name: 'birthday', type: 'date' },
  { name: 'payload', type: 'json' },
  { name: 'flag_text', type: 'varchar255' },
  { name: 'is_deleted', type: 'boolean' },
];

/** A table keyed by text: the key's own text picks the bucket. */
export const TEXT_KEY_COLUMNS: readonly PortableColumn[] = [
  { name: 'k', type: 'varchar255', nullable: false },
  { name: 'v', type: 'text' },
];

const CODES = [
  "O'Brien",
  '"double" quoted',
  'back\\slash',
  '客户名称',
  '🚀👍🏽',
  'tab\there',
  'new\nline',
  'nbsp\u00a0inside',
  '',
];
const NAMES = ['  padded  ', ' 上海 ', 'plain', 'Ünïcödé', "'); DROP TABLE x; --", '   '];
const AMOUNTS = [
  '12.5',
  '-0.01',
  '100',
  '0',
  '99999999999999.9999',
  '-99999999999999.9999',
  '0.0001',
  '-7.25',
  '1234.5678',
  '-100.1',
];
const QTYS = [0, 1, -1, 42, 2147483647, -2147483648, 7];
const OFFSETS = ['+08:00', 'Z', '-05:30', '+00:00', '+05:45', '-10:00'];
const FRACTIONS = ['', '.000001', '.5', '.123456', '.999999', '.010'];
const FLAGS = ['yes', ' Yes ', 'TRUE', '1', 't', 'on', 'no', 'OFF', '0', 'maybe', '', 'y', 'n', 'F', ' 1 '];
const PAYLOADS: readonly Value[] = [
  { a: 1, b: ['x', null, true] },
  [1, 'two', { three: 3 }],
  { 客户: '上海', n: 1.5 },
  {},
];

function pick<T>(values: readonly T[], index: number): T {
  return values[index % values.length] as T;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Rows with ids 1..count: NULLs, quotes, Chinese and emoji, decimal extremes, micro-second timestamps. */
export function digestRows(count: number): Row[] {
  const rows: Row[] = [];
  for (let id = 1; id <= count; id++) {
    const isNull = (every: number): boolean => id % every === 0;
    const month = (id % 12) + 1;
    const day = (id % 28) + 1;
    const hour = id % 24;
    const leapDay = id % 50 === 0;
    rows.push({
      id,
      code: isNull(11) ? null : `${pick(CODES, id)}${id % 3 === 0 ? '' : `-${id}`}`,
      name: isNull(13) ? null : pick(NAMES, id),
      amount: isNull(9) ? null : pick(AMOUNTS, id),
      qty: isNull(10) ? null : pick(QTYS, id),
      active: isNull(8) ? null : id % 2 === 0,
      seen_at: isNull(7)
        ? null
        : `20${pad(10 + (id % 27))}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(id % 60)}:${pad((id * 7) % 60)}${pick(FRACTIONS, id)}${pick(OFFSETS, id)}`,
      local_at: isNull(6)
        ? null
        : leapDay
          ? '2024-02-29T23:59:59.999999'
          : `${1000 + ((id * 137) % 9000)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad((id * 3) % 60)}:${pad(id % 60)}${pick(FRACTIONS, id + 1)}`,
      birthday: isNull(5)
        ? null
        : id === 1
          ? '9999-12-31'
          : `${1000 + ((id * 71) % 9000)}-${pad(month)}-${pad(day)}`,
      payload: isNull(4) ? null : pick(PAYLOADS, id),
      flag_text: isNull(12) ? null : pick(FLAGS, id),
      is_deleted: id % 7 === 3,
    });
  }
  return rows;
}

/** Text keys that are distinct in every database (no case or trailing-space twins). */
export const TEXT_KEY_ROWS: readonly Row[] = [
  '客户-1',
  '🚀',
  "O'Brien",
  '"dq"',
  'a\\b',
  ' lead',
  'trail ',
  '42',
  '-0',
  'Ünïcödé',
  'x'.repeat(255),
  '0001',
].map((k, index) => ({ k, v: index % 4 === 0 ? null : `value ${index}` }));
