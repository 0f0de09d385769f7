import { describe, expect, it } from 'vitest';
import { syncConfigSchema } from '../config/config-schema.js';
import type { Change } from './connector.js';
import { compileFlow } from './flow.js';
import { mapChange, mapFields } from './mapping.js';

/** A flow with these `fields:` (as written in syncline.yaml) and `target.onDelete`. */
function flowWith(fields: Record<string, unknown>, onDelete: unknown = { soft: 'is_deleted' }) {
  const config = syncConfigSchema.parse({
    connections: { crm: { type: 'x' }, erp: { type: 'y' } },
    flows: {
      customers: {
        source: { connection: 'crm', table: 'accounts', key: 'id', cursor: 'updated_at' },
        target: { connection: 'erp', table: 'customers', key: 'crm_id', onDelete },
        fields,
      },
    },
  }).flows.customers;
  if (config === undefined) throw new Error('no flow');
  return compileFlow('customers', config);
}

const fields = {
  code: 'external_code',
  name: { from: 'name', trim: true },
  credit: { from: 'credit_limit', type: 'decimal' },
  status: { from: 'status', map: { active: 'A', inactive: 'I' }, default: 'I' },
  tier: { from: 'tier', map: { '1': 'gold' } },
  origin: { value: 'crm' },
  label: { expr: "upper(name) || '!'" },
};

function change(row: Change['row'] & { id: number }, op: Change['op'] = 'upsert'): Change {
  return { key: String(row.id), op, row };
}

describe('mapChange', () => {
  const flow = flowWith(fields);

  it('writes the target key first, then each field in order: copied, trimmed, converted, looked up, constant, computed', () => {
    const row = {
      id: 7,
      external_code: 'C-7',
      name: ' Ada ',
      credit_limit: '+1.50',
      status: 'active',
      tier: 1,
    };
    const result = mapChange(flow.mapping, change(row));
    expect(result.ok && result.record).toStrictEqual({
      key: '7',
      op: 'upsert',
      values: {
        crm_id: 7,
        code: 'C-7',
        name: 'Ada',
        credit: '1.50',
        status: 'A',
        tier: 'gold',
        origin: 'crm',
        label: ' ADA !',
        is_deleted: false,
      },
    });
    if (result.ok) expect(Object.keys(result.record?.values ?? {})[0]).toBe('crm_id');
  });

  it('gives NULL to a missing source column, and the default to NULL or an unmapped value', () => {
    const result = mapChange(flow.mapping, change({ id: 8, status: 'gone', tier: null }));
    expect(result.ok && result.record?.values).toMatchObject({
      code: null,
      name: null,
      credit: null,
      status: 'I',
      tier: null,
    });
  });

  it('names the field and the reason when a value is not in the map without a default, or does not convert', () => {
    expect(mapChange(flow.mapping, change({ id: 9, tier: 2 }))).toStrictEqual({
      ok: false,
      field: 'tier',
      reason: 'value "2" of source column "tier" is not in the map (known: "1") and no default is set',
    });
    expect(mapChange(flow.mapping, change({ id: 9, credit_limit: 'lots' }))).toMatchObject({
      ok: false,
      field: 'credit',
      reason: expect.stringMatching(
        /^source column "credit_limit": "lots" is not a decimal number/,
      ) as string,
    });
  });

  it('maps a soft delete as an upsert setting the flag; a hard delete keeps only the target key; ignore drops it', () => {
    const row = { id: 10, external_code: 'C-10' };
    expect(mapChange(flow.mapping, change(row, 'delete'))).toMatchObject({
      ok: true,
      record: { op: 'upsert', values: { crm_id: 10, code: 'C-10', is_deleted: true } },
    });
    expect(mapChange(flowWith(fields, 'hard').mapping, change(row, 'delete'))).toStrictEqual({
      ok: true,
      record: { key: '10', op: 'delete', values: { crm_id: 10 } },
    });
    expect(mapChange(flowWith(fields, 'ignore').mapping, change(row, 'delete'))).toStrictEqual({
      ok: true,
      record: undefined,
    });
  });
});

describe('mapFields', () => {
  it('maps a row with the fields alone, or names the first field that fails', () => {
    const { fields: compiled } = flowWith(fields).mapping;
    expect(mapFields(compiled, { external_code: 'x', status: 'inactive' })).toMatchObject({
      ok: true,
      values: { code: 'x', status: 'I', origin: 'crm' },
    });
    expect(mapFields(compiled, { tier: 'x' })).toMatchObject({ ok: false, field: 'tier' });
  });
});
