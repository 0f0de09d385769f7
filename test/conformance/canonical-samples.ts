import type { Row } from '../../src/core/values.js';
import type { PortableColumn, PortableType } from './connector-harness.js';

/** A table with one column of every portable type; `id` is the key, `version` the cursor. */
export const ALL_TYPES_COLUMNS: readonly PortableColumn[] = [
  { name: 'id', type: 'bigint', nullable: false },
  { name: 'version', type: 'bigint', nullable: false },
  { name: 'code', type: 'varchar255' },
  { name: 'name', type: 'text' },
  { name: 'amount', type: 'decimal18_4' },
  { name: 'active', type: 'boolean' },
  { name: 'seen_at', type: 'timestamptz' },
  { name: 'local_at', type: 'timestamp' },
  { name: 'birthday', type: 'date' },
  { name: 'payload', type: 'json' },
  { name: 'qty', type: 'integer' },
];

/** Column name → portable type of ALL_TYPES_COLUMNS. */
export const ALL_TYPES: Readonly<Record<string, PortableType>> = Object.fromEntries(
  ALL_TYPES_COLUMNS.map((column) => [column.name, column.type]),
);

/** Every column name of ALL_TYPES_COLUMNS. */
export const ALL_TYPE_NAMES: readonly string[] = ALL_TYPES_COLUMNS.map((column) => column.name);

/**
 * Values that must survive a round trip exactly: decimal(18,4) extremes and its smallest step,
 * Chinese and emoji text, SQL-like text stored literally, zoned timestamps with microseconds and
 * odd offsets, naive timestamps with microseconds, a leap day, both booleans, nested JSON (an
 * object and a top-level array), and a row of NULLs.
 */
export const SAMPLE_ROWS: readonly (Row & { readonly id: number })[] = [
  {
    id: 1,
    version: 1,
    code: 'C-001',
    name: '客户名称：上海示例贸易有限公司',
    amount: '99999999999999.9999',
    active: true,
    seen_at: '2026-11-11T00:00:01.123456+08:00',
    local_at: '2026-03-04T05:06:07.123456',
    birthday: '2024-02-29',
    payload: { customer: { name: '上海', tags: ['vip', 1, true, null] }, credit: '1000.50' },
    qty: 42,
  },
  {
    id: 2,
    version: 2,
    code: "'); DROP TABLE customers; --",
    name: '🚀👍🏽 Emoji & café',
    amount: '-99999999999999.9999',
    active: false,
    seen_at: '1999-12-31T23:59:59.999999Z',
    local_at: '1999-12-31T23:59:59.000001',
    birthday: '1970-01-01',
    payload: [1, 'two', { three: 3 }],
    qty: -7,
  },
  {
    id: 3,
    version: 3,
    code: 'C-003',
    name: 'O\'Brien "quoted" \\ back\\slash',
    amount: '0.0001',
    active: null,
    seen_at: '2026-06-30T23:00:00.500000+05:30',
    local_at: '2026-06-30T23:00:00',
    birthday: '2026-12-31',
    payload: {},
    qty: 0,
  },
  {
    id: 4,
    version: 4,
    code: null,
    name: null,
    amount: null,
    active: null,
    seen_at: null,
    local_at: null,
    birthday: null,
    payload: null,
    qty: null,
  },
];
