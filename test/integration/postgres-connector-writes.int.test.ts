import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetRecord } from '../../src/core/connector.js';
import type { Row } from '../../src/core/values.js';
import { createPostgresHarness, type PostgresHarness } from './harness/postgres-harness.js';
import { liveSignal, targetSpec, upsert } from './harness/postgres-specs.js';

let h: PostgresHarness;
const signal = liveSignal();

const WIDE_COLUMNS = [
  'id',
  'name',
  'credit',
  'created',
  'naive',
  'born',
  'flag',
  'payload',
  'blob',
  'tags',
  'note',
];
const WIDE_DDL = `(id integer PRIMARY KEY, name varchar(255) NOT NULL, credit numeric(18,4), created timestamptz(6),
  naive timestamp(6), born date, flag boolean, payload jsonb, blob bytea, tags text[], note text DEFAULT 'kept')`;

beforeAll(async () => {
  h = await createPostgresHarness('pgwrites');
  await h.execute(`CREATE TABLE via_insert ${WIDE_DDL}`);
  await h.execute(`CREATE TABLE via_copy ${WIDE_DDL}`);
  await h.execute(
    `CREATE TABLE contacts (id integer PRIMARY KEY, name text NOT NULL, email text UNIQUE, phone varchar(8), visits integer DEFAULT 0)`,
  );
  await h.execute(`CREATE TABLE keyless (id integer, name text)`);
});

afterAll(async () => {
  await h.close();
});

/** Values that stress COPY's text format and the casts of both paths. */
function wideRecord(id: number): TargetRecord {
  const tricky = [
    'tab\there',
    'line\nbreak',
    'cr\rlf\r\n',
    'back\\slash',
    '\\N',
    'quote " and \' ',
    '客户 🚀',
    '',
    'end\\',
  ];
  const values: Row & { id: number } = {
    id,
    name: `${tricky[id % tricky.length] ?? ''} #${id}`,
    credit: id % 7 === 0 ? null : id % 2 === 0 ? '99999999999999.9999' : `-${id}.0001`,
    created: `2026-01-0${(id % 9) + 1}T0${id % 10}:00:00.${String(id).padStart(6, '0')}+0${id % 10}:00`,
    naive: '2026-03-01T08:00:00.654321',
    born: '2000-02-29',
    flag: id % 3 === 0 ? null : id % 3 === 1,
    payload: id % 5 === 0 ? null : { id, text: 'tab\tnewline\n\\ "quoted"', list: [1, '二', null] },
    blob: id % 4 === 0 ? null : Buffer.from([0, 9, 10, 13, 92, id % 256]),
    tags: id % 6 === 0 ? null : ['a', 'b c', 'd"e', null],
  };
  return upsert(values);
}

describe('writeBatch', () => {
  it('writes the same rows through COPY as through multi-row INSERT', async () => {
    const records = Array.from({ length: 600 }, (_, index) => wideRecord(index + 1));
    const viaInsert = h.createConnector({ copyThreshold: Number.POSITIVE_INFINITY });
    const viaCopy = h.createConnector({ copyThreshold: 100 });
    const inserted = await viaInsert.writeBatch(targetSpec('via_insert', WIDE_COLUMNS), records, signal);
    const copied = await viaCopy.writeBatch(targetSpec('via_copy', WIDE_COLUMNS), records, signal);
    expect(inserted).toEqual({ written: 600 });
    expect(copied).toEqual({ written: 600 });
    const fromInsert = await h.selectAll('via_insert', 'id');
    expect(await h.selectAll('via_copy', 'id')).toEqual(fromInsert);
    expect(fromInsert[0]).toMatchObject({
      id: 1,
      name: 'line\nbreak #1',
      credit: '-1.0001',
      note: 'kept',
      tags: ['a', 'b c', 'd"e', null],
    });

    // Updates too: the second pass changes every row through ON CONFLICT … DO UPDATE.
    const changed = records.map((record) =>
      upsert({ ...record.values, id: record.key, name: `changed\t${record.key}`, credit: '0.0001' }),
    );
    await viaInsert.writeBatch(targetSpec('via_insert', WIDE_COLUMNS), changed, signal);
    await viaCopy.writeBatch(targetSpec('via_copy', WIDE_COLUMNS), changed, signal);
    expect(await h.selectAll('via_copy', 'id')).toEqual(await h.selectAll('via_insert', 'id'));
  });

  it('chunks multi-row INSERTs under the limit of 65,535 parameters', async () => {
    const viaInsert = h.createConnector({ copyThreshold: Number.POSITIVE_INFINITY });
    const records = Array.from({ length: 7_000 }, (_, index) => wideRecord(10_000 + index));
    expect(await viaInsert.writeBatch(targetSpec('via_insert', WIDE_COLUMNS), records, signal)).toEqual({
      written: 7_000,
    });
    expect(await h.query(`SELECT count(*)::int AS n FROM via_insert WHERE id >= 10000`)).toEqual([
      { n: 7_000 },
    ]);
  });

  it('leaves columns a record does not carry untouched', async () => {
    const target = targetSpec('contacts', ['id', 'name', 'email', 'visits']);
    await h.connector.writeBatch(
      target,
      [upsert({ id: 1, name: 'Ann', email: 'ann@example.com', visits: 5 })],
      signal,
    );
    await h.connector.writeBatch(
      target,
      [upsert({ id: 1, name: 'Ann Lee' }), upsert({ id: 2, name: 'Bob' })],
      signal,
    );
    expect(await h.query(`SELECT id, name, email, visits FROM contacts ORDER BY id`)).toEqual([
      { id: 1, name: 'Ann Lee', email: 'ann@example.com', visits: 5 },
      { id: 2, name: 'Bob', email: null, visits: 0 },
    ]);
  });

  it('updates existing rows from records that omit a NOT NULL column, refusing only new rows without it', async () => {
    await h.execute(`INSERT INTO contacts (id, name) VALUES (50, 'Jo')`);
    const target = targetSpec('contacts', ['id', 'email']);
    expect(
      await h.connector.writeBatch(target, [upsert({ id: 50, email: 'jo@example.com' })], signal),
    ).toEqual({ written: 1 });
    expect(await h.query(`SELECT name, email FROM contacts WHERE id = 50`)).toEqual([
      { name: 'Jo', email: 'jo@example.com' },
    ]);
    const write = h.connector.writeBatch(
      target,
      [upsert({ id: 50, email: 'jo2@example.com' }), upsert({ id: 51, email: 'new@example.com' })],
      signal,
    );
    await expect(write).rejects.toMatchObject({
      code: 'CONNECTOR_CONSTRAINT_VIOLATION',
      message: expect.stringContaining('"name"') as unknown,
    });
    expect(await h.query(`SELECT email FROM contacts WHERE id IN (50, 51)`)).toEqual([
      { email: 'jo@example.com' },
    ]);
  });

  it('applies several records of one key in batch order', async () => {
    const target = targetSpec('contacts', ['id', 'name', 'email']);
    const records: TargetRecord[] = [
      upsert({ id: 3, name: 'Cy' }),
      upsert({ id: 3, email: 'cy@example.com' }),
      { key: '4', op: 'delete', values: { id: 4 } },
      upsert({ id: 4, name: 'Di' }),
      upsert({ id: 5, name: 'Ed' }),
      { key: '5', op: 'delete', values: { id: 5 } },
    ];
    await h.connector.writeBatch(target, records, signal);
    expect(
      await h.query(`SELECT id, name, email FROM contacts WHERE id BETWEEN 3 AND 5 ORDER BY id`),
    ).toEqual([
      { id: 3, name: 'Cy', email: 'cy@example.com' },
      { id: 4, name: 'Di', email: null },
    ]);
  });

  it('deletes by key with a hard delete and counts what it wrote', async () => {
    const target = targetSpec('contacts', ['id', 'name']);
    await h.connector.writeBatch(
      target,
      [upsert({ id: 20, name: 'x' }), upsert({ id: 21, name: 'y' })],
      signal,
    );
    const deletes: TargetRecord[] = ['20', '21', '22'].map((key) => ({
      key,
      op: 'delete',
      values: { id: key },
    }));
    expect(await h.connector.writeBatch(target, deletes, signal)).toEqual({ written: 2 });
    expect(await h.query(`SELECT id FROM contacts WHERE id BETWEEN 20 AND 22`)).toEqual([]);
  });

  it('refuses a target key without a unique index, naming table and column', async () => {
    const write = h.connector.writeBatch(
      targetSpec('keyless', ['id', 'name']),
      [upsert({ id: 1, name: 'a' })],
      signal,
    );
    await expect(write).rejects.toMatchObject({
      code: 'CONNECTOR_NO_UNIQUE_KEY',
      retryable: false,
      flow: 'test-flow',
    });
    await expect(write).rejects.toThrow(/"id" of public\.keyless/);
  });

  it('names a missing table or column before writing', async () => {
    await expect(
      h.connector.writeBatch(targetSpec('nowhere', ['id']), [upsert({ id: 1 })], signal),
    ).rejects.toMatchObject({
      code: 'CONNECTOR_TABLE_NOT_FOUND',
      message: expect.stringContaining('public.nowhere') as unknown,
    });
    const write = h.connector.writeBatch(
      targetSpec('contacts', ['id', 'nickname']),
      [upsert({ id: 1, nickname: 'A' })],
      signal,
    );
    await expect(write).rejects.toMatchObject({
      code: 'CONNECTOR_COLUMN_NOT_FOUND',
      message: expect.stringContaining('"nickname"') as unknown,
    });
  });

  it('rolls back the whole batch on a bad record and names the table and the key PostgreSQL reports', async () => {
    const target = targetSpec('contacts', ['id', 'name', 'email']);
    await h.connector.writeBatch(target, [upsert({ id: 30, name: 'Fay', email: 'fay@example.com' })], signal);
    const batch = [
      upsert({ id: 31, name: 'Gus', email: 'gus@example.com' }),
      upsert({ id: 32, name: 'Hal', email: 'fay@example.com' }),
    ];
    const write = h.connector.writeBatch(target, batch, signal);
    await expect(write).rejects.toMatchObject({ code: 'CONNECTOR_CONSTRAINT_VIOLATION', retryable: false });
    await expect(write).rejects.toThrow(
      /public\.contacts.*Key \(email\)=\(fay@example\.com\) already exists/,
    );
    expect(await h.query(`SELECT id FROM contacts WHERE id IN (31, 32)`)).toEqual([]);
  });

  it('names the record a rejected value belongs to, on the INSERT and the COPY path', async () => {
    const target = targetSpec('contacts', ['id', 'name', 'phone']);
    const single = h.connector.writeBatch(
      target,
      [upsert({ id: 40, name: 'Ivy', phone: '0123456789' })],
      signal,
    );
    await expect(single).rejects.toMatchObject({
      code: 'CONNECTOR_VALUE_REJECTED',
      retryable: false,
      key: '40',
    });
    await expect(single).rejects.toThrow(/public\.contacts.*too long/);

    const viaCopy = h.createConnector({ copyThreshold: 2 });
    const records = [41, 42, 43, 44].map((id) =>
      upsert({ id, name: `n${id}`, phone: id === 43 ? '0123456789' : '0123' }),
    );
    await expect(viaCopy.writeBatch(target, records, signal)).rejects.toMatchObject({
      code: 'CONNECTOR_VALUE_REJECTED',
      key: '43',
    });
    const nullName = viaCopy.writeBatch(
      target,
      [41, 42, 43].map((id) => upsert({ id, name: id === 42 ? null : 'x' })),
      signal,
    );
    await expect(nullName).rejects.toMatchObject({
      code: 'CONNECTOR_CONSTRAINT_VIOLATION',
      message: expect.stringContaining('"name"') as unknown,
    });
    expect(await h.query(`SELECT id FROM contacts WHERE id BETWEEN 40 AND 44`)).toEqual([]);
  });
});
