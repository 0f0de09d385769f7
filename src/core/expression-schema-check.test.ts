import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import { compileFlow } from './flow.js';
import { checkFlowSchema } from './schema-check.js';
import type { ColumnInfo, TableSchema } from './table-schema.js';

function table(name: string, columns: readonly string[], key: string): TableSchema {
  return {
    table: name,
    columns: columns.map((column): ColumnInfo => ({
      name: column,
      nativeType: 'text',
      kind: 'string',
      nullable: true,
      hasDefault: true,
    })),
    uniqueKeys: [[key]],
  };
}

describe('checkFlowSchema on computed fields and a filter', () => {
  it('names a missing column of an expression with the key path of the expression', () => {
    const config = parseConfig(
      `
connections: { crm: { type: postgres }, erp: { type: mysql } }
flows:
  deals:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id }
    filter: "stage = 'won'"
    fields:
      full_name: { expr: "concat(frist_name, ' ', last_name)" }
`,
      { env: {} },
    );
    const spec = config.flows.deals;
    if (spec === undefined) throw new Error('no flow');
    const findings = checkFlowSchema(
      compileFlow('deals', spec),
      table('accounts', ['id', 'updated_at', 'first_name', 'last_name', 'status'], 'id'),
      table('customers', ['crm_id', 'full_name'], 'crm_id'),
    );
    expect(
      findings.filter((finding) => finding.severity === 'error').map((f) => `${f.path}: ${f.message}`),
    ).toEqual([
      'flows.deals.fields.full_name.expr: source column "frist_name" does not exist in accounts (columns: id, updated_at, first_name, last_name, status)',
      'flows.deals.filter: source column "stage" does not exist in accounts (columns: id, updated_at, first_name, last_name, status)',
    ]);
  });
});
