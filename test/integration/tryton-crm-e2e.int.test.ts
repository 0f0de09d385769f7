import { copyFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, createWorkspace, runCli, spawnCli, type Workspace } from '../support/cli.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { startTestTryton, type TestTryton } from '../support/tryton.js';

// End to end through the CLI and the example config (examples/crm-to-tryton): a PostgreSQL CRM
// (1,000 customers, 20 products, 200 orders with 1–5 lines) into a real Tryton, then edits, a
// removed line and a cancellation, a kill -9 mid-sync and a restart, and stock back to the CRM.
// Needs the engine's `model:` and flow `lines:` config (merged separately from the connector).

const EXAMPLE = resolve(import.meta.dirname, '../../examples/crm-to-tryton');

let crm: TestDatabase;
let source: pg.Pool;
let tryton: TestTryton;
let workspace: Workspace;

function env(): Record<string, string> {
  return { CRM_DATABASE_URL: crm.url, TRYTON_URL: tryton.url, TRYTON_PASSWORD: 'admin' };
}

function syncline(...args: string[]) {
  return runCli(['-c', workspace.configPath, ...args], { cwd: workspace.dir, env: env() });
}

async function count(model: string, domain: unknown[] = []): Promise<number> {
  return (await tryton.admin.call(`model.${model}.search_count`, [domain as never], {
    active_test: false,
  })) as number;
}

/** Every CRM line as `reference → [note, quantity]…`, and the same read from Tryton's sales. */
async function linesBothSides(): Promise<[Map<string, string[]>, Map<string, string[]>]> {
  const { rows } = await source.query<{ order_id: number; id: number; quantity: number }>(
    'SELECT order_id, id, quantity FROM order_lines ORDER BY order_id, id',
  );
  const expected = new Map<string, string[]>();
  for (const row of rows) {
    const list = expected.get(String(row.order_id)) ?? [];
    list.push(`${row.id}:${row.quantity}`);
    expected.set(String(row.order_id), list);
  }
  const sales = await tryton.admin.searchRead('sale.sale', [['reference', '!=', null]], ['reference']);
  const referenceOf = new Map(
    sales.map((sale) => [sale['id'], JSON.stringify(sale['reference']).replaceAll('"', '')]),
  );
  const lines = await tryton.admin.searchRead('sale.line', [], ['sale', 'note', 'quantity']);
  const actual = new Map<string, string[]>();
  for (const line of [...lines].sort((a, b) => Number(a['note']) - Number(b['note']))) {
    const reference = referenceOf.get(line['sale']) ?? '?';
    const list = actual.get(reference) ?? [];
    list.push(`${JSON.stringify(line['note']).replaceAll('"', '')}:${JSON.stringify(line['quantity'])}`);
    actual.set(reference, list);
  }
  return [actual, expected];
}

beforeAll(async () => {
  [crm, tryton] = await Promise.all([createPostgresDatabase('crmtryton'), startTestTryton()]);
  source = new pg.Pool({ connectionString: crm.url, max: 2 });
  await source.query(readFileSync(join(EXAMPLE, 'seed.sql'), 'utf8'));
  workspace = createWorkspace();
  copyFileSync(join(EXAMPLE, 'syncline.yaml'), workspace.configPath);
});

afterAll(async () => {
  await source.end();
  await Promise.all([crm.drop(), tryton.stop()]);
  workspace.remove();
});

describe('CRM on PostgreSQL → Tryton through syncline run --once', () => {
  it('loses and duplicates nothing across a kill -9 mid-sync and a restart', async () => {
    const child = spawnCli(['-c', workspace.configPath, 'run', '--once'], { cwd: workspace.dir, env: env() });
    const outcome = collect(child);
    let parties = 0;
    for (let i = 0; i < 1200 && parties < 300 && child.exitCode === null; i++) {
      await new Promise((resolvePause) => setTimeout(resolvePause, 100));
      parties = await count('party.party', [['code', 'like', 'C%']]);
    }
    child.kill('SIGKILL');
    await outcome;

    const restart = await syncline('run', '--once');
    expect(restart.code, restart.stderr).toBe(0);

    // One party per CRM customer, one sale per CRM order, lines equal.
    const codes = await tryton.admin.searchRead('party.party', [['code', 'like', 'C%']], ['code']);
    expect(codes).toHaveLength(1000);
    expect(new Set(codes.map((row) => row['code'])).size).toBe(1000);
    const references = await tryton.admin.searchRead('sale.sale', [], ['reference', 'party', 'state']);
    expect(references).toHaveLength(200);
    expect(new Set(references.map((row) => row['reference'])).size).toBe(200);
    expect(references.every((row) => row['state'] === 'draft')).toBe(true);
    const [actual, expected] = await linesBothSides();
    expect(actual).toEqual(expected);
    const [party7] = await tryton.admin.searchRead('party.party', [['code', '=', 'C00008']], ['id', 'email']);
    expect(party7?.['email']).toBe('c8@example.com');
    const [order1] = await tryton.admin.searchRead('sale.sale', [['reference', '=', '1']], ['party']);
    expect(order1?.['party']).toBe(party7?.['id']);
  });

  it('propagates an edit, a changed line, a removed line and a cancellation', async () => {
    await source.query(`UPDATE accounts SET name = 'Renamed 5', updated_at = now() WHERE id = 5`);
    await source.query('UPDATE order_lines SET quantity = 42 WHERE id = 111');
    await source.query('DELETE FROM order_lines WHERE id = 123');
    await source.query(`UPDATE orders SET updated_at = now() WHERE id IN (11, 12)`);
    await source.query(`UPDATE orders SET status = 'cancelled', updated_at = now() WHERE id = 15`);
    const result = await syncline('run', '--once');
    expect(result.code, result.stderr).toBe(0);

    const [renamed] = await tryton.admin.searchRead('party.party', [['code', '=', 'C00005']], ['name']);
    expect(renamed?.['name']).toBe('Renamed 5');
    const [actual, expected] = await linesBothSides();
    expect(actual.get('11')).toContain('111:42');
    expect(actual.get('12')?.some((line) => line.startsWith('123:'))).toBe(false);
    expect(actual).toEqual(expected);
    const [cancelled] = await tryton.admin.searchRead('sale.sale', [['reference', '=', '15']], ['state']);
    expect(cancelled?.['state']).toBe('cancelled');
    expect(await count('sale.sale')).toBe(200);
  });

  it('brings Tryton’s stock quantities back to the CRM', async () => {
    const [product] = await tryton.admin.searchRead(
      'product.product',
      [['suffix_code', '=', 'P001']],
      ['id'],
    );
    const [move] = (await tryton.admin.call('model.stock.move.create', [
      [
        {
          product: product?.['id'] ?? 0,
          uom: 1,
          quantity: 25,
          from_location: 6,
          to_location: 3,
          unit_price: { __class__: 'Decimal', decimal: '4.00' },
          currency: 1,
        },
      ],
    ])) as number[];
    await tryton.admin.call('model.stock.move.do', [[move ?? 0]]);
    const result = await syncline('run', '--once', '--flow', 'stock');
    expect(result.code, result.stderr).toBe(0);
    const { rows } = await source.query<{ quantity: string }>(
      `SELECT quantity::text FROM product_stock WHERE sku = 'P001'`,
    );
    expect(rows[0]?.quantity).toBe('25.000');
  });
});
