import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type Workspace } from '../support/cli.js';
import { createToken, startServe, type RunningServe } from '../support/serve.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';
import { eventually } from '../support/eventually.js';

// The config centre under load: while rows stream into the CRM, `serve` reloads its config again
// and again (API and file change), and at the end both sides hold the same rows, byte for byte.

const CONFIG = (everyMs: number, batch: number): string => `state: sqlite:\${STATE_PATH}
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: mysql, url: \${ERP_URL} }
flows:
  orders:
    source: { connection: crm, table: orders, key: id, cursor: updated_at, lookback: 10s }
    target: { connection: erp, table: orders, key: crm_id }
    batch: ${batch}
    fields:
      customer: customer
      amount: { from: amount, type: decimal }
    cadence: { every: ${everyMs}ms, adaptive: false }
`;

let db: CrmErpDatabases;
let workspace: Workspace;
let server: RunningServe;
let base = '';
let admin = '';

beforeAll(async () => {
  db = await createCrmErpDatabases('reload_load');
  await db.crm.query(`CREATE TABLE orders (
    id serial PRIMARY KEY, customer text NOT NULL, amount numeric(14,2) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await db.crm.query(`CREATE FUNCTION touch() RETURNS trigger AS $$
    BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql`);
  await db.crm.query('CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch()');
  await db.erp.query(
    'CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, crm_id int UNIQUE, customer varchar(100), amount decimal(14,2))',
  );
  workspace = createWorkspace();
  workspace.writeConfig(CONFIG(200, 50));
  const env = { STATE_PATH: join(workspace.dir, 'state.db'), CRM_URL: db.crmUrl, ERP_URL: db.erpUrl };
  admin = await createToken(workspace, env, 'root', 'admin');
  server = await startServe(workspace, env);
  base = server.base;
});

afterAll(async () => {
  await server.stop();
  workspace.remove();
  await db.drop();
});

async function rows(sql: string, side: 'crm' | 'erp'): Promise<string[]> {
  const found =
    side === 'crm' ? (await db.crm.query<Record<string, unknown>>(sql)).rows : await db.erpRows(sql);
  return found.map((row) => `${String(row.id)}|${String(row.customer)}|${String(row.amount)}`);
}

describe('syncline serve: a config reload under load', () => {
  it('loses and doubles nothing while the config is reloaded again and again', async () => {
    const writing = { isOn: true };
    const writer = (async () => {
      let round = 0;
      while (writing.isOn) {
        round += 1;
        await db.crm.query(
          `INSERT INTO orders (customer, amount)
           SELECT 'customer ' || g || ' of round ' || $1::int, (g * 10.25 + $1::int)::numeric(14,2)
           FROM generate_series(1, 20) g`,
          [round],
        );
        await db.crm.query('UPDATE orders SET amount = amount + 1 WHERE id % 7 = $1', [round % 7]);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const reloads: number[] = [];
    for (let step = 0; step < 6; step++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      workspace.writeConfig(CONFIG(step % 2 === 0 ? 300 : 200, step % 2 === 0 ? 37 : 50));
      const response = await fetch(`${base}/api/v1/config/reload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}` },
      });
      reloads.push(response.status);
    }
    writing.isOn = false;
    await writer;
    expect(reloads.every((status) => status === 200)).toBe(true);
    const source = await rows('SELECT id, customer, amount::text AS amount FROM orders ORDER BY id', 'crm');
    expect(source.length).toBeGreaterThan(100);
    await eventually(
      async () =>
        JSON.stringify(await rows('SELECT crm_id AS id, customer, amount FROM orders ORDER BY crm_id', 'erp')) ===
        JSON.stringify(source),
      'the ERP holds every CRM order exactly once, with its last amount',
      { tries: 600, everyMs: 100 },
    );
    expect(server.log()).toMatch(/config reloaded: flow orders: /);
    const audit = (await (
      await fetch(`${base}/api/v1/audit?action=config.reload&limit=100`, {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json()) as { items: { result: string }[] };
    expect(audit.items.filter((entry) => entry.result === 'succeeded').length).toBeGreaterThanOrEqual(6);
  });
});
