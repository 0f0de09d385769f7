import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeWatch, SourceSpec } from '../../src/core/connector.js';
import { ConnectorError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import {
  LISTENER_APPLICATION_NAME,
  PostgresConnector,
} from '../../src/connectors/postgres/postgres-connector.js';
import { postgresConfigSchema } from '../../src/connectors/postgres/postgres-config.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { eventually } from '../support/eventually.js';

// The PostgreSQL change events of realtime flows against a real server: the NOTIFY trigger that
// `syncline realtime install|remove` manages, and the connector's dedicated LISTEN session.

let database: TestDatabase;
let admin: pg.Client;
let connector: PostgresConnector;
const signal = new AbortController().signal;

function source(table: string): SourceSpec {
  return {
    flow: 'orders',
    table,
    key: 'id',
    cursor: 'updated_at',
    deleted: undefined,
    columns: ['id', 'name', 'updated_at'],
    batchSize: 100,
    lookback: 0,
  };
}

/** Syncline's triggers and notify functions left in the database. */
async function synclineObjects(): Promise<{ triggers: string[]; functions: string[] }> {
  const triggers = await admin.query<{ name: string }>(
    "SELECT c.relname || '.' || t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'syncline%' ORDER BY 1",
  );
  const functions = await admin.query<{ name: string }>(
    "SELECT n.nspname || '.' || p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'syncline_notify' ORDER BY 1",
  );
  return { triggers: triggers.rows.map((row) => row.name), functions: functions.rows.map((row) => row.name) };
}

async function listenerPids(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
    [database.name, LISTENER_APPLICATION_NAME],
  );
  return rows.map((row) => row.pid);
}

beforeAll(async () => {
  database = await createPostgresDatabase('changeevents');
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  connector = new PostgresConnector(
    postgresConfigSchema.parse({ type: 'postgres', url: database.url, poolSize: 2 }),
    { name: 'crm', logger: silentLogger },
    { changeListener: { reconnectInitialMs: 20, reconnectMaxMs: 200 } },
  );
});

afterAll(async () => {
  await connector.close();
  await admin.end();
  await database.drop();
});

beforeEach(async () => {
  await admin.query('DROP SCHEMA IF EXISTS sales CASCADE');
  await admin.query('DROP TABLE IF EXISTS accounts, invoices CASCADE');
  await admin.query('DROP FUNCTION IF EXISTS public.syncline_notify() CASCADE');
  for (const table of ['accounts', 'invoices'])
    await admin.query(
      `CREATE TABLE ${table} (id bigint PRIMARY KEY, name text, updated_at timestamptz NOT NULL DEFAULT now())`,
    );
});

describe('realtime install and remove (PostgreSQL)', () => {
  it('installs the trigger and function once; a second install changes nothing', async () => {
    const first = await connector.installChangeEvents(source('accounts'), signal);
    expect(first.isChanged).toBe(true);
    expect(first.message).toMatch(
      /created function "public"\."syncline_notify"\(\).*created trigger "syncline_accounts_notify"/,
    );
    const second = await connector.installChangeEvents(source('accounts'), signal);
    expect(second).toEqual({
      isChanged: false,
      message: expect.stringMatching(/already installed/) as unknown,
    });
    expect(await synclineObjects()).toEqual({
      triggers: ['accounts.syncline_accounts_notify'],
      functions: ['public.syncline_notify'],
    });
  });

  it('removes the trigger and function, leaving nothing; a second remove changes nothing', async () => {
    await connector.installChangeEvents(source('accounts'), signal);
    const first = await connector.removeChangeEvents(source('accounts'), signal);
    expect(first.isChanged).toBe(true);
    expect(await synclineObjects()).toEqual({ triggers: [], functions: [] });
    const second = await connector.removeChangeEvents(source('accounts'), signal);
    expect(second).toEqual({
      isChanged: false,
      message: expect.stringMatching(/nothing to remove/) as unknown,
    });
    expect(await synclineObjects()).toEqual({ triggers: [], functions: [] });
  });

  it('keeps the function while another table of the schema still uses it', async () => {
    await connector.installChangeEvents(source('accounts'), signal);
    await connector.installChangeEvents(source('invoices'), signal);
    const removed = await connector.removeChangeEvents(source('accounts'), signal);
    expect(removed.message).toMatch(/kept function .*1 other trigger/);
    expect(await synclineObjects()).toEqual({
      triggers: ['invoices.syncline_invoices_notify'],
      functions: ['public.syncline_notify'],
    });
    await connector.removeChangeEvents(source('invoices'), signal);
    expect(await synclineObjects()).toEqual({ triggers: [], functions: [] });
  });

  it('installs into the schema of a schema-qualified source table', async () => {
    await admin.query('CREATE SCHEMA sales');
    await admin.query('CREATE TABLE sales.orders (id bigint PRIMARY KEY, name text, updated_at timestamptz)');
    await connector.installChangeEvents(source('sales.orders'), signal);
    expect(await synclineObjects()).toEqual({
      triggers: ['orders.syncline_orders_notify'],
      functions: ['sales.syncline_notify'],
    });
  });

  it('refuses a missing table and a view, naming them', async () => {
    const missing = await connector
      .installChangeEvents(source('nowhere'), signal)
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ConnectorError);
    expect((missing as ConnectorError).code).toBe('CONNECTOR_TABLE_NOT_FOUND');
    expect((missing as ConnectorError).message).toMatch(/public\.nowhere does not exist/);
    await admin.query('CREATE VIEW accounts_view AS SELECT * FROM accounts');
    const view = await connector
      .installChangeEvents(source('accounts_view'), signal)
      .catch((error: unknown) => error);
    expect((view as ConnectorError).code).toBe('SCHEMA_MISMATCH');
    expect((view as ConnectorError).message).toMatch(/public\.accounts_view: it is not a table/);
    await admin.query('DROP VIEW accounts_view');
    expect(await synclineObjects()).toEqual({ triggers: [], functions: [] });
  });
});

describe('watchChanges (PostgreSQL LISTEN)', () => {
  it('reports whether the trigger is installed', async () => {
    const before = await connector.watchChanges(source('accounts'), () => undefined, signal);
    expect(before.isInstalled).toBe(false);
    await before.close();
    await connector.installChangeEvents(source('accounts'), signal);
    const after = await connector.watchChanges(source('accounts'), () => undefined, signal);
    expect(after.isInstalled).toBe(true);
    await after.close();
  });

  it('wakes the watch of the changed table only, once per statement however many rows it touched', async () => {
    await connector.installChangeEvents(source('accounts'), signal);
    await connector.installChangeEvents(source('invoices'), signal);
    await admin.query("INSERT INTO accounts SELECT g, 'n' || g FROM generate_series(1, 1000) g");
    const events = { accounts: 0, invoices: 0 };
    const watches: ChangeWatch[] = [
      await connector.watchChanges(source('accounts'), () => (events.accounts += 1), signal),
      await connector.watchChanges(source('invoices'), () => (events.invoices += 1), signal),
    ];
    try {
      await admin.query("UPDATE accounts SET name = name || '!'");
      // Notifications of one channel arrive in commit order: once the invoice's is in, so is the update's.
      await admin.query("INSERT INTO invoices VALUES (1, 'sentinel')");
      await eventually(() => events.invoices === 1, 'the invoice event arrived', {
        tries: 2000,
        everyMs: 10,
      });
      expect(events).toEqual({ accounts: 1, invoices: 1 });
    } finally {
      for (const watch of watches) await watch.close();
    }
  });

  it('uses one listening session for all watches and frees it when the last watch closes', async () => {
    await connector.installChangeEvents(source('accounts'), signal);
    const first = await connector.watchChanges(source('accounts'), () => undefined, signal);
    const second = await connector.watchChanges(source('invoices'), () => undefined, signal);
    expect(await listenerPids()).toHaveLength(1);
    await first.close();
    expect(await listenerPids()).toHaveLength(1);
    await second.close();
    await eventually(async () => (await listenerPids()).length === 0, 'the listening session ended', {
      tries: 2000,
      everyMs: 10,
    });
  });

  it('after pg_terminate_backend of its session, reconnects, wakes the watch once and delivers later events', async () => {
    await connector.installChangeEvents(source('accounts'), signal);
    let events = 0;
    const watch = await connector.watchChanges(source('accounts'), () => (events += 1), signal);
    try {
      const [killed] = await listenerPids();
      await admin.query('SELECT pg_terminate_backend($1)', [killed]);
      // Reconnected: a new session listens, and the watch was woken for what it may have missed.
      await eventually(
        async () => {
          const pids = await listenerPids();
          return pids.length === 1 && pids[0] !== killed && events === 1;
        },
        'the listener reconnected and woke the watch',
        { tries: 2000, everyMs: 10 },
      );
      await admin.query("INSERT INTO accounts VALUES (1, 'after the reconnect')");
      await eventually(() => events === 2, 'the event after the reconnect arrived', {
        tries: 2000,
        everyMs: 10,
      });
      expect(watch.isInstalled).toBe(true);
    } finally {
      await watch.close();
    }
  });
});
