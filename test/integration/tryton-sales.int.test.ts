import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint, SourceSpec, TargetRecord, TargetSpec } from '../../src/core/connector.js';
import { silentLogger } from '../../src/core/logger.js';
import { trytonConnector } from '../../src/connectors/tryton/index.js';
import { TrytonConnector } from '../../src/connectors/tryton/tryton-connector.js';
import { startTestTryton, type TestTryton } from '../support/tryton.js';

// Sales with lines into a real Tryton 6.0: the target's lines become exactly the record's lines
// (matched by the line key kept in `note`), a mapped state is reached through the workflow
// buttons, a quoted sale is cancelled before it is deleted; stock quantities read back.

let tryton: TestTryton;
let connector: TrytonConnector;
let stock: TrytonConnector;
let partyId: number;
let addressId: number;
let productId: number;
const signal = AbortSignal.timeout(170_000);

const sales: TargetSpec = {
  flow: 'orders',
  table: 'sale.sale',
  key: 'reference',
  columns: ['reference', 'party', 'description', 'state', 'invoice_address', 'shipment_address'],
  types: {},
  onDelete: { mode: 'hard' },
  lines: [
    {
      name: 'lines',
      key: 'note',
      columns: ['product', 'quantity', 'unit', 'unit_price', 'description'],
      types: { unit_price: 'decimal' },
    },
  ],
};

function line(key: string, quantity: number, price = '10.00') {
  return {
    key,
    row: { product: productId, quantity, unit: 1, unit_price: price, description: `line ${key}` },
  };
}

function sale(reference: string, lines: ReturnType<typeof line>[], state = 'draft'): TargetRecord {
  return {
    key: reference,
    op: 'upsert',
    values: {
      reference,
      party: partyId,
      description: `CRM order ${reference}`,
      state,
      invoice_address: addressId,
      shipment_address: addressId,
    },
    lines: { lines },
  };
}

async function saleOf(reference: string) {
  const [found] = await tryton.admin.searchRead(
    'sale.sale',
    [['reference', '=', reference]],
    ['state', 'lines'],
  );
  const lines = await tryton.admin.searchRead(
    'sale.line',
    [['sale', '=', found?.['id'] ?? 0]],
    ['note', 'quantity'],
  );
  return {
    id: found?.['id'],
    state: found?.['state'],
    lines: lines.map((row) => [row['note'], row['quantity'], row['id']]),
  };
}

beforeAll(async () => {
  tryton = await startTestTryton();
  const base = { type: 'tryton', url: tryton.url, user: 'admin', password: 'admin' };
  connector = new TrytonConnector(trytonConnector.configSchema.parse(base), {
    name: 'erp',
    logger: silentLogger,
  });
  stock = new TrytonConnector(trytonConnector.configSchema.parse({ ...base, context: { locations: [5] } }), {
    name: 'erp-stock',
    logger: silentLogger,
  });
  const [party] = (await tryton.admin.call('model.party.party.create', [
    [{ name: 'Acme', addresses: [['create', [{ street: '1 Main St', city: 'Springfield' }]]] }],
  ])) as number[];
  partyId = party ?? 0;
  const [address] = await tryton.admin.searchRead('party.address', [['party', '=', partyId]], ['id']);
  addressId = address?.['id'] as number;
  await tryton.admin.call('model.product.template.create', [
    [
      {
        name: 'Widget',
        code: 'W',
        type: 'goods',
        default_uom: 1,
        sale_uom: 1,
        salable: true,
        list_price: { __class__: 'Decimal', decimal: '10.00' },
        account_category: 1,
        products: [['create', [{ suffix_code: '-001' }]]],
      },
    ],
  ]);
  const [product] = await tryton.admin.searchRead('product.product', [['code', '=', 'W-001']], ['id']);
  productId = product?.['id'] as number;
});

afterAll(async () => {
  await connector.close();
  await stock.close();
  await tryton.stop();
});

describe('Tryton sales with lines as a target', () => {
  it('creates a sale with its lines, keeping each line’s key', async () => {
    const result = await connector.writeBatch(sales, [sale('CRM-1', [line('L1', 3), line('L2', 1)])], signal);
    expect(result.outcomes?.[0]).toMatchObject({ key: 'CRM-1', status: 'created' });
    const stored = await saleOf('CRM-1');
    expect(stored.state).toBe('draft');
    expect(stored.lines.map(([note, quantity]) => [note, quantity])).toEqual([
      ['L1', 3],
      ['L2', 1],
    ]);
  });

  it('changes, removes and adds lines so the target’s lines are exactly the record’s', async () => {
    const before = await saleOf('CRM-1');
    const result = await connector.writeBatch(sales, [sale('CRM-1', [line('L1', 5), line('L3', 2)])], signal);
    expect(result.outcomes?.[0]).toEqual({ key: 'CRM-1', status: 'updated', id: before.id });
    const after = await saleOf('CRM-1');
    expect(after.lines.map(([note, quantity]) => [note, quantity])).toEqual([
      ['L1', 5],
      ['L3', 2],
    ]);
    // L1 is written in place, not replaced.
    expect(after.lines[0]?.[2]).toBe(before.lines[0]?.[2]);
  });

  it('cancels a sale through its cancel button when the mapped state is cancelled', async () => {
    const result = await connector.writeBatch(
      sales,
      [sale('CRM-1', [line('L1', 5), line('L3', 2)], 'cancelled')],
      signal,
    );
    expect(result.outcomes?.[0]?.status).toBe('updated');
    expect((await saleOf('CRM-1')).state).toBe('cancelled');
  });

  it('quotes a new sale through its button, and refuses the sale Tryton refuses, with its message and field', async () => {
    const result = await connector.writeBatch(
      sales,
      [
        sale('CRM-2', [line('L1', 1)], 'quotation'),
        { ...sale('CRM-3', []), values: { ...sale('CRM-3', []).values, party: null } },
      ],
      signal,
    );
    const outcomes = new Map(result.outcomes?.map((outcome) => [outcome.key, outcome]));
    expect(outcomes.get('CRM-2')?.status).toBe('created');
    expect((await saleOf('CRM-2')).state).toBe('quotation');
    expect(outcomes.get('CRM-3')).toMatchObject({
      status: 'refused',
      // Without a party, the address fails its domain (addresses of the sale's party) first.
      error: {
        code: 'CONNECTOR_VALUE_REJECTED',
        message: 'The value for field "Invoice Address" in "Sale" is not valid according to its domain.',
        field: 'invoice_address',
      },
    });
  });

  it('refuses a sale the user may not create (access rule) as the record’s, not as target trouble', async () => {
    await tryton.admin.call('model.res.user.create', [
      [{ login: 'viewer', name: 'Viewer', password: 'viewer-pass-123' }],
    ]);
    const config = trytonConnector.configSchema.parse({
      type: 'tryton',
      url: tryton.url,
      user: 'viewer',
      password: 'viewer-pass-123',
    });
    const viewer = new TrytonConnector(config, { name: 'erp', logger: silentLogger });
    try {
      const result = await viewer.writeBatch(sales, [sale('CRM-7', [line('L1', 1)])], signal);
      expect(result.outcomes).toEqual([
        {
          key: 'CRM-7',
          status: 'refused',
          error: expect.objectContaining({
            message: expect.stringMatching(/^You are not allowed to/) as unknown,
            retryable: false,
          }) as unknown,
        },
      ]);
    } finally {
      await viewer.close();
    }
  });

  it('cancels a quoted sale before deleting it', async () => {
    const result = await connector.writeBatch(
      sales,
      [{ key: 'CRM-2', op: 'delete', values: { reference: 'CRM-2' } }],
      signal,
    );
    expect(result.outcomes).toEqual([{ key: 'CRM-2', status: 'deleted' }]);
    expect(await tryton.admin.searchRead('sale.sale', [['reference', '=', 'CRM-2']], ['id'])).toEqual([]);
    const missing = await connector.writeBatch(
      sales,
      [{ key: 'CRM-9', op: 'delete', values: { reference: 'CRM-9' } }],
      signal,
    );
    expect(missing.outcomes).toEqual([{ key: 'CRM-9', status: 'not-found' }]);
  });
});

describe('Tryton products as a target', () => {
  it('creates a template and its variant, the variant referring to the template by the id Tryton gave it', async () => {
    const templates: TargetSpec = {
      flow: 'product_templates',
      table: 'product.template',
      key: 'code',
      columns: [
        'code',
        'name',
        'list_price',
        'type',
        'default_uom',
        'sale_uom',
        'salable',
        'account_category',
      ],
      types: { list_price: 'decimal' },
      onDelete: { mode: 'ignore' },
    };
    const values = {
      code: 'P001',
      name: 'Gadget',
      list_price: '1.25',
      type: 'goods',
      default_uom: 1,
      sale_uom: 1,
    };
    const created = await connector.writeBatch(
      templates,
      [{ key: 'P001', op: 'upsert', values: { ...values, salable: true, account_category: 1 } }],
      signal,
    );
    const template = created.outcomes?.[0];
    expect(template?.status).toBe('created');
    const variants: TargetSpec = {
      flow: 'products',
      table: 'product.product',
      key: 'suffix_code',
      columns: ['suffix_code', 'template'],
      types: {},
      onDelete: { mode: 'ignore' },
    };
    const templateId = template?.status === 'created' ? template.id : undefined;
    const variant = await connector.writeBatch(
      variants,
      [{ key: 'P001', op: 'upsert', values: { suffix_code: 'P001', template: templateId ?? null } }],
      signal,
    );
    expect(variant.outcomes?.[0]?.status).toBe('created');
    const [stored] = await tryton.admin.searchRead(
      'product.product',
      [['suffix_code', '=', 'P001']],
      ['code', 'template', 'list_price', 'salable'],
    );
    expect(stored).toMatchObject({
      code: 'P001P001',
      template: templateId,
      list_price: { __class__: 'Decimal', decimal: '1.25' },
      salable: 1,
    });
  });
});

describe('Tryton sales with lines as a source', () => {
  it('reads each sale with all its lines, in line-key order', async () => {
    const source: SourceSpec = {
      flow: 'sales-back',
      table: 'sale.sale',
      key: 'reference',
      cursor: 'write_date',
      deleted: undefined,
      columns: ['reference', 'state', 'party.name'],
      batchSize: 50,
      lookback: 5_000,
      lines: [
        { name: 'lines', table: 'sale.line', key: 'note', parent: 'sale', columns: ['note', 'quantity'] },
      ],
    };
    const [change] = await stock.readByKeys(source, ['CRM-1'], signal);
    expect(change?.row).toEqual({ reference: 'CRM-1', state: 'cancelled', 'party.name': 'Acme' });
    expect(change?.lines).toEqual({
      lines: [
        { key: 'L1', row: { note: 'L1', quantity: 5 } },
        { key: 'L3', row: { note: 'L3', quantity: 2 } },
      ],
    });
  });
});

describe('Tryton stock quantities as a source without a cursor', () => {
  const source: SourceSpec = {
    flow: 'stock',
    table: 'product.product',
    key: 'code',
    cursor: '',
    deleted: undefined,
    columns: ['code', 'quantity'],
    batchSize: 100,
    lookback: 0,
  };

  async function receive(quantity: number): Promise<void> {
    const [move] = (await tryton.admin.call('model.stock.move.create', [
      [
        {
          product: productId,
          uom: 1,
          quantity,
          from_location: 6,
          to_location: 3,
          unit_price: { __class__: 'Decimal', decimal: '4.00' },
          currency: 1,
        },
      ],
    ])) as number[];
    await tryton.admin.call('model.stock.move.do', [[move ?? 0]]);
  }

  async function readAll(since: Checkpoint | undefined) {
    const changes = [];
    let checkpoint = since;
    for await (const batch of stock.readChanges(source, since, signal)) {
      changes.push(...batch.changes);
      checkpoint = batch.checkpoint;
    }
    return { changes, checkpoint };
  }

  it('reads the quantity in the configured locations, and reads it again each cycle as it changes', async () => {
    await receive(25);
    const first = await readAll(undefined);
    expect(first.changes.find((change) => change.key === 'W-001')?.row['quantity']).toBe(25);
    await receive(5);
    const second = await readAll(first.checkpoint);
    expect(second.changes.find((change) => change.key === 'W-001')?.row['quantity']).toBe(30);
  });
});
