import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BAD_RECORDS, DEMO_SEED_SIZES, DEMO_SHOWCASE_ACCOUNTS } from '../../src/cli/demo/demo-data.js';
import { DEMO_TABLE_PAIRS } from '../../src/cli/demo/demo-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { DeadLetter, RunRecord } from '../../src/core/state-store.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import {
  collect,
  createWorkspace,
  runCli,
  spawnCli,
  type CliResult,
  type Workspace,
} from '../support/cli.js';

/** Runs `syncline demo <args>` from the TypeScript sources in `cwd`, as a user would. */
function runDemo(args: readonly string[], cwd: string): Promise<CliResult> {
  return runCli(['demo', ...args], { cwd });
}

type SqlRow = Record<string, unknown>;

function rowsOf(path: string, sql: string): SqlRow[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as SqlRow[];
  } finally {
    db.close();
  }
}

function countOf(path: string, table: string): number {
  return Number(rowsOf(path, `SELECT COUNT(*) AS n FROM ${table}`)[0]?.n);
}

function byId(rows: readonly SqlRow[], key: string): Map<number, SqlRow> {
  return new Map(rows.map((row) => [Number(row[key]), row]));
}

describe('syncline demo', () => {
  let workspace: Workspace;
  let result: CliResult;
  let crm: string;
  let erp: string;
  let lastSuccess: Map<string, RunRecord | undefined>;
  let deadLetters: DeadLetter[];
  let flowNames: string[];

  beforeAll(async () => {
    workspace = createWorkspace();
    // A relative --dir, resolved against the working directory like every other path.
    result = await runDemo(['--duration', '8s', '--dir', 'demo'], workspace.dir);
    const dir = join(workspace.dir, 'demo');
    crm = join(dir, 'crm.db');
    erp = join(dir, 'erp.db');
    flowNames = Object.keys(loadConfig(join(dir, 'syncline.yaml')).flows);
    const state = new SqliteStateStore(join(dir, 'state.db'));
    await state.init();
    try {
      lastSuccess = new Map();
      for (const flow of flowNames) lastSuccess.set(flow, await state.lastSuccessfulRun(flow));
      deadLetters = await state.listDeadLetters({ status: 'open', limit: 1_000 });
    } finally {
      await state.close();
    }
  });

  afterAll(() => {
    workspace.remove();
  });

  it('exits 0 with a final summary that says where the files are and how to inspect them', () => {
    expect(result.stderr).not.toMatch(/Unexpected error|cycle failed/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Final summary after');
    expect(result.stdout).toContain('6 of 6 flows: ERP rows = CRM rows − dead letters.');
    expect(result.stdout).toContain(`syncline status -c ${join('demo', 'syncline.yaml')}`);
    expect(result.stdout).toContain(`syncline dlq list -c ${join('demo', 'syncline.yaml')}`);
  });

  it('runs every flow of the config through at least one successful cycle', () => {
    expect(flowNames.sort()).toEqual(DEMO_TABLE_PAIRS.map((pair) => pair.flow).sort());
    for (const flow of flowNames) {
      expect(lastSuccess.get(flow), flow).toBeDefined();
      expect(lastSuccess.get(flow)?.status, flow).toBe('succeeded');
    }
  });

  it('kept changing the CRM while it synced, and the ERP has the newest order', () => {
    expect(countOf(crm, 'orders')).toBeGreaterThan(DEMO_SEED_SIZES.orders);
    const newest = rowsOf(crm, 'SELECT id, updated_at FROM orders ORDER BY id DESC LIMIT 1')[0];
    const inErp = rowsOf(erp, `SELECT crm_id FROM erp_sales_order WHERE crm_id = ${Number(newest?.id)}`);
    expect(inErp).toHaveLength(1);
  });

  it('leaves every ERP table with exactly its CRM rows minus the dead-lettered ones after the final cycle', () => {
    for (const pair of DEMO_TABLE_PAIRS) {
      const bad = DEMO_BAD_RECORDS.filter((record) => record.flow === pair.flow).length;
      expect(countOf(erp, pair.erpTable), pair.flow).toBe(countOf(crm, pair.crmTable) - bad);
    }
  });

  it('dead-letters exactly the seeded bad records, each with its field and reason', () => {
    const found = deadLetters.map((letter) => `${letter.flow}:${letter.key}:${letter.field ?? ''}`).sort();
    expect(found).toEqual(
      DEMO_BAD_RECORDS.map((record) => `${record.flow}:${record.key}:${record.field}`).sort(),
    );
    const reason = (key: string): string => deadLetters.find((letter) => letter.key === key)?.reason ?? '';
    expect(reason('17')).toContain('email value "li.na#huaxin.example.cn" does not match the pattern');
    expect(reason('404')).toBe('cust_name is required but empty');
    expect(reason('1234')).toBe('cust_name is 134 characters long, more than the maximum 100');
    expect(reason('777')).toBe('qty value 0.000 is below the minimum 0.001');
    for (const letter of deadLetters) expect(letter.kind).toBe('validation');
  });

  it('carries every valid customer across intact: Chinese names, exact credit limits, mapped status, soft deletes', () => {
    const sources = rowsOf(crm, 'SELECT * FROM accounts');
    const targets = byId(rowsOf(erp, 'SELECT * FROM erp_customer'), 'crm_id');
    const badKeys = new Set(
      DEMO_BAD_RECORDS.filter((record) => record.flow === 'customers').map((record) => Number(record.key)),
    );
    const softDeleted = sources.filter((row) => row.is_deleted === 1 && !badKeys.has(Number(row.id)));
    expect(softDeleted.length).toBeGreaterThan(0);
    for (const source of sources) {
      const target = targets.get(Number(source.id));
      if (badKeys.has(Number(source.id))) {
        expect(target).toBeUndefined();
        continue;
      }
      expect(target, `customer ${String(source.id)}`).toEqual({
        crm_id: source.id,
        cust_code: source.code,
        cust_name: source.name,
        email: source.email,
        phone: source.phone,
        city: source.city,
        credit_limit: source.credit_limit,
        status: source.status === 'active' ? 'A' : 'I',
        is_deleted: source.is_deleted,
      });
    }
    for (const showcase of DEMO_SHOWCASE_ACCOUNTS) {
      expect(targets.get(showcase.id)?.cust_name).toBe(showcase.name);
      expect(targets.get(showcase.id)?.credit_limit).toBe(showcase.creditLimit);
    }
    expect(targets.get(4)?.credit_limit).toBe('1234567890123456.78');
  });

  it('carries orders, lines, invoices and stock with exact amounts and quantities and mapped codes', () => {
    const orders = byId(rowsOf(erp, 'SELECT * FROM erp_sales_order'), 'crm_id');
    const statusCodes: Record<string, string> = { open: 'O', confirmed: 'C', shipped: 'S', cancelled: 'X' };
    for (const order of rowsOf(crm, 'SELECT * FROM orders')) {
      const target = orders.get(Number(order.id));
      expect(target?.net_amount, `order ${String(order.id)}`).toBe(order.total_amount);
      expect(target?.order_time).toBe(order.ordered_at);
      expect(target?.so_status).toBe(statusCodes[String(order.status)]);
    }
    const lines = byId(rowsOf(erp, 'SELECT * FROM erp_sales_order_line'), 'crm_id');
    for (const line of rowsOf(crm, 'SELECT * FROM order_lines WHERE id <> 777')) {
      expect(lines.get(Number(line.id))?.qty, `line ${String(line.id)}`).toBe(line.quantity);
      expect(lines.get(Number(line.id))?.amount).toBe(line.line_amount);
    }
    const invoices = byId(rowsOf(erp, 'SELECT * FROM erp_invoice'), 'crm_id');
    for (const invoice of rowsOf(crm, 'SELECT * FROM invoices')) {
      expect(invoices.get(Number(invoice.id))?.gross, `invoice ${String(invoice.id)}`).toBe(
        invoice.gross_amount,
      );
      expect(invoices.get(Number(invoice.id))?.inv_date).toBe(invoice.issued_on);
    }
    const stock = byId(rowsOf(erp, 'SELECT * FROM erp_stock'), 'crm_id');
    const warehouses: Record<string, string> = { Shanghai: 'SH01', Beijing: 'BJ01', Shenzhen: 'SZ01' };
    for (const level of rowsOf(crm, 'SELECT * FROM stock_levels')) {
      expect(stock.get(Number(level.id))?.qty_on_hand, `stock ${String(level.id)}`).toBe(level.on_hand);
      expect(stock.get(Number(level.id))?.whse).toBe(warehouses[String(level.warehouse)]);
    }
  });
});

describe('syncline demo, stopped and refused', () => {
  let workspace: Workspace;

  beforeAll(() => {
    workspace = createWorkspace();
  });

  afterAll(() => {
    workspace.remove();
  });

  it('stops cleanly on Ctrl-C and still prints the final summary', async () => {
    const child = spawnCli(['demo', '--dir', 'until-ctrl-c'], { cwd: workspace.dir });
    const outcome = collect(child);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        // The second live summary: every flow has finished its first cycle by then or soon after.
        if ((seen.match(/Syncline demo: /g) ?? []).length >= 2) resolve();
      });
      child.on('close', () => {
        reject(new Error(`the demo ended before Ctrl-C:\n${seen}`));
      });
    });
    child.kill('SIGINT');
    const stopped = await outcome;
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('Final summary after');
    expect(stopped.stdout).toContain('Dead letters (4)');
  });

  it('refuses to wipe a directory that holds files the demo did not write', async () => {
    const dir = join(workspace.dir, 'precious');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const refused = await runDemo(['--duration', '1s', '--dir', 'precious'], workspace.dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('holds files the demo did not write (notes.txt)');
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
  });

  it('rejects a duration that is not one', async () => {
    const refused = await runDemo(['--duration', 'soon', '--dir', 'never'], workspace.dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"soon" is not a duration');
  });
});
