import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import type { ColumnInfo, TableSchema } from './connector.js';
import { compileFlow } from './flow.js';
import { checkFlowSchema } from './schema-check.js';
import type { ColumnKind } from './values.js';

function column(name: string, kind: ColumnKind, scale?: number): ColumnInfo {
  return {
    name,
    kind,
    nativeType: kind,
    nullable: true,
    hasDefault: false,
    ...(scale === undefined ? {} : { precision: 18, scale }),
  };
}

function table(name: string, columns: ColumnInfo[], key: string): TableSchema {
  return { table: name, columns, uniqueKeys: [[key]] };
}

const yaml = `
connections:
  crm: { type: postgres, url: "postgres://localhost/crm" }
  erp: { type: mysql, url: "mysql://localhost/erp" }
flows:
  customers:
    direction: both
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id, cursor: changed_at, id: id }
    writeBack: { erp_no: customer_no }
    fields:
      credit_limit: credit_limit
`;

describe('schema check of two-way flows, target ids and write-back', () => {
  const flow = compileFlow('customers', parseConfig(yaml).flows.customers!);
  const source = table(
    'accounts',
    [column('id', 'integer'), column('updated_at', 'timestamptz'), column('credit_limit', 'decimal', 2)],
    'id',
  );

  it('names missing cursor, id and write-back columns with their config paths', () => {
    const target = table(
      'customers',
      [column('crm_id', 'string'), column('credit_limit', 'decimal', 2)],
      'crm_id',
    );
    const errors = checkFlowSchema(flow, source, target).filter((finding) => finding.severity === 'error');
    expect(errors.map((finding) => finding.path)).toEqual([
      'flows.customers.target.cursor',
      'flows.customers.target.id',
      'flows.customers.writeBack.erp_no',
      'flows.customers.writeBack.erp_no',
    ]);
  });

  it('warns about a two-way field that rounds on its way back to the source', () => {
    const target = table(
      'customers',
      [
        column('id', 'integer'),
        column('crm_id', 'string'),
        column('changed_at', 'timestamp'),
        column('customer_no', 'string'),
        column('credit_limit', 'decimal', 4),
      ],
      'crm_id',
    );
    const withWriteBack = table('accounts', [...source.columns, column('erp_no', 'string')], 'id');
    const findings = checkFlowSchema(flow, withWriteBack, target);
    expect(findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    const rounding = findings.find((finding) => finding.message.includes('rounded on its way back'));
    expect(rounding).toMatchObject({ severity: 'warning', path: 'flows.customers.fields.credit_limit' });
  });
});
