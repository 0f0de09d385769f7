import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toConnectorError } from '../../src/connectors/postgres/postgres-errors.js';
import { postgresConnector } from '../../src/connectors/postgres/index.js';
import type { Checkpoint } from '../../src/core/connector.js';
import { silentLogger } from '../../src/core/logger.js';
import { createPostgresHarness, type PostgresHarness } from './harness/postgres-harness.js';
import { liveSignal, readAll, sourceSpec, targetSpec, upsert } from './harness/postgres-specs.js';

let h: PostgresHarness;
const signal = liveSignal();

beforeAll(async () => {
  h = await createPostgresHarness('pgreads');
  await h.execute(
    `CREATE TABLE orders (id integer PRIMARY KEY, amount numeric(18,4), updated_at timestamptz(6) NOT NULL)`,
  );
  await h.execute(`CREATE TABLE stock (id integer PRIMARY KEY, qty integer NOT NULL)`);
});

afterAll(async () => {
  await h.close();
});

/** A pg session of its own, in UTC, for the concurrency cases. */
async function session(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: h.database.url, options: '-c TimeZone=UTC' });
  await client.connect();
  return client;
}

/** Waits until some session of this database waits for a lock. */
async function untilSomeoneWaitsForALock(): Promise<void> {
  for (;;) {
    const rows = await h.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (Number(rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('keyset reads', () => {
  it('reads 2,500 rows sharing one cursor value completely in batches of 1,000', async () => {
    await h.execute(`CREATE TABLE same_cursor (id integer PRIMARY KEY, updated_at timestamptz(6) NOT NULL)`);
    await h.execute(
      `INSERT INTO same_cursor SELECT g, '2026-05-01T12:00:00.123456Z' FROM generate_series(1, 2500) g`,
    );
    const source = sourceSpec('same_cursor', ['id', 'updated_at']);

    const incremental = await readAll(h.connector, source, { phase: 'incremental', cursor: null, key: null });
    expect(incremental.batches.map((batch) => batch.changes.length)).toEqual([1_000, 1_000, 500]);
    expect(new Set(incremental.changes.map((change) => change.key)).size).toBe(2_500);
    expect(incremental.checkpoint).toEqual({
      phase: 'incremental',
      cursor: '2026-05-01T12:00:00.123456+00:00',
      key: 2_500,
    });

    const fromMiddle = await readAll(h.connector, source, {
      phase: 'incremental',
      cursor: '2026-05-01T12:00:00.123456+00:00',
      key: 1_200,
    });
    expect(fromMiddle.changes.map((change) => Number(change.key))).toEqual(
      Array.from({ length: 1_300 }, (_, index) => 1_201 + index),
    );

    const initial = await readAll(h.connector, source, undefined);
    expect(new Set(initial.changes.map((change) => change.key)).size).toBe(2_500);
  });

  it('reads a row committed late with an older cursor value on the next cycle with lookback', async () => {
    await h.execute(
      `INSERT INTO orders VALUES (1, '10.0000', '2026-06-01T10:00:00Z'), (2, '20.0000', '2026-06-01T10:00:05Z')`,
    );
    const source = sourceSpec('orders', ['id', 'amount', 'updated_at'], { lookback: 60_000 });
    const first = await readAll(h.connector, source, undefined);
    const commitLate = await h.openLateTransaction!(
      `UPDATE orders SET amount = '99.0000', updated_at = '2026-06-01T10:00:02Z' WHERE id = 1`,
    );
    await h.execute(`INSERT INTO orders VALUES (3, '30.0000', '2026-06-01T10:00:10Z')`);

    const second = await readAll(h.connector, source, first.checkpoint);
    expect(second.changes.find((change) => change.key === '1')?.row.amount).toBe('10.0000');
    expect(second.checkpoint).toMatchObject({ cursor: '2026-06-01T10:00:10+00:00', key: 3 });

    await commitLate();
    const third = await readAll(h.connector, source, second.checkpoint);
    expect(third.changes.find((change) => change.key === '1')?.row).toEqual({
      id: 1,
      amount: '99.0000',
      updated_at: '2026-06-01T10:00:02+00:00',
    });
    expect(third.checkpoint).toEqual(second.checkpoint);
  });

  it(
    'stops a running read when the signal aborts, cancelling the statement on the server',
    { timeout: 60_000 },
    async () => {
      await h.execute(
        `CREATE VIEW slow AS SELECT g AS id, g AS v FROM generate_series(1, 3) g, pg_sleep(600) s`,
      );
      const controller = new AbortController();
      const source = sourceSpec('slow', ['id', 'v'], { cursor: 'v' });
      const changes = h.connector.readChanges(source, undefined, controller.signal);
      const next = changes[Symbol.asyncIterator]().next();
      await untilRunning('"slow"', true);
      controller.abort();
      await expect(next).rejects.toMatchObject({ name: 'AbortError' });
      await untilRunning('"slow"', false);
    },
  );
});

/** Waits until some other session of this database runs (or no longer runs) a statement containing `text`. */
async function untilRunning(text: string, isRunning: boolean): Promise<void> {
  for (;;) {
    const rows = await h.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND query LIKE $1 AND query NOT LIKE '%pg_stat_activity%'`,
      [`%${text}%`],
    );
    if (Number(rows[0]?.n ?? 0) > 0 === isRunning) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('sessions', () => {
  it('reads timestamptz in UTC whatever time zone the database defaults to', async () => {
    await h.execute(`ALTER DATABASE ${h.database.name} SET TimeZone = 'Asia/Shanghai'`);
    const config = postgresConnector.configSchema.parse({ type: 'postgres', url: h.database.url });
    const fresh = postgresConnector.create(config, { name: 'fresh', logger: silentLogger });
    try {
      const [change] = await fresh.readByKeys(sourceSpec('orders', ['id', 'updated_at']), ['2'], signal);
      expect(change?.row.updated_at).toBe('2026-06-01T10:00:05+00:00');
    } finally {
      await fresh.close();
      await h.execute(`ALTER DATABASE ${h.database.name} RESET TimeZone`);
    }
  });

  it('reports a statement that outlasts statementTimeout as a retryable timeout', async () => {
    await h.execute(`CREATE VIEW sleepy AS SELECT 1 AS id, 1 AS v FROM pg_sleep(30)`);
    const config = postgresConnector.configSchema.parse({
      type: 'postgres',
      url: h.database.url,
      statementTimeout: '200ms',
    });
    const impatient = postgresConnector.create(config, { name: 'impatient', logger: silentLogger });
    try {
      const count = impatient.countPending(
        sourceSpec('sleepy', ['id', 'v'], { cursor: 'v' }),
        undefined,
        10,
        signal,
      );
      await expect(count).rejects.toMatchObject({
        code: 'CONNECTOR_TIMEOUT',
        retryable: true,
        flow: 'test-flow',
      });
      await expect(count).rejects.toThrow(/counting pending rows of public\.sleepy.*statement timeout/);
    } finally {
      await impatient.close();
    }
  });
});

describe('retryable conflicts', () => {
  it('reports a real deadlock during a write as retryable CONNECTOR_DEADLOCK', async () => {
    await h.execute(`INSERT INTO stock VALUES (1, 0), (2, 0)`);
    // The connector's sessions check for deadlocks after 3s, the other session after 60s: the
    // connector is the victim, and the other session has ample time to close the cycle first.
    await h.execute(`ALTER DATABASE ${h.database.name} SET deadlock_timeout = '3s'`);
    const config = postgresConnector.configSchema.parse({ type: 'postgres', url: h.database.url });
    const writer = postgresConnector.create(config, { name: 'writer', logger: silentLogger });
    const other = await session();
    try {
      await other.query(`SET deadlock_timeout = '60s'`);
      await other.query('BEGIN');
      await other.query('UPDATE stock SET qty = 100 WHERE id = 2');
      const records = [upsert({ id: 1, qty: 1 }), upsert({ id: 2, qty: 2 })];
      const settled = writer.writeBatch(targetSpec('stock', ['id', 'qty']), records, signal).then(
        () => undefined,
        (error: unknown) => error,
      );
      await untilSomeoneWaitsForALock();
      await other.query('UPDATE stock SET qty = 100 WHERE id = 1');
      await other.query('COMMIT');
      expect(await settled).toMatchObject({ code: 'CONNECTOR_DEADLOCK', retryable: true });
    } finally {
      await other.end();
      await writer.close();
      await h.execute(`ALTER DATABASE ${h.database.name} RESET deadlock_timeout`);
    }
    expect(await h.query(`SELECT qty FROM stock ORDER BY id`)).toEqual([{ qty: 100 }, { qty: 100 }]);
  });

  it('classifies a real serialization failure as retryable', async () => {
    const [a, b] = [await session(), await session()];
    try {
      await a.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await a.query('SELECT qty FROM stock WHERE id = 1');
      await b.query('UPDATE stock SET qty = qty + 1 WHERE id = 1');
      const failure = await a.query('UPDATE stock SET qty = qty + 1 WHERE id = 1').then(
        () => undefined,
        (error: unknown) => error,
      );
      const error = toConnectorError(failure, { operation: 'writing public.stock', secrets: [] });
      expect(error).toMatchObject({ code: 'CONNECTOR_SERIALIZATION_FAILURE', retryable: true });
      expect(error.message).toContain('[40001]');
    } finally {
      await a.query('ROLLBACK');
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('keeps a checkpoint type that the state store can hold as JSON', async () => {
    const { checkpoint } = await readAll(h.connector, sourceSpec('orders', ['id', 'updated_at']), undefined);
    const stored = JSON.parse(JSON.stringify(checkpoint)) as Checkpoint;
    expect(stored).toEqual(checkpoint);
  });
});
