import { describe, expect, it } from 'vitest';
import { lineCommands } from './tryton-lines.js';
import { transitions } from './tryton-workflow.js';

describe('Tryton workflow transitions', () => {
  it('follows the sale path through its buttons, cancels directly and goes back to draft first', () => {
    expect(transitions('sale.sale', undefined, 'confirmed')).toEqual(['quote', 'confirm']);
    expect(transitions('sale.sale', 'quotation', 'quotation')).toEqual([]);
    expect(transitions('sale.sale', 'quotation', 'cancelled')).toEqual(['cancel']);
    expect(transitions('sale.sale', 'quotation', 'draft')).toEqual(['draft']);
    expect(transitions('sale.sale', 'cancelled', 'quotation')).toEqual(['draft', 'quote']);
    expect(transitions('sale.sale', 'processing', 'confirmed')).toEqual([]);
    expect(transitions('sale.sale', 'done', 'confirmed')).toEqual([]);
    expect(transitions('sale.sale', 'draft', 'done')).toEqual(['quote', 'confirm', 'process']);
    expect(transitions('sale.sale', 'draft', 'shipped')).toBeUndefined();
    expect(transitions('party.party', undefined, 'x')).toBeUndefined();
  });
});

describe('Tryton line commands', () => {
  const spec = { name: 'lines', key: 'note', columns: ['quantity'], types: {} };
  const encode = (row: Record<string, unknown>) => ({ ...row }) as Record<string, never>;

  it('writes kept lines in place, deletes missing ones and creates new ones, by line key', () => {
    const commands = lineCommands(
      spec,
      [
        { key: 'L1', row: { quantity: 5 } },
        { key: 'L3', row: { quantity: 2 } },
      ],
      [
        { id: 10, key: 'L1' },
        { id: 11, key: 'L2' },
      ],
      encode,
    );
    expect(commands).toEqual([
      ['write', [10], { quantity: 5, note: 'L1' }],
      ['delete', [11]],
      ['create', [{ quantity: 2, note: 'L3' }]],
    ]);
  });

  it('replaces every line when lines have no key at the target', () => {
    const commands = lineCommands(
      { ...spec, key: undefined },
      [{ key: 'L1', row: { quantity: 1 } }],
      [{ id: 10, key: undefined }],
      encode,
    );
    expect(commands).toEqual([
      ['delete', [10]],
      ['create', [{ quantity: 1 }]],
    ]);
  });
});
