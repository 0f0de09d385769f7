import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../src/core/state-store.js';
import { createWorkspace, jsonOutput, synclineIn, type BoundCli, type Workspace } from '../support/cli.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';

// References through the CLI: a PostgreSQL CRM's accounts and orders → a MariaDB ERP whose
// customers get their own ids (AUTO_INCREMENT) and numbers (a trigger), and whose orders point at
// those ids with a real FOREIGN KEY.

let db: CrmErpDatabases;
let workspace: Workspace;
let syncline: BoundCli;

const FLOWS = `
  orders:
    source: { connection: crm, table: orders, key: id, cursor: updated_at }
    target: { connection: erp, table: orders, key: crm_id }
    fields:
      customer_id: { from: account_id, ref: customers }
      amount: { from: amount, type: decimal }
    retry: { references: 2 }
    cadence: { every: 1h }
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id, id: id }
    writeBack: { erp_customer_no: customer_no }
    fields:
      name: name
    validate:
      name: { required: true }
    cadence: { every: 1h }
`;

function config(flows = FLOWS): string {
  return `state: sqlite:\${STATE_PATH}
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: mysql, url: \${ERP_URL} }
flows:${flows}`;
}

async function addAccount(id: number, name: string | null): Promise<void> {
  await db.crm.query('INSERT INTO accounts (id, name) VALUES ($1, $2)', [id, name]);
}

/** An order; `ageHours` puts its cursor that far back (outside the 5-minute lookback). */
async function addOrder(id: number, accountId: number, ageHours = 0): Promise<void> {
  await db.crm.query(
    `INSERT INTO orders (id, account_id, amount, updated_at)
     VALUES ($1, $2, $3, clock_timestamp() - make_interval(hours => $4))`,
    [id, accountId, `${id}.25`, ageHours],
  );
}

/** ERP orders as [CRM order id, CRM account id of the ERP customer they point at]. */
async function erpOrders(): Promise<[number, number][]> {
  const rows = await db.erpRows(
    'SELECT o.crm_id, c.crm_id AS account FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.crm_id',
  );
  return rows.map((row) => [Number(row.crm_id), Number(row.account)]);
}

async function openDeadLetters(flow: string): Promise<DeadLetter[]> {
  return (
    jsonOutput(await syncline('dlq', 'list', '--flow', flow, '--json')) as { deadLetters: DeadLetter[] }
  ).deadLetters;
}

async function runOnce(...flags: string[]): Promise<void> {
  const result = await syncline('run', '--once', ...flags);
  expect(result.code, result.stderr).toBe(0);
}

beforeAll(async () => {
  db = await createCrmErpDatabases('refs');
});

afterAll(async () => {
  workspace.remove();
  await db.drop();
});

beforeEach(async () => {
  (workspace as Workspace | undefined)?.remove();
  workspace = createWorkspace();
  workspace.writeConfig(config());
  syncline = synclineIn(workspace, {
    CRM_URL: db.crmUrl,
    ERP_URL: db.erpUrl,
    STATE_PATH: join(workspace.dir, 'state.db'),
  });
  await db.crm.query(`
    DROP TABLE IF EXISTS orders, accounts, account_updates;
    DROP FUNCTION IF EXISTS touch, log_update;
    CREATE TABLE accounts (id bigint PRIMARY KEY, name text, erp_customer_no text,
      updated_at timestamptz(6) NOT NULL DEFAULT clock_timestamp());
    CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts,
      amount numeric(12,2) NOT NULL, updated_at timestamptz(6) NOT NULL DEFAULT clock_timestamp());
    CREATE TABLE account_updates (account_id bigint NOT NULL, erp_customer_no text);
    CREATE FUNCTION touch() RETURNS trigger AS $$
      BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE FUNCTION log_update() RETURNS trigger AS $$
      BEGIN INSERT INTO account_updates VALUES (NEW.id, NEW.erp_customer_no); RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();
    CREATE TRIGGER accounts_log AFTER UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION log_update();`);
  await db.erp.query('DROP TABLE IF EXISTS orders, customers');
  await db.erp.query('DROP SEQUENCE IF EXISTS customer_numbers');
  await db.erp.query('CREATE SEQUENCE customer_numbers START WITH 10001');
  // ERP ids start at 500, so an order carrying a CRM account id instead would fail the FOREIGN KEY.
  await db.erp.query(`CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY,
    crm_id bigint NOT NULL UNIQUE, name varchar(120) NOT NULL, customer_no varchar(20) UNIQUE)
    AUTO_INCREMENT = 500`);
  await db.erp.query(`CREATE TRIGGER customers_number BEFORE INSERT ON customers FOR EACH ROW
    SET NEW.customer_no = CONCAT('K-', NEXT VALUE FOR customer_numbers)`);
  await db.erp.query(`CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY,
    crm_id bigint NOT NULL UNIQUE, customer_id int NOT NULL, amount decimal(12,2) NOT NULL,
    FOREIGN KEY (customer_id) REFERENCES customers (id))`);
});

describe('references between flows (PostgreSQL CRM → MariaDB ERP)', () => {
  it('writes customers first, then orders carrying the ids the ERP gave the customers', async () => {
    await addAccount(1, 'Acme');
    await addAccount(2, '华联超市');
    await addOrder(10, 1);
    await addOrder(11, 2);
    await addOrder(12, 1);
    await runOnce();
    expect(await erpOrders()).toEqual([
      [10, 1],
      [11, 2],
      [12, 1],
    ]);
    const ids = await db.erpRows('SELECT DISTINCT customer_id FROM orders ORDER BY customer_id');
    expect(ids.map((row) => Number(row.customer_id))).toEqual([500, 501]);
    expect(await openDeadLetters('orders')).toEqual([]);
  });

  it('writes the ERP customer number back to the CRM once, and later cycles write nothing (no echo)', async () => {
    await addAccount(1, 'Acme');
    await addAccount(2, 'Globex');
    await addOrder(10, 2);
    await runOnce();
    const numbers = await db.erpRows('SELECT crm_id, customer_no FROM customers ORDER BY crm_id');
    expect(numbers.map((row) => [Number(row.crm_id), row.customer_no])).toEqual([
      [1, 'K-10001'],
      [2, 'K-10002'],
    ]);
    const crm = await db.crm.query('SELECT id::int, erp_customer_no FROM accounts ORDER BY id');
    expect(crm.rows).toEqual([
      { id: 1, erp_customer_no: 'K-10001' },
      { id: 2, erp_customer_no: 'K-10002' },
    ]);

    for (let cycle = 0; cycle < 3; cycle++) await runOnce();
    const status = jsonOutput(await syncline('status', '--json')) as {
      flows: { flow: string; lastRun: { counts: { written: number } } }[];
    };
    expect(status.flows.map((flow) => [flow.flow, flow.lastRun.counts.written])).toEqual([
      ['orders', 0],
      ['customers', 0],
    ]);
    const updates = await db.crm.query('SELECT account_id::int, erp_customer_no FROM account_updates');
    expect(updates.rows).toEqual([
      { account_id: 1, erp_customer_no: 'K-10001' },
      { account_id: 2, erp_customer_no: 'K-10002' },
    ]);
    expect(await db.erpRows('SELECT CAST(count(*) AS CHAR) AS n FROM customers')).toEqual([{ n: '2' }]);
  });

  it('parks an order whose account is not synced as a reference dead letter and writes it in a later cycle once the customer exists', async () => {
    await addAccount(1, 'Acme');
    await addAccount(3, null); // refused by validate.name.required: the customer never reaches the ERP
    // An hour old: outside the lookback, so only the reference retry tries it again.
    await addOrder(30, 3, 1);
    await addOrder(10, 1);
    await runOnce();
    expect(await erpOrders()).toEqual([[10, 1]]);
    const [waiting, ...others] = await openDeadLetters('orders');
    expect(others).toEqual([]);
    expect(waiting).toMatchObject({
      key: '30',
      kind: 'reference',
      code: 'REFERENCE_MISSING',
      field: 'customer_id',
    });
    expect(waiting?.reason).toMatch(/record "3" of flow "customers" has no id in the target yet/);

    // The second cycle of the order is within its retry.references (2).
    await db.crm.query("UPDATE accounts SET name = 'Initech' WHERE id = 3");
    await runOnce();
    expect(await erpOrders()).toEqual([
      [10, 1],
      [30, 3],
    ]);
    expect(await openDeadLetters('orders')).toEqual([]);
    expect(await openDeadLetters('customers')).toEqual([]);
  });

  it('waits for a customers flow run separately: orders alone dead-letter, the next orders cycle after customers writes them', async () => {
    await addAccount(1, 'Acme');
    await addOrder(10, 1);
    await runOnce('--flow', 'orders');
    expect(await erpOrders()).toEqual([]);
    expect((await openDeadLetters('orders')).map((letter) => [letter.key, letter.code])).toEqual([
      ['10', 'REFERENCE_MISSING'],
    ]);
    await runOnce('--flow', 'customers');
    await runOnce('--flow', 'orders');
    expect(await erpOrders()).toEqual([[10, 1]]);
  });

  it('keeps an order dead-lettered after retry.references cycles without its customer, then dlq replay writes it', async () => {
    await addAccount(1, 'Acme');
    await addAccount(4, null);
    await addOrder(40, 4, 1);
    await addOrder(10, 1);
    for (let cycle = 0; cycle < 3; cycle++) await runOnce();
    const [waiting] = await openDeadLetters('orders');
    expect(waiting).toMatchObject({ key: '40', kind: 'reference', occurrences: 2 });

    await db.crm.query("UPDATE accounts SET name = 'Umbrella' WHERE id = 4");
    await runOnce();
    expect(await erpOrders()).toEqual([[10, 1]]);
    expect((await openDeadLetters('orders')).map((letter) => letter.key)).toEqual(['40']);

    const replay = await syncline('dlq', 'replay', '--flow', 'orders');
    expect(replay.code, replay.stderr).toBe(0);
    expect(await erpOrders()).toEqual([
      [10, 1],
      [40, 4],
    ]);
    expect(await openDeadLetters('orders')).toEqual([]);
  });
});

describe('syncline validate --offline: references and dependencies', () => {
  it('refuses a ref to a flow without target.id with exit 2, naming the key path', async () => {
    workspace.writeConfig(config(FLOWS.replace(', id: id }', ' }')));
    const result = await syncline('validate', '--offline');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /flows\.orders\.fields\.customer_id\.ref: flow "customers" has no "target\.id"/,
    );
  });

  it('refuses flows that depend on each other in a circle with exit 2, naming the flow', async () => {
    workspace.writeConfig(config(FLOWS.replace('    writeBack:', '    dependsOn: [orders]\n    writeBack:')));
    const result = await syncline('validate', '--offline');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'flows.orders: flows depend on each other in a circle (orders → customers → orders)',
    );
  });
});
