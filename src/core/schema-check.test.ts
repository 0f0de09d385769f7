import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import type { ColumnInfo, TableSchema } from './connector.js';
import { compileFlow } from './flow.js';
import { checkFlowSchema } from './schema-check.js';
import type { ColumnKind } from './values.js';

function column(name: string, kind: ColumnKind, maxLength?: number): ColumnInfo {
  return {
    name,
    kind,
    nativeType: maxLength === undefined ? 'text' : `varchar(${maxLength})`,
    nullable: false,
    hasDefault: false,
    ...(maxLength === undefined ? {} : { maxLength }),
  };
}

const source: TableSchema = {
  table: 'accounts',
  columns: [column('id', 'integer'), column('updated_at', 'timestamptz'), column('name', 'string')],
  uniqueKeys: [['id']],
};
const target: TableSchema = {
  table: 'customers',
  columns: [column('crm_id', 'integer'), column('name', 'string', 255)],
  uniqueKeys: [['crm_id']],
};

function yamlWith(validate: string): string {
  return `
connections:
  crm: { type: postgres, url: "postgres://localhost/crm" }
  erp: { type: mysql, url: "mysql://localhost/erp" }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name }
${validate}`;
}

function findingsWith(validate: string): string[] {
  const flow = compileFlow('customers', parseConfig(yamlWith(validate), { env: {} }).flows.customers!);
  return checkFlowSchema(flow, source, target).map((finding) => `${finding.path}: ${finding.message}`);
}

describe('the length warning', () => {
  it('warns that unbounded text meets a varchar(255) when nothing checks the length', () => {
    expect(findingsWith('')).toEqual([
      expect.stringMatching(/^flows\.customers\.fields\.name: .* holds at most 255 characters/),
    ]);
    expect(findingsWith('    validate: { name: { required: true } }')).toHaveLength(1);
  });

  it('carries a stable id naming its kind and the target column', () => {
    const flow = compileFlow('customers', parseConfig(yamlWith(''), { env: {} }).flows.customers!);
    expect(checkFlowSchema(flow, source, target).map((finding) => finding.id)).toEqual([
      'W-LENGTH customers.name',
    ]);
  });

  it('is not given when a maxLength rule no longer than the column already quarantines long values', () => {
    expect(findingsWith('    validate: { name: { maxLength: 255 } }')).toEqual([]);
    expect(findingsWith('    validate: { name: { maxLength: 100 } }')).toEqual([]);
  });

  it('still warns about a maxLength rule longer than the column', () => {
    expect(findingsWith('    validate: { name: { maxLength: 300 } }')).toEqual([
      expect.stringMatching(/^flows\.customers\.fields\.name: .* holds at most 255 characters/),
      expect.stringMatching(/^flows\.customers\.validate\.name\.maxLength: the rule allows 300 characters/),
    ]);
  });
});

describe('the non-finite float warning', () => {
  const floats = (table: string, key: string): TableSchema => ({
    table,
    columns: [column(key, 'integer'), column('updated_at', 'timestamptz'), column('name', 'float')],
    uniqueKeys: [[key]],
  });
  const flow = compileFlow('customers', parseConfig(yamlWith(''), { env: {} }).flows.customers!);
  const ids = (options: { sourceNonFiniteFloats?: boolean; targetNonFiniteFloats?: boolean }): string[] =>
    checkFlowSchema(flow, floats('accounts', 'id'), floats('customers', 'crm_id'), options).flatMap(
      (finding) => (finding.id?.startsWith('W-NON-FINITE') === true ? [finding.id] : []),
    );

  it('warns when a source float that may hold NaN or ±Infinity goes to a target that cannot store them', () => {
    expect(ids({ sourceNonFiniteFloats: true })).toEqual(['W-NON-FINITE customers.name']);
    expect(ids({ sourceNonFiniteFloats: true, targetNonFiniteFloats: true })).toEqual([]);
    expect(ids({})).toEqual([]);
  });
});

describe('a side that cannot describe its tables', () => {
  it('gets no checks on that side instead of a missing-table error', () => {
    const flow = compileFlow('customers', parseConfig(yamlWith(''), { env: {} }).flows.customers!);
    const messages = (options: Parameters<typeof checkFlowSchema>[3]): string[] =>
      checkFlowSchema(flow, undefined, undefined, options).map((finding) => finding.path);
    expect(messages({})).toEqual(['flows.customers.source.table', 'flows.customers.target.table']);
    expect(messages({ sourceDescribes: false })).toEqual(['flows.customers.target.table']);
    expect(messages({ sourceDescribes: false, targetDescribes: false })).toEqual([]);
  });
});
