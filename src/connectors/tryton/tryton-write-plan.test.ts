import { describe, expect, it } from 'vitest';
import type { TargetSpec } from '../../core/connector.js';
import type { TrytonField, TrytonModel } from './tryton-models.js';
import { checkTargetFields } from './tryton-write-plan.js';

function model(name: string, fields: readonly string[]): TrytonModel {
  const byName = new Map<string, TrytonField>(
    fields.map((field) => [
      field,
      { name: field, type: 'char', label: field, readonly: false, required: false },
    ]),
  );
  return { name, fields: byName, labels: new Map(), types: new Map() };
}

const party = model('party.party', ['id', 'code', 'name', 'active', 'addresses']);

function target(overrides: Partial<TargetSpec>): TargetSpec {
  return {
    flow: 'customers',
    table: 'party.party',
    key: 'code',
    columns: ['code', 'name'],
    types: {},
    onDelete: { mode: 'hard' },
    ...overrides,
  };
}

function failure(spec: TargetSpec, on: TrytonModel = party): unknown {
  try {
    checkTargetFields(spec, on);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('checkTargetFields', () => {
  it("accepts the model's fields, a party's contact and address fields, the soft-delete field and line relations", () => {
    const spec = target({
      columns: ['code', 'name', 'email', 'address.city'],
      onDelete: { mode: 'soft', column: 'active' },
      lines: [{ name: 'addresses', key: 'name', columns: ['street'], types: {} }],
    });
    expect(failure(spec)).toBeUndefined();
  });

  it('fails the batch naming a mapped field, key, soft-delete field or relation the model does not have', () => {
    const cases: [TargetSpec, string][] = [
      [target({ columns: ['code', 'nickname'] }), 'nickname'],
      [target({ key: 'ref' }), 'ref'],
      [target({ onDelete: { mode: 'soft', column: 'deleted' } }), 'deleted'],
      [target({ lines: [{ name: 'lines', key: undefined, columns: [], types: {} }] }), 'lines'],
    ];
    for (const [spec, field] of cases)
      expect(failure(spec), field).toMatchObject({
        code: 'CONNECTOR_COLUMN_NOT_FOUND',
        retryable: false,
        field,
        message: `Flow "customers": Tryton model "party.party" has no field "${field}" (or the user may not read it); syncline validate lists its fields`,
      });
  });

  it('knows the contact and address fields only on parties', () => {
    const sale = model('sale.sale', ['id', 'reference']);
    expect(failure(target({ table: 'sale.sale', key: 'reference', columns: ['email'] }), sale)).toMatchObject(
      {
        field: 'email',
      },
    );
  });
});
