import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StateStoreError, SyncError } from '../../src/core/errors.js';
import { postgresMigrations } from '../../src/state/postgres/postgres-state-migrations.js';
import { migratePostgresState } from '../../src/state/postgres/postgres-state-schema.js';
import { PostgresStateStore } from '../../src/state/postgres/postgres-state-store.js';
import { describeStateStoreConformance } from '../conformance/state-store-conformance.js';
import { batch, conflict, deadLetter, sleep, syncedRecord } from '../conformance/state-store-samples.js';
import { createPostgresDatabase, postgresTestPool, type TestDatabase } from '../support/databases.js';

// One database for the file; each case and test gets a schema of its own (`?schema=`), which is
// far faster than a database each.
let database: TestDatabase;
let admin: pg.Pool;
/** Schemas of finished cases being dropped while the next cases run; awaited before the database goes. */
const dropping: Promise<void>[] = [];

beforeAll(async () => {
  database = await createPostgresDatabase('pgstate');
  admin = postgresTestPool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await Promise.all(dropping);
  await admin.end();
  await database.drop();
});

function uniqueSchema(label: string): string {
  return `state_${label}_${randomBytes(4).toString('hex')}`;
}

/** The store's URL on the test database, in `schema`. */
function stateUrl(schema: string): string {
  const url = new URL(database.url);
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function dropSchema(schema: string): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
}

describeStateStoreConformance('postgres (a schema per case)', () => {
  const schema = uniqueSchema('case');
  const store = new PostgresStateStore(stateUrl(schema), { poolSize: 2 });
  return Promise.resolve({
    store,
    cleanup: async () => {
      await store.close();
      dropping.push(dropSchema(schema));
    },
  });
});

describe('PostgresStateStore shared by several processes', () => {
  /** Stores opened by a test, closed and their schemas dropped at its end. */
  const opened: { store: PostgresStateStore; schema: string }[] = [];
  const open = async (schema: string, isInitialised = true): Promise<PostgresStateStore> => {
    const store = new PostgresStateStore(stateUrl(schema), { poolSize: 2 });
    opened.push({ store, schema });
    if (isInitialised) await store.init();
    return store;
  };
  afterAll(async () => {
    for (const { store, schema } of opened) {
      await store.close();
      await dropSchema(schema);
    }
  });

  it('lets two stores on one schema respect each other’s lease, and refuses the old owner’s commit after a takeover', async () => {
    const schema = uniqueSchema('fence');
    const first = await open(schema);
    const second = await open(schema);
    const fenceA = await first.acquireLease('orders', 'worker-a', 0);
    expect(fenceA).toEqual({ flow: 'orders', owner: 'worker-a', token: 1 });
    await first.commitBatch(fenceA!, batch({ synced: [syncedRecord('1', 'h1')], checkpoint: { cursor: 1 } }));
    const fenceB = await second.acquireLease('orders', 'worker-b', 60_000);
    expect(fenceB).toEqual({ flow: 'orders', owner: 'worker-b', token: 2 });
    expect(await first.acquireLease('orders', 'worker-a', 60_000)).toBeUndefined();

    const refused = await first
      .commitBatch(
        fenceA!,
        batch({
          synced: [syncedRecord('1', 'h2'), syncedRecord('2')],
          deadLetters: [deadLetter('orders', '3')],
          checkpoint: { cursor: 2 },
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(StateStoreError);
    expect(refused).toMatchObject({ code: 'LEASE_LOST', flow: 'orders', retryable: false });
    expect((refused as Error).message).toContain('another process took the flow over (lease token 2');
    expect(await second.getCheckpoint('orders')).toEqual({ cursor: 1 });
    expect([...(await second.getSynced('orders', ['1', '2'])).values()]).toEqual([syncedRecord('1', 'h1')]);
    expect(await second.countDeadLetters({ flow: 'orders' })).toBe(0);
    await second.commitBatch(fenceB!, batch({ checkpoint: { cursor: 3 } }));
    expect(await first.getCheckpoint('orders')).toEqual({ cursor: 3 });
  });

  it('gives each expired lease to exactly one of two stores racing for it', async () => {
    const schema = uniqueSchema('race-lease');
    const first = await open(schema);
    const second = await open(schema);
    const flows = Array.from({ length: 200 }, (_, index) => `flow-${index}`);
    for (const flow of flows) await first.acquireLease(flow, 'seed', 0);
    const race = (store: PostgresStateStore, owner: string) =>
      Promise.all(flows.map((flow) => store.acquireLease(flow, owner, 60_000)));
    const [wonByA, wonByB] = await Promise.all([race(first, 'worker-a'), race(second, 'worker-b')]);
    flows.forEach((flow, index) => {
      const winners = [wonByA[index], wonByB[index]].filter((fence) => fence !== undefined);
      expect(winners, flow).toHaveLength(1);
      expect(winners[0]?.token).toBe(2);
    });
  });

  it('lets a lease expire on the database’s clock, not the process’s', async () => {
    const schema = uniqueSchema('clock');
    const store = await open(schema);
    // This process's clock runs an hour late: a lease timed by it would have expired already.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 3_600_000 });
    try {
      const first = await store.acquireLease('stock', 'worker-a', 1000);
      expect(first?.token).toBe(1);
      expect(await store.acquireLease('stock', 'worker-b', 60_000)).toBeUndefined();
      const { rows } = await admin.query<{ remaining_ms: number }>(
        `SELECT extract(epoch FROM expires_at - now()) * 1000 AS remaining_ms FROM "${schema}".leases WHERE flow = 'stock'`,
      );
      expect(Number(rows[0]?.remaining_ms)).toBeLessThanOrEqual(1000);
    } finally {
      vi.useRealTimers();
    }
    await sleep(1200);
    expect(await store.acquireLease('stock', 'worker-b', 60_000)).toEqual({
      flow: 'stock',
      owner: 'worker-b',
      token: 2,
    });
  });

  it('migrates an empty schema once when two processes start at once', async () => {
    const schema = uniqueSchema('race');
    const stores = await Promise.all([open(schema, false), open(schema, false), open(schema, false)]);
    await Promise.all(stores.map((store) => store.init()));
    const { rows } = await admin.query<{ version: number; copies: string }>(
      `SELECT version, count(*) AS copies FROM "${schema}".syncline_migrations GROUP BY version ORDER BY version`,
    );
    expect(rows.map((row) => [row.version, Number(row.copies)])).toEqual(
      postgresMigrations.map((migration) => [migration.version, 1]),
    );
    const applied = stores.map((store) => store.migration?.applied.length);
    expect(applied.sort()).toEqual([0, 0, postgresMigrations.length]);
    await stores[0].setFlowMeta('orders', 'cadence', { intervalMs: 60_000 });
    expect(await stores[2].getFlowMeta('orders', 'cadence')).toEqual({ intervalMs: 60_000 });
  });

  it('refuses a schema newer than this code knows, naming both versions', async () => {
    const schema = uniqueSchema('newer');
    await open(schema);
    const newest = postgresMigrations.at(-1)!.version;
    await admin.query(
      `INSERT INTO "${schema}".syncline_migrations (version, name) VALUES (999, 'from the future')`,
    );
    const later = await open(schema, false);
    const error = await later.init().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(StateStoreError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toContain(
      `is at version 999, newer than this Syncline knows (${newest})`,
    );
    await expect(migratePostgresState(stateUrl(schema))).rejects.toThrow(/version 999/);
  });

  it('reports the versions and migrations applied, then that the schema is up to date', async () => {
    const schema = uniqueSchema('migrate');
    opened.push({ store: new PostgresStateStore(stateUrl(schema)), schema });
    const newest = postgresMigrations.at(-1)!.version;
    expect(await migratePostgresState(stateUrl(schema))).toEqual({
      from: 0,
      to: newest,
      applied: postgresMigrations.map((migration) => migration.name),
    });
    expect(await migratePostgresState(stateUrl(schema))).toEqual({ from: newest, to: newest, applied: [] });
  });

  it('quotes a schema name with capitals, spaces and quotes', async () => {
    const schema = `Syncline "odd" ${randomBytes(3).toString('hex')}`;
    const store = await open(schema);
    expect(store.schema).toBe(schema);
    await store.setFlowMeta('orders', 'note', '在这里');
    const { rows } = await admin.query<{ value: string }>(
      `SELECT value FROM "${schema.replaceAll('"', '""')}".flow_meta WHERE flow = 'orders'`,
    );
    expect(rows).toEqual([{ value: '"在这里"' }]);
  });

  it('never shows the password of the URL in an error', async () => {
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const store = new PostgresStateStore(`postgres://syncline:${password}@127.0.0.1:1/nowhere?schema=x`, {
      connectTimeoutMs: 2000,
    });
    const error = await store.init().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    await store.close();
    expect(error).toBeInstanceOf(SyncError);
    const { message } = error as SyncError;
    expect(message).not.toContain(password);
    expect(JSON.stringify((error as SyncError).toJSON())).not.toContain(password);
    expect(message).toContain('postgres://syncline:***@127.0.0.1:1/nowhere');
    expect(message).toMatch(/cannot be reached|connection/);
    expect((error as SyncError).retryable).toBe(true);
    const migrateError = await migratePostgresState(
      `postgresql://syncline:${password}@127.0.0.1:1/nowhere`,
    ).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect((migrateError as Error).message).not.toContain(password);
  });

  it('commits 5,000 records, dead letters and conflicts in a handful of statements', async () => {
    const schema = uniqueSchema('bulk');
    const store = await open(schema);
    const fence = await store.acquireLease('bulk', 'worker-a', 60_000);
    const keys = Array.from({ length: 5000 }, (_, index) => `k${index}`);
    // Every pg client of this process is counted: let the schemas of earlier cases finish dropping first.
    await Promise.all(dropping);
    const query = vi.spyOn(pg.Client.prototype, 'query');
    try {
      await store.commitBatch(
        fence!,
        batch({
          synced: keys.map((key) => syncedRecord(key)),
          deadLetters: keys.map((key) => deadLetter('bulk', `bad-${key}`)),
          conflicts: keys.map((key) => conflict('bulk', `c-${key}`)),
          resolvedKeys: keys,
          checkpoint: { cursor: 5000 },
        }),
      );
      // BEGIN, the lease check, key map, resolved keys, dead letters, conflicts, checkpoint, COMMIT.
      expect(query.mock.calls.length).toBeGreaterThanOrEqual(6);
      expect(query.mock.calls.length).toBeLessThanOrEqual(8);
    } finally {
      query.mockRestore();
    }
    expect((await store.getSynced('bulk', keys)).size).toBe(5000);
    expect(await store.countDeadLetters({ flow: 'bulk', status: 'open' })).toBe(5000);
    expect(await store.countConflicts({ flow: 'bulk', status: 'open' })).toBe(5000);
  });

  it('refuses calls before init() and after close()', async () => {
    const store = new PostgresStateStore(stateUrl(uniqueSchema('closed')));
    await expect(store.getCheckpoint('orders')).rejects.toThrow(/not open/);
    const schema = uniqueSchema('closed');
    const closed = await open(schema);
    await closed.close();
    await closed.close();
    await expect(closed.getCheckpoint('orders')).rejects.toBeInstanceOf(StateStoreError);
    expect(() => new PostgresStateStore('mysql://root@localhost/db')).toThrow(
      /postgres:\/\/ or postgresql:\/\//,
    );
  });
});
