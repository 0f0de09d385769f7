import { describe, expect, it } from 'vitest';
import { syncConfigSchema } from './config-schema.js';

function parse(
  source: Record<string, unknown>,
  target: Record<string, unknown>,
  fields: Record<string, unknown>,
) {
  return syncConfigSchema.safeParse({
    connections: { crm: { type: 'x' }, erp: { type: 'y' } },
    flows: {
      deals: {
        source: { connection: 'crm', key: 'id', ...source },
        target: { connection: 'erp', key: 'code', ...target },
        fields,
      },
    },
  });
}

function messages(result: ReturnType<typeof parse>): string[] {
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('objects and fields in the config', () => {
  it('takes table, model or object, compiled to the one internal name', () => {
    const result = parse(
      { object: '/crm/v3/objects/deals' },
      { model: 'sale.sale' },
      { amount: 'properties.amount' },
    );
    expect(messages(result)).toEqual([]);
    const flow = result.data?.flows.deals;
    expect(flow?.source).toMatchObject({ table: '/crm/v3/objects/deals', objectKey: 'object' });
    expect(flow?.target).toMatchObject({ table: 'sale.sale', objectKey: 'model' });
    expect(
      parse({ table: 'accounts', cursor: 'updated_at' }, { table: 'customers' }, { name: 'name' }).data?.flows
        .deals?.source,
    ).toEqual({
      connection: 'crm',
      key: 'id',
      cursor: 'updated_at',
      table: 'accounts',
    });
  });

  it('refuses none or two of them at the side', () => {
    expect(messages(parse({}, { table: 'a' }, { name: 'name' }))).toEqual([
      'flows.deals.source: name the object with exactly one of "table" (a database table), "model" (an ERP model such as party.party) or "object" (an API object or path)',
    ]);
    expect(messages(parse({ table: 'a' }, { table: 'b', object: 'c' }, { name: 'name' }))).toEqual([
      'flows.deals.target.object: give exactly one of "table", "model" or "object", not "table" and "object"',
    ]);
  });

  it('refuses what no system accepts: spaces, empty path parts', () => {
    expect(
      messages(parse({ table: 'a b' }, { table: 'b' }, { amount: { from: 'properties..amount' } })),
    ).toEqual([
      'flows.deals.source.table: must not contain spaces or control characters',
      'flows.deals.fields.amount.from: a dotted path (properties.amount) must not have empty parts',
    ]);
  });
});
