import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConnector } from '../../src/connectors/postgres/index.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Row } from '../../src/core/values.js';
import { describeConnectorConformance } from '../conformance/connector-conformance.js';
import {
  createPostgresHarness,
  postgresHarnessFactory,
  type PostgresHarness,
} from './harness/postgres-harness.js';
import { liveSignal, readAll, sourceSpec, targetSpec, upsert } from './harness/postgres-specs.js';

describeConnectorConformance('postgres', postgresHarnessFactory);

let h: PostgresHarness;
const signal = liveSignal();

const ACCOUNT_COLUMNS = ['id', 'name', 'credit', 'updated_at', 'note'];

beforeAll(async () => {
  h = await createPostgresHarness('pgconnector');
  await h.execute(`CREATE SCHEMA sales`);
  await h.execute(`
    CREATE TABLE sales.accounts (
      id bigint PRIMARY KEY,
      name character varying(255) NOT NULL,
      credit numeric(18,4),
      updated_at timestamptz(6) NOT NULL DEFAULT now(),
      note text,
      code text UNIQUE,
      serial_no integer GENERATED ALWAYS AS IDENTITY,
      doubled numeric GENERATED ALWAYS AS (credit * 2) STORED,
      payload jsonb,
      blob bytea,
      born date,
      starts time,
      naive timestamp(6),
      big bigint,
      flag boolean)`);
  await h.execute(`CREATE UNIQUE INDEX accounts_name_note ON sales.accounts (name, note)`);
  await h.execute(
    `CREATE TABLE customers (id integer PRIMARY KEY, name text, credit numeric(18,4), created timestamptz(6), note text)`,
  );
  await h.execute(`CREATE TABLE no_key (id integer, name text)`);
});

afterAll(async () => {
  await h.close();
});

describe('describeTable', () => {
  it('describes columns with native types, kinds, lengths, precision and defaults', async () => {
    const schema = await h.connector.describeTable('sales.accounts', signal);
    const column = (name: string) => schema?.columns.find((c) => c.name === name);
    expect(schema?.table).toBe('sales.accounts');
    expect(column('name')).toEqual({
      name: 'name',
      nativeType: 'character varying(255)',
      kind: 'string',
      nullable: false,
      maxLength: 255,
      hasDefault: false,
    });
    expect(column('credit')).toEqual({
      name: 'credit',
      nativeType: 'numeric(18,4)',
      kind: 'decimal',
      nullable: true,
      precision: 18,
      scale: 4,
      hasDefault: false,
    });
    expect(column('updated_at')).toMatchObject({
      nativeType: 'timestamp(6) with time zone',
      kind: 'timestamptz',
      hasDefault: true,
    });
    expect(column('serial_no')).toMatchObject({ kind: 'integer', hasDefault: true });
    expect(column('doubled')).toMatchObject({ kind: 'decimal', hasDefault: true });
    expect(column('id')).toMatchObject({ nativeType: 'bigint', kind: 'integer', nullable: false });
    expect(['payload', 'blob', 'born', 'starts', 'naive', 'flag'].map((name) => column(name)?.kind)).toEqual([
      'json',
      'binary',
      'date',
      'time',
      'timestamp',
      'boolean',
    ]);
  });

  it('lists the primary key first, then unique indexes', async () => {
    const schema = await h.connector.describeTable('sales.accounts', signal);
    expect(schema?.uniqueKeys).toEqual([['id'], ['code'], ['name', 'note']]);
  });

  it('resolves unqualified names in the configured schema and answers undefined for a missing table', async () => {
    expect((await h.connector.describeTable('customers', signal))?.table).toBe('public.customers');
    expect(await h.connector.describeTable('accounts', signal)).toBeUndefined();
    expect(await h.connector.describeTable('sales.nothing_here', signal)).toBeUndefined();
  });
});

describe('values', () => {
  const source = sourceSpec('sales.accounts', ACCOUNT_COLUMNS);

  it('keeps numeric(18,4) extremes, NULLs, Chinese and emoji text exact through write and read', async () => {
    const target = targetSpec('sales.accounts', ACCOUNT_COLUMNS);
    const rows: (Row & { id: number })[] = [
      {
        id: 1,
        name: '最大',
        credit: '99999999999999.9999',
        updated_at: '2026-01-01T10:00:00.000001+00:00',
        note: null,
      },
      {
        id: 2,
        name: 'smallest',
        credit: '-99999999999999.9999',
        updated_at: '2026-01-01T10:00:00.000002+00:00',
        note: '客户 🚀👩‍💻',
      },
      { id: 3, name: 'tiny', credit: '0.0001', updated_at: '2026-01-01T10:00:00.000003+00:00', note: '' },
      { id: 4, name: 'nothing', credit: null, updated_at: '2026-01-01T10:00:00.000004+00:00', note: null },
    ];
    await h.connector.writeBatch(target, rows.map(upsert), signal);
    // The hand-over from the initial scan re-reads rows at the high-water mark; keep one per key.
    const { changes } = await readAll(h.connector, source, undefined);
    const byKey = new Map(changes.map((change) => [change.key, change.row]));
    expect([...byKey.keys()]).toEqual(['1', '2', '3', '4']);
    expect([...byKey.values()]).toEqual(rows);
  });

  it('reads timestamptz written with any offset as canonical UTC with its microseconds', async () => {
    const target = targetSpec('customers', ['id', 'created']);
    const inputs = [
      '2026-01-01T18:00:00.123456+08:00',
      '2026-01-01T10:00:00.123456Z',
      '2026-01-01T04:30:00.123456-05:30',
      '2026-01-01 10:00:00.1+00',
    ];
    await h.connector.writeBatch(
      target,
      inputs.map((created, index) => upsert({ id: 100 + index, created })),
      signal,
    );
    const rows = await h.query(`SELECT created FROM customers WHERE id >= 100 ORDER BY id`);
    expect(rows.map((row) => row.created)).toEqual([
      '2026-01-01T10:00:00.123456+00:00',
      '2026-01-01T10:00:00.123456+00:00',
      '2026-01-01T10:00:00.123456+00:00',
      '2026-01-01T10:00:00.1+00:00',
    ]);
  });

  it('reads json parsed, bytea as bytes, dates and times as text, int8 beyond 2^53 as a string', async () => {
    await h.execute(
      `INSERT INTO sales.accounts (id, name, payload, blob, born, starts, naive, big, flag)
       VALUES (9007199254740993, 'types', '{"a":[1,"x",null]}', '\\x00ff10', '2026-02-28', '23:59:59.5', '2026-03-01 08:00:00.654321', 42, true)`,
    );
    const spec = sourceSpec('sales.accounts', [
      'id',
      'payload',
      'blob',
      'born',
      'starts',
      'naive',
      'big',
      'flag',
    ]);
    const [change] = await h.connector.readByKeys(spec, ['9007199254740993'], signal);
    expect(change?.key).toBe('9007199254740993');
    expect(change?.row).toMatchObject({
      id: '9007199254740993',
      payload: { a: [1, 'x', null] },
      blob: Buffer.from([0x00, 0xff, 0x10]),
      born: '2026-02-28',
      starts: '23:59:59.5',
      naive: '2026-03-01T08:00:00.654321',
      big: 42,
      flag: true,
    });
  });

  it('stores a value that looks like SQL literally', async () => {
    const target = targetSpec('customers', ['id', 'name']);
    const name = `'); DROP TABLE customers; --`;
    await h.connector.writeBatch(target, [upsert({ id: 200, name })], signal);
    expect(await h.query(`SELECT name FROM customers WHERE id = 200`)).toEqual([{ name }]);
  });
});

describe('identifiers', () => {
  it('rejects an identifier that is not a plain name before any SQL, naming it and the flow', async () => {
    // A connector on a port where nothing listens: any SQL would fail as unreachable instead.
    const config = postgresConnector.configSchema.parse({
      type: 'postgres',
      url: 'postgres://u:pw@127.0.0.1:1/none',
    });
    const offline = postgresConnector.create(config, { name: 'offline', logger: silentLogger });
    const bad = sourceSpec('accounts; drop table x', ['id']);
    try {
      const read = readAll(offline, bad, undefined);
      await expect(read).rejects.toThrow(
        /Flow "test-flow": the source table "accounts; drop table x" is not accepted/,
      );
      await expect(read).rejects.toMatchObject({ code: 'CONFIG_INVALID', flow: 'test-flow' });
      await expect(
        offline.writeBatch(
          targetSpec('customers', ['id', 'na"me']),
          [upsert({ id: 1, 'na"me': 'x' })],
          signal,
        ),
      ).rejects.toThrow(/column of public.customers "na\\"me"/);
      await expect(
        offline.readByKeys(sourceSpec('customers', ['id'], { key: 'id --' }), ['1'], signal),
      ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    } finally {
      await offline.close();
    }
    expect(await h.query(`SELECT to_regclass('public.customers') IS NOT NULL AS exists`)).toEqual([
      { exists: true },
    ]);
  });
});

describe('probe', () => {
  it('reports the server version and latency', async () => {
    const result = await h.connector.probe(signal);
    expect(result).toMatchObject({ ok: true, server: expect.stringMatching(/^PostgreSQL \d+/) as unknown });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('answers ok: false for a down server, naming host:port and hiding the password', async () => {
    const config = postgresConnector.configSchema.parse({
      type: 'postgres',
      url: 'postgres://sync:s3cret-pw@127.0.0.1:1/db',
    });
    const offline = postgresConnector.create(config, { name: 'offline', logger: silentLogger });
    try {
      const result = await offline.probe(signal);
      expect(result.ok).toBe(false);
      expect(result.message).toContain('127.0.0.1:1');
      expect(result.message).not.toContain('s3cret-pw');
    } finally {
      await offline.close();
    }
  });
});

describe('readByKeys and countPending', () => {
  it('reads rows by text keys on an integer key column and leaves missing keys out', async () => {
    await h.execute(`INSERT INTO customers (id, name) VALUES (300, 'a'), (301, 'b')`);
    const changes = await h.connector.readByKeys(
      sourceSpec('customers', ['id', 'name'], { cursor: 'id' }),
      ['301', '300', '999'],
      signal,
    );
    expect(changes.map((change) => [change.key, change.row.name])).toEqual([
      ['300', 'a'],
      ['301', 'b'],
    ]);
  });

  it('counts pending rows with the reader predicate, up to the limit', async () => {
    await h.execute(`CREATE TABLE pending (id integer PRIMARY KEY, v integer NOT NULL)`);
    await h.execute(`INSERT INTO pending SELECT g, g FROM generate_series(1, 50) g`);
    const source = sourceSpec('pending', ['id', 'v'], { cursor: 'v' });
    expect(await h.connector.countPending(source, undefined, 1_000, signal)).toBe(50);
    expect(await h.connector.countPending(source, undefined, 10, signal)).toBe(10);
    expect(
      await h.connector.countPending(source, { phase: 'initial', key: 45, highWater: 50 }, 100, signal),
    ).toBe(5);
    expect(
      await h.connector.countPending(source, { phase: 'incremental', cursor: 40, key: 40 }, 100, signal),
    ).toBe(10);
  });
});
