import { describe, expect, it } from 'vitest';
import type { TableSchema } from '../../core/connector.js';
import { checkTargetSchema, columnKind, toColumnInfo, type ColumnRow } from './postgres-describe.js';
import { writeShape } from './postgres-write-plan.js';

function row(overrides: Partial<ColumnRow>): ColumnRow {
  return {
    name: 'c',
    native_type: 'text',
    base_type: 'text',
    type_modifier: -1,
    base_typtype: 'b',
    nullable: true,
    has_default: false,
    ...overrides,
  };
}

describe('toColumnInfo', () => {
  it('reads precision and scale of numeric(p,s) from the type modifier', () => {
    const info = toColumnInfo(
      row({ native_type: 'numeric(18,4)', base_type: 'numeric', type_modifier: ((18 << 16) | 4) + 4 }),
    );
    expect(info).toMatchObject({ kind: 'decimal', precision: 18, scale: 4 });
    expect(
      toColumnInfo(row({ base_type: 'numeric', type_modifier: ((5 << 16) | (-2 & 0x7ff)) + 4 })),
    ).toMatchObject({ precision: 5, scale: -2 });
    expect(toColumnInfo(row({ base_type: 'numeric' }))).not.toHaveProperty('precision');
  });

  it('reads the length of varchar(n) and char(n)', () => {
    expect(toColumnInfo(row({ base_type: 'character varying', type_modifier: 259 }))).toMatchObject({
      kind: 'string',
      maxLength: 255,
    });
    expect(toColumnInfo(row({ base_type: 'character', type_modifier: 7 }))).toMatchObject({ maxLength: 3 });
    expect(toColumnInfo(row({ base_type: 'character varying' }))).not.toHaveProperty('maxLength');
  });

  it('maps PostgreSQL types to column kinds', () => {
    expect(columnKind('timestamp with time zone', 'b')).toBe('timestamptz');
    expect(columnKind('timestamp without time zone', 'b')).toBe('timestamp');
    expect(columnKind('bigint', 'b')).toBe('integer');
    expect(columnKind('double precision', 'b')).toBe('float');
    expect(columnKind('jsonb', 'b')).toBe('json');
    expect(columnKind('bytea', 'b')).toBe('binary');
    expect(columnKind('mood', 'e')).toBe('string');
    expect(columnKind('integer[]', 'b')).toBe('other');
  });
});

describe('checkTargetSchema', () => {
  const shape = writeShape(
    {
      flow: 'customers',
      table: 'erp.customers',
      key: 'crm_id',
      columns: [],
      types: {},
      onDelete: { mode: 'hard' },
    },
    'public',
  );
  const schema = (uniqueKeys: string[][]): TableSchema => ({
    table: 'erp.customers',
    columns: ['id', 'crm_id', 'name'].map((name) => toColumnInfo(row({ name }))),
    uniqueKeys,
  });

  it('accepts a target whose key column alone is unique', () => {
    expect(checkTargetSchema(schema([['id'], ['crm_id']]), shape, ['crm_id', 'name']).table).toBe(
      'erp.customers',
    );
  });

  it('refuses a key that is unique only together with another column, naming table and column', () => {
    expect(() => checkTargetSchema(schema([['id'], ['crm_id', 'name']]), shape, ['crm_id'])).toThrow(
      expect.objectContaining({
        code: 'CONNECTOR_NO_UNIQUE_KEY',
        message: expect.stringContaining('"crm_id" of erp.customers') as unknown,
      }) as Error,
    );
  });

  it('names a missing table or column', () => {
    expect(() => checkTargetSchema(undefined, shape, ['crm_id'])).toThrow(
      'the target table erp.customers does not exist',
    );
    expect(() => checkTargetSchema(schema([['crm_id']]), shape, ['crm_id', 'email'])).toThrow(
      'has no column "email"',
    );
  });
});
