import { describe, expect, it } from 'vitest';
import type { ColumnInfo, TableSchema } from '../../core/connector.js';
import type { ColumnKind } from '../../core/values.js';
import { chooseCursor, findDeletedFlag, narrowingOf, typeFit } from './column-roles.js';
import { proposeFlow } from './flow-proposal.js';

function column(name: string, kind: ColumnKind, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return { name, kind, nativeType: kind, nullable: false, hasDefault: false, ...extra };
}

function table(name: string, columns: ColumnInfo[], uniqueKeys: string[][] = [['id']]): TableSchema {
  return { table: name, columns, uniqueKeys };
}

describe('column roles', () => {
  it('prefers a timestamp named like updated_at, then one that speaks of updates, then a version number', () => {
    const cursorOf = (...columns: ColumnInfo[]) => chooseCursor(table('t', columns))?.column;
    expect(cursorOf(column('created_at', 'timestamptz'), column('LastModifiedDate', 'timestamp'))).toBe(
      'LastModifiedDate',
    );
    expect(cursorOf(column('row_updated_ts', 'timestamptz'), column('version', 'integer'))).toBe(
      'row_updated_ts',
    );
    expect(cursorOf(column('lock_version', 'integer'))).toBe('lock_version');
    expect(cursorOf(column('created_at', 'timestamptz'), column('updated_at', 'string'))).toBeUndefined();
  });

  it('finds a soft-delete flag among booleans and 0/1 integers only', () => {
    expect(findDeletedFlag(table('t', [column('isDeleted', 'boolean')]))?.name).toBe('isDeleted');
    expect(findDeletedFlag(table('t', [column('deleted', 'integer')]))?.name).toBe('deleted');
    expect(findDeletedFlag(table('t', [column('deleted_at', 'timestamptz')]))).toBeUndefined();
  });

  it('fits kinds and names narrowing columns', () => {
    expect(typeFit(column('a', 'integer'), column('b', 'decimal'))).toBe('convertible');
    expect(typeFit(column('a', 'string'), column('b', 'integer'))).toBe('incompatible');
    expect(typeFit(column('a', 'timestamptz'), column('b', 'timestamp'))).toBe('convertible');
    const wide = column('a', 'decimal', { nativeType: 'numeric(18,4)', precision: 18, scale: 4 });
    const narrow = column('b', 'decimal', { nativeType: 'decimal(12,2)', precision: 12, scale: 2 });
    expect(narrowingOf(wide, narrow)).toMatch(/numeric\(18,4\) into decimal\(12,2\)/);
    expect(narrowingOf(narrow, wide)).toBeUndefined();
  });
});

describe('proposeFlow', () => {
  const target = table(
    'customers',
    [column('id', 'integer', { hasDefault: true }), column('crm_id', 'integer'), column('name', 'string')],
    [['id'], ['crm_id']],
  );

  it('parks a flow whose source has no cursor, naming the gap', () => {
    const source = table('accounts', [column('id', 'integer'), column('name', 'string')]);
    const flow = proposeFlow('customers', { connection: 'crm', tables: [source] }, source, target);
    expect(flow.isRunnable).toBe(false);
    expect(flow.gaps.join('\n')).toMatch(/accounts has no cursor column/);
  });

  it('takes a unique column as the key of a source without a one-column primary key, and says so', () => {
    const source = table(
      'accounts',
      [
        column('tenant', 'string'),
        column('id', 'integer'),
        column('name', 'string'),
        column('updated_at', 'timestamptz'),
      ],
      [['tenant', 'id'], ['id']],
    );
    const flow = proposeFlow('customers', { connection: 'crm', tables: [source] }, source, target);
    expect(flow.source.key).toBe('id');
    expect(flow.checks.join('\n')).toMatch(/no one-column primary key; its unique column id is the key/);
    expect(flow.isRunnable).toBe(true);
  });

  it('says when the soft-delete columns differ in name', () => {
    const source = table('accounts', [
      column('id', 'integer'),
      column('name', 'string'),
      column('updated_at', 'timestamptz'),
      column('deleted', 'boolean'),
    ]);
    const archived = { ...target, columns: [...target.columns, column('archived', 'boolean')] };
    const flow = proposeFlow('customers', { connection: 'crm', tables: [source] }, source, archived);
    expect(flow.target.onDelete).toEqual({ soft: 'archived' });
    expect(flow.checks).toContain('deletes marked in deleted are written to customers.archived');
  });

  it('refuses a target key column whose type cannot hold the source key', () => {
    const source = table('accounts', [
      column('id', 'string', { nativeType: 'uuid' }),
      column('name', 'string'),
      column('updated_at', 'timestamptz'),
    ]);
    const flow = proposeFlow('customers', { connection: 'crm', tables: [source] }, source, target);
    expect(flow.isRunnable).toBe(false);
    expect(flow.gaps.join('\n')).toMatch(
      /customers\.crm_id \(integer\) cannot hold the source key id \(uuid\)/,
    );
  });
});
