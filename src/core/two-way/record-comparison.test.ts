import { describe, expect, it } from 'vitest';
import type { ColumnInfo, TableSchema } from '../connector.js';
import type { ColumnKind } from '../values.js';
import { columnComparison, comparableText, RecordComparison, stableJson } from './record-comparison.js';
import { attachZone } from './reverse-mapping.js';

function column(name: string, kind: ColumnKind): ColumnInfo {
  return { name, kind, nativeType: kind, nullable: true, hasDefault: false };
}

describe('record comparison of two-way flows', () => {
  const schema: TableSchema = {
    table: 'customers',
    columns: [
      column('credit_limit', 'decimal'),
      column('opened_at', 'timestamp'),
      column('active', 'boolean'),
      column('profile', 'json'),
      column('name', 'string'),
    ],
    uniqueKeys: [],
  };

  it('finds a record read back from the target equal to the one written, across notations', () => {
    const comparison = RecordComparison.forTarget(
      ['credit_limit', 'opened_at', 'active', 'profile', 'name'],
      schema,
      {},
      '+08:00',
    );
    const written = comparison.canonical({
      credit_limit: '1200.5',
      opened_at: '2026-11-11T02:00:00.250+00:00',
      active: true,
      profile: { b: 1, a: [1, 2] },
      name: '王小明 😀',
    });
    const readBack = comparison.canonical({
      credit_limit: '1200.5000',
      opened_at: '2026-11-11T10:00:00.250000',
      active: 1,
      profile: '{"a":[1,2],"b":1}',
      name: '王小明 😀',
    });
    expect(comparison.diff(written, readBack)).toEqual([]);
  });

  it('reports the columns that differ', () => {
    const comparison = RecordComparison.forTarget(['credit_limit', 'name'], schema, {}, undefined);
    expect(
      comparison.diff(
        comparison.canonical({ credit_limit: '1.10', name: 'a' }),
        comparison.canonical({ credit_limit: '1.1', name: 'b' }),
      ),
    ).toEqual(['name']);
  });

  it('compares naive timestamps by their digits when the target has no fixed zone', () => {
    expect(columnComparison(column('t', 'timestamp'), undefined, undefined)).toEqual({ kind: 'wall' });
    expect(comparableText('2026-01-01T10:00:00+05:00', { kind: 'wall' })).toBe('2026-01-01 10:00:00.000000');
  });

  it('falls back to the declared field type when the target cannot describe its table', () => {
    expect(columnComparison(undefined, 'decimal', undefined)).toEqual({ kind: 'number' });
    expect(columnComparison(undefined, undefined, undefined)).toEqual({ kind: 'text' });
  });

  it('writes JSON with sorted keys', () => {
    expect(stableJson({ z: 1, a: { y: null, b: [true] } })).toBe('{"a":{"b":[true],"y":null},"z":1}');
  });
});

describe('attachZone', () => {
  it('gives a naive wall-clock time the offset of its zone, daylight saving included', () => {
    expect(attachZone('2026-07-01T12:00:00', 'Europe/Berlin')).toBe('2026-07-01T12:00:00+02:00');
    expect(attachZone('2026-01-01 12:00:00.5', 'Europe/Berlin')).toBe('2026-01-01T12:00:00.5+01:00');
    expect(attachZone('2026-01-01T12:00:00', '+08:00')).toBe('2026-01-01T12:00:00+08:00');
  });

  it('leaves values that are not naive timestamps alone', () => {
    expect(attachZone('2026-01-01T12:00:00Z', '+08:00')).toBe('2026-01-01T12:00:00Z');
    expect(attachZone(42, '+08:00')).toBe(42);
  });
});
