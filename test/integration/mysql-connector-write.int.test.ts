import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetRecord, TargetSpec } from '../../src/core/connector.js';
import { ConnectorError, type SyncError } from '../../src/core/errors.js';
import type { Row } from '../../src/core/values.js';
import { toConnectorError } from '../../src/connectors/mysql/mysql-errors.js';
import { createMysqlHarness, openMysqlSession, type MysqlHarness } from './harness/mysql-harness.js';

const signal = new AbortController().signal;
let harness: MysqlHarness;

beforeAll(async () => {
  harness = await createMysqlHarness({ label: 'mysqlwrite' });
});
afterAll(async () => {
  await harness.close();
});

function target(table: string, columns: readonly string[], overrides: Partial<TargetSpec> = {}): TargetSpec {
  return {
    flow: 'customers',
    table,
    key: 'crm_id',
    columns,
    types: {},
    onDelete: { mode: 'hard' },
    ...overrides,
  };
}

function upsert(values: Row): TargetRecord {
  return { key: JSON.stringify(values.crm_id), op: 'upsert', values };
}

function remove(crmId: number): TargetRecord {
  return { key: String(crmId), op: 'delete', values: { crm_id: crmId } };
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const [result] = await harness.admin.query(sql);
  return result as Record<string, unknown>[];
}

async function failure(promise: Promise<unknown>): Promise<SyncError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as SyncError;
}

/** Waits until a statement starting with `prefix` has been running for a while: blocked on a lock. */
async function waitForBlocked(prefix: string): Promise<void> {
  let seen = 0;
  for (let attempt = 0; attempt < 400 && seen < 3; attempt++) {
    const running = await rows(
      `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE '${prefix}%'`,
    );
    seen = Number(running[0]?.n) > 0 ? seen + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (seen < 3) throw new Error(`no statement like ${prefix} blocked`);
}

describe('mysql connector: writing batches', () => {
  it('upserts idempotently: the same batch twice leaves one row per key with the latest values', async () => {
    await harness.execute(
      'CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, crm_id INT NOT NULL UNIQUE, name VARCHAR(20) NOT NULL)',
    );
    const spec = target('customers', ['crm_id', 'name']);
    const batch = [
      upsert({ crm_id: 3, name: 'c' }),
      upsert({ crm_id: 1, name: 'a' }),
      upsert({ crm_id: 2, name: 'b' }),
    ];
    expect(await harness.connector.writeBatch(spec, batch, signal)).toEqual({ written: 3 });
    expect(await harness.connector.writeBatch(spec, batch, signal)).toEqual({ written: 3 });
    await harness.connector.writeBatch(spec, [upsert({ crm_id: 2, name: 'b2' })], signal);
    expect(await rows('SELECT crm_id, name FROM customers ORDER BY crm_id')).toEqual([
      { crm_id: 1, name: 'a' },
      { crm_id: 2, name: 'b2' },
      { crm_id: 3, name: 'c' },
    ]);
    // Written in key order, so AUTO_INCREMENT ids follow crm_id although the batch came unordered.
    expect(await rows('SELECT id FROM customers ORDER BY crm_id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('deletes by key, marks soft deletes, and ignores deletes when told to', async () => {
    await harness.execute(
      'CREATE TABLE contacts (crm_id INT PRIMARY KEY, name VARCHAR(20), is_deleted BOOLEAN NOT NULL DEFAULT FALSE)',
    );
    const columns = ['crm_id', 'name'];
    await harness.connector.writeBatch(
      target('contacts', columns),
      [1, 2, 3, 4].map((id) => upsert({ crm_id: id, name: `n${id}` })),
      signal,
    );
    expect(
      await harness.connector.writeBatch(target('contacts', columns), [remove(1), remove(9)], signal),
    ).toEqual({ written: 1 });
    await harness.connector.writeBatch(
      target('contacts', columns, { onDelete: { mode: 'soft', column: 'is_deleted' } }),
      [remove(2)],
      signal,
    );
    await harness.connector.writeBatch(
      target('contacts', columns, { onDelete: { mode: 'ignore' } }),
      [remove(3)],
      signal,
    );
    expect(await rows('SELECT crm_id, is_deleted FROM contacts ORDER BY crm_id')).toEqual([
      { crm_id: 2, is_deleted: 1 },
      { crm_id: 3, is_deleted: 0 },
      { crm_id: 4, is_deleted: 0 },
    ]);
  });

  it('refuses a target whose key has no unique index, naming the table and column', async () => {
    await harness.execute(
      'CREATE TABLE loose (id INT AUTO_INCREMENT PRIMARY KEY, crm_id INT, name VARCHAR(20))',
    );
    const error = await failure(
      harness.connector.writeBatch(
        target('loose', ['crm_id', 'name']),
        [upsert({ crm_id: 1, name: 'a' })],
        signal,
      ),
    );
    expect(error.code).toBe('CONNECTOR_NO_UNIQUE_KEY');
    expect(error.message).toMatch(/column "crm_id" of MySQL table loose/);
    expect(await rows('SELECT * FROM loose')).toEqual([]);
  });

  it('rejects a value too long for its column, names the record key, and writes nothing of the batch', async () => {
    await harness.execute('CREATE TABLE short_names (crm_id INT PRIMARY KEY, name VARCHAR(10) NOT NULL)');
    const batch = [
      upsert({ crm_id: 1, name: 'ok' }),
      upsert({ crm_id: 2, name: 'far too long for ten' }),
      upsert({ crm_id: 3, name: 'ok' }),
    ];
    const error = await failure(
      harness.connector.writeBatch(target('short_names', ['crm_id', 'name']), batch, signal),
    );
    expect(error).toMatchObject({
      code: 'CONNECTOR_VALUE_REJECTED',
      retryable: false,
      key: '2',
      flow: 'customers',
    });
    expect(error.message).toMatch(/MySQL table short_names, record "2": Data too long for column 'name'/);
    expect(await rows('SELECT * FROM short_names')).toEqual([]);
  });

  it('rolls back every statement of a batch cut into several when its last row fails', async () => {
    await harness.execute(
      'CREATE TABLE notes (crm_id INT PRIMARY KEY, body MEDIUMTEXT NOT NULL, tag VARCHAR(5) NULL)',
    );
    const body = 'x'.repeat(4_000);
    const batch = Array.from({ length: 3_000 }, (_, index) =>
      upsert({ crm_id: index + 1, body, tag: index === 2_999 ? 'too long' : 'ok' }),
    );
    const error = await failure(
      harness.connector.writeBatch(target('notes', ['crm_id', 'body', 'tag']), batch, signal),
    );
    expect(error).toMatchObject({ code: 'CONNECTOR_VALUE_REJECTED', key: '3000' });
    expect(await rows('SELECT COUNT(*) AS n FROM notes')).toEqual([{ n: '0' }]);
    batch[2_999] = upsert({ crm_id: 3_000, body, tag: 'ok' });
    expect(
      await harness.connector.writeBatch(target('notes', ['crm_id', 'body', 'tag']), batch, signal),
    ).toEqual({ written: 3_000 });
    expect(await rows('SELECT COUNT(*) AS n, SUM(LENGTH(body)) AS bytes FROM notes')).toEqual([
      { n: '3000', bytes: '12000000' },
    ]);
  });

  it('reports a NULL in a NOT NULL column as a constraint violation of that record', async () => {
    const batch = [upsert({ crm_id: 11, name: 'ok' }), upsert({ crm_id: 12, name: null })];
    const error = await failure(
      harness.connector.writeBatch(target('short_names', ['crm_id', 'name']), batch, signal),
    );
    expect(error).toMatchObject({ code: 'CONNECTOR_CONSTRAINT_VIOLATION', retryable: false, key: '12' });
  });

  it('never overwrites another row through a second unique key: the colliding record fails by name', async () => {
    await harness.execute(
      'CREATE TABLE products (crm_id INT PRIMARY KEY, code VARCHAR(10) NOT NULL UNIQUE, name VARCHAR(20))',
    );
    const spec = target('products', ['crm_id', 'code', 'name']);
    await harness.connector.writeBatch(
      spec,
      [upsert({ crm_id: 1, code: 'A', name: 'one' }), upsert({ crm_id: 2, code: 'B', name: 'two' })],
      signal,
    );
    await harness.connector.writeBatch(
      spec,
      [upsert({ crm_id: 2, code: 'B', name: 'two v2' }), upsert({ crm_id: 3, code: 'C', name: 'three' })],
      signal,
    );
    const error = await failure(
      harness.connector.writeBatch(spec, [upsert({ crm_id: 4, code: 'A', name: 'thief' })], signal),
    );
    expect(error).toMatchObject({ code: 'CONNECTOR_CONSTRAINT_VIOLATION', key: '4' });
    expect(await rows('SELECT crm_id, code, name FROM products ORDER BY crm_id')).toEqual([
      { crm_id: 1, code: 'A', name: 'one' },
      { crm_id: 2, code: 'B', name: 'two v2' },
      { crm_id: 3, code: 'C', name: 'three' },
    ]);
  });
});

describe('mysql connector: concurrency failures', () => {
  it('classifies a real deadlock of a batch as retryable and rolls the batch back', async () => {
    await harness.execute('CREATE TABLE stock (crm_id INT PRIMARY KEY, qty INT NOT NULL)');
    await harness.execute('CREATE TABLE busy (id INT PRIMARY KEY, n INT NOT NULL)');
    await harness.execute('INSERT INTO stock VALUES (1, 0), (2, 0)');
    await harness.execute('INSERT INTO busy VALUES ?', [
      Array.from({ length: 200 }, (_, index) => [index, 0]),
    ]);
    const other = await openMysqlSession(harness.database.url);
    try {
      // The other transaction is the bigger one, so InnoDB picks the connector's batch as the victim.
      await other.beginTransaction();
      await other.query('UPDATE busy SET n = n + 1');
      await other.query('SELECT * FROM stock WHERE crm_id = 2 FOR UPDATE');
      const batch = harness.connector.writeBatch(
        target('stock', ['crm_id', 'qty']),
        [upsert({ crm_id: 1, qty: 10 }), upsert({ crm_id: 2, qty: 20 })],
        signal,
      );
      const outcome = batch.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      await waitForBlocked('INSERT INTO `stock`');
      await other.query('UPDATE stock SET qty = 99 WHERE crm_id = 1');
      const error = (await outcome) as SyncError;
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error).toMatchObject({ code: 'CONNECTOR_DEADLOCK', retryable: true });
      await other.rollback();
    } finally {
      await other.end();
    }
    expect(await rows('SELECT crm_id, qty FROM stock ORDER BY crm_id')).toEqual([
      { crm_id: 1, qty: 0 },
      { crm_id: 2, qty: 0 },
    ]);
  });

  it('classifies a real lock wait timeout as retryable', async () => {
    const holder = await openMysqlSession(harness.database.url);
    const waiter = await openMysqlSession(harness.database.url);
    try {
      await holder.beginTransaction();
      await holder.query('SELECT * FROM stock WHERE crm_id = 1 FOR UPDATE');
      await waiter.query('SET SESSION innodb_lock_wait_timeout = 1');
      const caught = await waiter.query('UPDATE stock SET qty = 5 WHERE crm_id = 1').then(
        () => undefined,
        (error: unknown) => error,
      );
      const error = toConnectorError(caught, { table: 'stock', flow: 'stock' });
      expect(error).toMatchObject({ code: 'CONNECTOR_LOCK_TIMEOUT', retryable: true });
      expect(error.message).toMatch(/MySQL table stock: Lock wait timeout exceeded/);
    } finally {
      await holder.end();
      await waiter.end();
    }
  });
});
