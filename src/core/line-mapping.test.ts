import { describe, expect, it } from 'vitest';
import { syncConfigSchema } from '../config/config-schema.js';
import type { Change, TargetRecord } from './connector.js';
import { contentHash } from './content-hash.js';
import { compileFlow } from './flow.js';
import { validateLines } from './line-mapping.js';
import { mapChange } from './mapping.js';

const config = syncConfigSchema.parse({
  connections: { crm: { type: 'x' }, erp: { type: 'y' } },
  flows: {
    orders: {
      source: { connection: 'crm', table: 'orders', key: 'id', cursor: 'updated_at' },
      target: { connection: 'erp', model: 'sale.sale', key: 'reference' },
      fields: { description: 'note' },
      lines: {
        lines: {
          source: { table: 'order_lines', key: 'id', parent: 'order_id' },
          target: { key: 'note' },
          fields: {
            product: 'product_id',
            quantity: { from: 'qty', type: 'decimal' },
            unit: { from: 'unit', map: { pc: 'Unit', kg: 'Kilogram' } },
          },
          validate: { quantity: { min: 1 } },
        },
      },
    },
  },
}).flows.orders;
if (config === undefined) throw new Error('no flow');
const flow = compileFlow('orders', config);

function order(lines: { id: number; qty: string; unit?: string }[]): Change {
  return {
    key: '7',
    op: 'upsert',
    row: { id: 7, note: 'n' },
    lines: {
      lines: lines.map((line) => ({
        key: String(line.id),
        row: { id: line.id, order_id: 7, product_id: 3, qty: line.qty, unit: line.unit ?? 'pc' },
      })),
    },
  };
}

function mapped(change: Change): TargetRecord {
  const result = mapChange(flow.mapping, change);
  if (!result.ok || result.record === undefined) throw new Error('not mapped');
  return result.record;
}

describe('records with lines', () => {
  it('compiles the specs the connectors get', () => {
    expect(flow.source.lines).toEqual([
      {
        name: 'lines',
        table: 'order_lines',
        key: 'id',
        parent: 'order_id',
        columns: ['id', 'order_id', 'product_id', 'qty', 'unit'],
      },
    ]);
    expect(flow.target.lines).toEqual([
      {
        name: 'lines',
        key: 'note',
        columns: ['note', 'product', 'quantity', 'unit'],
        types: { product: undefined, quantity: 'decimal', unit: undefined },
      },
    ]);
  });

  it('maps each line with the same field specs as a record, keeping its source key', () => {
    expect(mapped(order([{ id: 1, qty: '2.50' }])).lines).toEqual({
      lines: [{ key: '1', row: { note: '1', product: 3, quantity: '2.50', unit: 'Unit' } }],
    });
  });

  it('fails the record on a line that cannot be mapped, naming the line and field', () => {
    expect(mapChange(flow.mapping, order([{ id: 4, qty: '1', unit: 'box' }]))).toMatchObject({
      ok: false,
      field: 'lines[4].unit',
    });
  });

  it('checks line rules, naming the line', () => {
    expect(
      validateLines(
        flow.lines,
        mapped(
          order([
            { id: 1, qty: '1' },
            { id: 2, qty: '0' },
          ]),
        ).lines,
      ),
    ).toEqual({
      field: 'lines[2].quantity',
      reason: 'value 0 is below the minimum 1',
    });
  });

  it('hashes a record with its lines: a changed or removed line changes the hash, line order does not', () => {
    const hash = (record: TargetRecord): string =>
      contentHash(record, flow.target.columns, flow.target.lines);
    const base = hash(
      mapped(
        order([
          { id: 1, qty: '1' },
          { id: 2, qty: '2' },
        ]),
      ),
    );
    expect(
      hash(
        mapped(
          order([
            { id: 2, qty: '2' },
            { id: 1, qty: '1' },
          ]),
        ),
      ),
    ).toBe(base);
    expect(
      hash(
        mapped(
          order([
            { id: 1, qty: '1' },
            { id: 2, qty: '3' },
          ]),
        ),
      ),
    ).not.toBe(base);
    expect(hash(mapped(order([{ id: 1, qty: '1' }])))).not.toBe(base);
    // A record without lines hashes as before lines existed.
    const plain = { key: '7', op: 'upsert' as const, values: { reference: 7, description: 'n' } };
    expect(contentHash(plain, flow.target.columns)).toBe(contentHash(plain, flow.target.columns, []));
  });
});
