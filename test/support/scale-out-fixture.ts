import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { DigestedTable } from './table-digests.js';

/** The flows of the scale-out cluster: a big initial load (`accounts`) and a busy small table (`orders`). */
export const SCALE_OUT_FLOWS = ['accounts', 'orders'] as const;
export type ScaleOutFlow = (typeof SCALE_OUT_FLOWS)[number];

/** Rows of the initial load of `accounts`: enough for a cycle of a few seconds at batch 500. */
export const SCALE_OUT_ACCOUNTS = 40_000;

/**
 * The config every process of the cluster runs: PostgreSQL CRM → PostgreSQL ERP on BullMQ, short
 * leases, a cycle per flow every second. `${STATE_URL}`, `${REDIS_URL}`, `${PREFIX}`, `${CRM_URL}`
 * and `${ERP_URL}` come from the environment.
 */
export function scaleOutConfig(leases: {
  readonly leaderLeaseS: number;
  readonly jobLeaseS: number;
}): string {
  return `state: \${STATE_URL}
runtime: { type: bullmq, redis: \${REDIS_URL}, prefix: \${PREFIX}, leaderLease: ${String(leases.leaderLeaseS)}s, jobLease: ${String(leases.jobLeaseS)}s, concurrency: 2 }
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: postgres, url: \${ERP_URL} }
flows:
  accounts:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at, lookback: 5s }
    target: { connection: erp, table: accounts, key: crm_id }
    batch: 500
    backfill: { bulk: false }
    fields:
      name: name
      email: email
      amount: { from: amount, type: decimal }
    cadence: { every: 1s, adaptive: false }
  orders:
    source: { connection: crm, table: orders, key: id, cursor: updated_at, lookback: 5s }
    target: { connection: erp, table: orders, key: crm_id }
    batch: 200
    fields:
      customer: customer
      amount: { from: amount, type: decimal }
    cadence: { every: 1s, adaptive: false }
`;
}

/** The source and target table of a flow, with the columns its mapping carries (same types both sides). */
export function flowTables(
  flow: ScaleOutFlow,
  source: pg.Pool,
  target: pg.Pool,
): { source: DigestedTable; target: DigestedTable } {
  const columns = flow === 'accounts' ? ['name', 'email', 'amount'] : ['customer', 'amount'];
  return {
    source: { pool: source, table: flow, key: 'id', columns },
    target: { pool: target, table: flow, key: 'crm_id', columns },
  };
}

/**
 * Creates the source tables (cursor bumped by a trigger on every update) with their rows, and the
 * empty target tables.
 */
export async function createScaleOutTables(source: pg.Pool, target: pg.Pool): Promise<void> {
  await source.query(`CREATE FUNCTION touch() RETURNS trigger AS $$
    BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql`);
  await source.query(`CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, email text,
    amount numeric(14,2) NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await source.query(`CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL,
    amount numeric(14,2) NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  for (const table of SCALE_OUT_FLOWS) {
    await source.query(`CREATE INDEX ${table}_cursor ON ${table} (updated_at, id)`);
    await source.query(
      `CREATE TRIGGER ${table}_touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION touch()`,
    );
  }
  // Cursor values a millisecond apart, an hour ago: the 5 s lookback reads a few thousand rows again, not all.
  await source.query(`INSERT INTO accounts (id, name, email, amount, updated_at)
    SELECT g, '客户 ' || g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'c' || g || '@example.com' END,
           (g * 1.25)::numeric(14,2), now() - interval '1 hour' + g * interval '1 millisecond'
    FROM generate_series(1, ${String(SCALE_OUT_ACCOUNTS)}) g`);
  await source.query(`INSERT INTO orders (customer, amount)
    SELECT 'customer ' || g, (g * 10.25)::numeric(14,2) FROM generate_series(1, 100) g`);
  await target.query(`CREATE TABLE accounts (crm_id bigint PRIMARY KEY, name text NOT NULL, email text,
    amount numeric(14,2) NOT NULL)`);
  await target.query(
    'CREATE TABLE orders (crm_id integer PRIMARY KEY, customer text NOT NULL, amount numeric(14,2) NOT NULL)',
  );
}

/** Inserts and updates at the source until stopped, as an application would; `stop()` resolves to the rounds made. */
export function startSourceChanges(source: pg.Pool): { stop(): Promise<number> } {
  const writer = { isOn: true };
  let rounds = 0;
  const writing = (async () => {
    while (writer.isOn) {
      rounds += 1;
      await source.query(
        `INSERT INTO orders (customer, amount)
         SELECT 'customer ' || g || ' of round ' || $1::int, (g * 3.5 + $1::int)::numeric(14,2)
         FROM generate_series(1, 5) g`,
        [rounds],
      );
      await source.query('UPDATE orders SET amount = amount + 1 WHERE id % 11 = $1', [rounds % 11]);
      await source.query(
        `UPDATE accounts SET amount = amount + 0.01, name = '客户 ' || id || ' v' || $1::int WHERE id % 997 = $2`,
        [rounds, rounds % 997],
      );
      // Pacing of the writer, not a wait for an outcome.
      await sleep(100);
    }
    return rounds;
  })();
  return {
    stop: async () => {
      writer.isOn = false;
      return writing;
    },
  };
}
