import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, runCli, synclineIn, type Workspace } from '../support/cli.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';

// `syncline init --from <PostgreSQL CRM> --to <MariaDB ERP>` reads both catalogs and writes a
// config that `validate` accepts and `run --once` runs: the acceptance of issue 9, item 7.

let db: CrmErpDatabases;
let workspace: Workspace;
/** The CRM's URL with a password (the test server trusts local connections, so any password works). */
let crmUrlWithPassword: string;
const PASSWORD = 'pa55-Word_9';

const CRM_SCHEMA = [
  `CREATE TABLE accounts (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     name text NOT NULL,
     email varchar(320),
     credit_limit numeric(14,2),
     is_deleted boolean NOT NULL DEFAULT false,
     updated_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE contacts (
     id bigserial PRIMARY KEY,
     account_id uuid REFERENCES accounts (id),
     "fullName" text,
     phone text,
     updated_at timestamptz)`,
  `CREATE TABLE orders (
     id bigint PRIMARY KEY,
     order_no text NOT NULL,
     total numeric(12,2) NOT NULL,
     version integer NOT NULL)`,
  `CREATE TABLE audit_log (id bigserial PRIMARY KEY, happened_at timestamptz NOT NULL)`,
];

const ERP_SCHEMA = [
  `CREATE TABLE customers (
     id INT AUTO_INCREMENT PRIMARY KEY,
     crm_id VARCHAR(64) NOT NULL UNIQUE,
     customer_name VARCHAR(100) NOT NULL,
     email_address VARCHAR(255),
     credit_limit DECIMAL(14,2),
     is_deleted TINYINT(1) NOT NULL DEFAULT 0)`,
  `CREATE TABLE persons (
     id INT AUTO_INCREMENT PRIMARY KEY,
     full_name VARCHAR(200),
     telephone VARCHAR(50))`,
  `CREATE TABLE sales_orders (
     id INT AUTO_INCREMENT PRIMARY KEY,
     external_id BIGINT UNIQUE,
     order_no VARCHAR(30),
     amount DECIMAL(12,2))`,
  `CREATE TABLE stock (sku VARCHAR(40) PRIMARY KEY, qty DECIMAL(12,3) NOT NULL)`,
];

beforeAll(async () => {
  db = await createCrmErpDatabases('init');
  for (const sql of CRM_SCHEMA) await db.crm.query(sql);
  for (const sql of ERP_SCHEMA) await db.erp.query(sql);
  await db.crm.query(
    `INSERT INTO accounts (id, name, email, credit_limit) VALUES
       ('6f1c2b1e-6c1a-4a57-9a3e-0d7f3c1b2a10', 'Acme GmbH', 'billing@acme.example', '12500.50')`,
  );
  await db.crm.query(`INSERT INTO orders VALUES (7, 'SO-7', '99.90', 1)`);
  const url = new URL(db.crmUrl);
  url.password = PASSWORD;
  crmUrlWithPassword = url.href;
  workspace = createWorkspace();
});

afterAll(async () => {
  workspace.remove();
  await db.drop();
});

describe('syncline init --from --to', () => {
  it('writes flows proposed from both schemas, with env references instead of URLs', async () => {
    const result = await runCli(['init', '--from', crmUrlWithPassword, '--to', db.erpUrl], {
      cwd: workspace.dir,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/2 flow\(s\) proposed \(customers, sales_orders\), 1 commented out/);
    expect(result.stdout).toContain('set CRM_DATABASE_URL and ERP_DATABASE_URL');

    const text = readFileSync(workspace.configPath, 'utf8');
    expect(text).toContain('crm: { type: postgres, url: ${CRM_DATABASE_URL} }');
    expect(text).toContain('erp: { type: mysql, url: ${ERP_DATABASE_URL} }');
    expect(text).not.toContain(PASSWORD);
    expect(result.stdout).not.toContain(PASSWORD);
    expect(text).toContain(`#   CRM_DATABASE_URL=${crmUrlWithPassword.replace(PASSWORD, '***')}`);
    expect(text).toContain(
      'source: { connection: crm, table: accounts, key: id, cursor: updated_at, deleted: is_deleted }',
    );
    expect(text).toContain(
      'target: { connection: erp, table: customers, key: crm_id, onDelete: { soft: is_deleted } }',
    );
    expect(text).toMatch(/customer_name: name/);
    expect(text).toMatch(/# GAP: create a unique column to receive the source key/);
    expect(text).toMatch(/# GAP: hard deletes \(DELETE FROM orders\) are not seen/);
    expect(text).toMatch(/# Tables of crm no table of erp matched: audit_log/);
    expect(text).toMatch(/# Tables of erp no flow writes: stock/);
  });

  it('refuses to overwrite the file without --force', async () => {
    const result = await runCli(['init', '--from', db.crmUrl, '--to', db.erpUrl], { cwd: workspace.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('already exists');
  });

  it('writes a config that validate accepts and run --once runs', async () => {
    const syncline = synclineIn(workspace, {
      CRM_DATABASE_URL: crmUrlWithPassword,
      ERP_DATABASE_URL: db.erpUrl,
    });
    const validate = await syncline('validate');
    expect(validate.code, `${validate.stdout}\n${validate.stderr}`).toBe(0);

    const run = await syncline('run', '--once');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(existsSync(`${workspace.dir}/.syncline/state.db`)).toBe(true);

    const customers = await db.erpRows(
      'SELECT crm_id, customer_name, email_address, credit_limit, is_deleted FROM customers',
    );
    expect(customers).toEqual([
      {
        crm_id: '6f1c2b1e-6c1a-4a57-9a3e-0d7f3c1b2a10',
        customer_name: 'Acme GmbH',
        email_address: 'billing@acme.example',
        credit_limit: '12500.50',
        is_deleted: 0,
      },
    ]);
    const orders = await db.erpRows('SELECT external_id, order_no, amount FROM sales_orders');
    expect(orders).toEqual([{ external_id: '7', order_no: 'SO-7', amount: '99.90' }]);
  });

  it('takes --from crm --to erp from a file that holds connections only, keeping its env references', async () => {
    const named = createWorkspace();
    try {
      named.writeConfig(
        'state: sqlite:./state/sync.db\nconnections:\n' +
          '  crm: { type: postgres, url: ${CRM_URL}, poolSize: 2 }\n' +
          '  erp: { type: mysql, url: ${ERP_URL} }\n',
      );
      const env = { CRM_URL: crmUrlWithPassword, ERP_URL: db.erpUrl };
      const syncline = synclineIn(named, env);
      const init = await syncline('init', '--from', 'crm', '--to', 'erp');
      expect(init.code, init.stderr).toBe(0);
      const text = readFileSync(named.configPath, 'utf8');
      expect(text).toContain('state: sqlite:./state/sync.db');
      expect(text).toContain('crm: { type: postgres, url: ${CRM_URL}, poolSize: 2 }');
      expect(text).not.toContain(PASSWORD);
      expect(text).toContain('table: customers, key: crm_id');
      const validate = await syncline('validate');
      expect(validate.code, `${validate.stdout}\n${validate.stderr}`).toBe(0);

      const again = await syncline('init', '--from', 'crm', '--to', 'erp');
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('already exists');
      const unknown = await syncline('init', '--force', '--from', 'crm', '--to', 'stock');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('no connection "stock"');
    } finally {
      named.remove();
    }
  });

  it('answers a URL it cannot use with exit 2 and without the password', async () => {
    const result = await runCli(
      ['-c', 'other.yaml', 'init', '--from', 'redis://u:hunter2@h/0', '--to', db.erpUrl],
      { cwd: workspace.dir },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no connector takes "redis:\/\/u:\*\*\*@h\/0"/);
    expect(result.stderr).not.toContain('hunter2');
  });
});
