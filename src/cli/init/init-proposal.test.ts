import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load-config.js';
import type { ColumnInfo, TableSchema } from '../../core/connector.js';
import type { ColumnKind } from '../../core/values.js';
import { matchTables, proposeInit } from './init-proposal.js';
import { renderInitConfig } from './init-yaml.js';
import { canonicalName, columnSimilarity, nameSimilarity, singular } from './name-similarity.js';

function column(name: string, kind: ColumnKind, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return { name, kind, nativeType: kind, nullable: true, hasDefault: false, ...extra };
}

function table(name: string, columns: ColumnInfo[], uniqueKeys: string[][] = [['id']]): TableSchema {
  return { table: name, columns, uniqueKeys };
}

const id = (kind: ColumnKind = 'integer', extra: Partial<ColumnInfo> = {}): ColumnInfo =>
  column('id', kind, { nullable: false, ...extra });

const CRM: TableSchema[] = [
  table('accounts', [
    id('string', { nativeType: 'uuid' }),
    column('name', 'string', { nativeType: 'text', nullable: false }),
    column('email', 'string', { nativeType: 'varchar(320)', maxLength: 320 }),
    column('credit_limit', 'decimal', { precision: 14, scale: 2 }),
    column('is_deleted', 'boolean', { nullable: false }),
    column('updated_at', 'timestamptz', { nullable: false }),
  ]),
  table('contacts', [
    id(),
    column('account_id', 'string'),
    column('fullName', 'string'),
    column('phone', 'string'),
    column('modified', 'timestamp'),
  ]),
  table('orders', [
    id(),
    column('order_no', 'string'),
    column('total', 'decimal'),
    column('version', 'integer'),
  ]),
  table('audit_log', [id(), column('at', 'timestamptz')]),
];

const ERP: TableSchema[] = [
  table(
    'customers',
    [
      id('integer', { hasDefault: true }),
      column('crm_id', 'string', { maxLength: 64 }),
      column('customer_name', 'string', { nativeType: 'varchar(100)', maxLength: 100, nullable: false }),
      column('email_address', 'string', { maxLength: 255 }),
      column('credit_limit', 'decimal', { precision: 12, scale: 2 }),
      column('is_deleted', 'boolean', { nullable: false, hasDefault: true }),
    ],
    [['id'], ['crm_id']],
  ),
  table('persons', [
    id('integer', { hasDefault: true }),
    column('customer_id', 'string'),
    column('full_name', 'string'),
    column('telephone', 'string'),
  ]),
  table(
    'sales_orders',
    [id('integer', { hasDefault: true }), column('external_id', 'string'), column('amount', 'decimal')],
    [['id'], ['external_id']],
  ),
  table('stock', [id()]),
];

describe('name similarity', () => {
  it('reads plural, camelCase, prefixes and synonyms alike', () => {
    expect(singular('categories')).toBe('category');
    expect(singular('addresses')).toBe('address');
    expect(canonicalName('crm_Accounts')).toBe('customer');
    expect(nameSimilarity('accounts', 'customers')).toBe(1);
    expect(nameSimilarity('contacts', 'persons')).toBe(1);
    expect(nameSimilarity('orders', 'sales_orders')).toBe(1);
    expect(nameSimilarity('deals', 'sales_orders')).toBe(0.8);
    expect(nameSimilarity('t_order_lines', 'SalesOrderLines')).toBe(1);
    expect(nameSimilarity('notes', 'stock')).toBeLessThan(0.5);
  });

  it('reads a column in its table, and keeps prefixes of columns', () => {
    const similarity = columnSimilarity(
      { column: 'name', table: 'accounts' },
      { column: 'customer_name', table: 'customers' },
    );
    expect(similarity).toBeGreaterThan(0.9);
    expect(nameSimilarity('crm_id', 'id', true)).toBeLessThan(0.75);
  });
});

describe('proposeInit', () => {
  const proposal = proposeInit({ connection: 'crm', tables: CRM }, { connection: 'erp', tables: ERP });
  const flow = (name: string) => proposal.flows.find((candidate) => candidate.name === name);

  it('matches tables by name and synonym, one to one, and lists the rest', () => {
    expect(matchTables(CRM, ERP).map((m) => [m.source.table, m.target.table])).toEqual([
      ['accounts', 'customers'],
      ['contacts', 'persons'],
      ['orders', 'sales_orders'],
    ]);
    expect(proposal.unmatchedSource).toEqual(['audit_log']);
    expect(proposal.unmatchedTarget).toEqual(['stock']);
  });

  it('picks key, cursor, soft delete and the unique column receiving the source key', () => {
    const customers = flow('customers');
    expect(customers?.source).toEqual({
      table: 'accounts',
      key: 'id',
      cursor: 'updated_at',
      deleted: 'is_deleted',
    });
    expect(customers?.target).toEqual({
      table: 'customers',
      key: 'crm_id',
      onDelete: { soft: 'is_deleted' },
    });
    expect(customers?.fields.map((f) => [f.target, f.source])).toEqual([
      ['customer_name', 'name'],
      ['email_address', 'email'],
      ['credit_limit', 'credit_limit'],
    ]);
    expect(customers?.validate).toContainEqual({ column: 'customer_name', maxLength: 100 });
    expect(customers?.fields.find((f) => f.target === 'email_address')?.check).toMatch(/maxLength/);
    expect(customers?.isRunnable).toBe(true);
    expect(customers?.gaps).toEqual([]);
  });

  it('names hard deletes as a gap, and a missing key column or cursor as a gap that stops the flow', () => {
    const orders = flow('sales_orders');
    expect(orders?.source.cursor).toBe('version');
    expect(orders?.target.key).toBe('external_id');
    expect(orders?.checks.join('\n')).toMatch(/version number/);
    expect(orders?.gaps.join('\n')).toMatch(/hard deletes .* reconcile/);
    expect(orders?.isRunnable).toBe(true);

    const persons = flow('persons');
    expect(persons?.isRunnable).toBe(false);
    const reference = persons?.fields.find((field) => field.target === 'customer_id');
    expect(reference?.source).toBe('account_id');
    expect(reference?.check).toMatch(/a reference\? .* ref: <flow>/);
    expect(persons?.gaps.join('\n')).toMatch(
      /create a unique column to receive the source key.*persons ADD COLUMN crm_id/,
    );
  });

  it('renders a config the schema accepts, with env references and commented gaps', () => {
    const text = renderInitConfig(proposal, {
      command: 'syncline init --from postgres://… --to mysql://…',
      connections: [
        { name: 'crm', entry: '{ type: postgres, url: ${CRM_DATABASE_URL} }' },
        { name: 'erp', entry: '{ type: mysql, url: ${ERP_DATABASE_URL} }' },
      ],
      env: [{ name: 'CRM_DATABASE_URL', example: 'postgres://u:***@h/crm' }],
    });
    const config = parseConfig(text, {
      env: { CRM_DATABASE_URL: 'postgres://h/crm', ERP_DATABASE_URL: 'mysql://h/erp' },
    });
    expect(Object.keys(config.flows).sort()).toEqual(['customers', 'sales_orders']);
    expect(text).toContain('  # persons:');
    expect(text).toContain('# GAP: hard deletes (DELETE FROM orders)');
    expect(text).toContain('# Tables of crm no table of erp matched: audit_log');
  });
});
