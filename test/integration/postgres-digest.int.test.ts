import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/core/values.js';
import { neverAborted } from '../conformance/conformance-context.js';
import { digestSpec, expectClaimedRenderings, expectedDigests } from '../conformance/digest-expectations.js';
import { createPostgresHarness, type PostgresHarness } from './harness/postgres-harness.js';

let h: PostgresHarness;

beforeAll(async () => {
  h = await createPostgresHarness('pgdigest');
  await h.execute(`
    CREATE TABLE edges (
      id integer PRIMARY KEY,
      amount numeric,
      naive timestamp(6),
      zoned timestamptz(6),
      day date,
      padded char(5),
      word text,
      code uuid,
      small smallint,
      flag boolean)`);
  await h.execute(`
    INSERT INTO edges VALUES
      (1, 'NaN', 'infinity', 'infinity', 'infinity', 'ab', E'\\u3000yes\\t', '6f1c4a8e-8f2e-4d7a-9c1b-2a3b4c5d6e7f', 1, true),
      (2, 'Infinity', '-infinity', '-infinity', '-infinity', 'abcde', E'\\u00a0NO\\u2028', NULL, 0, false),
      (3, '-Infinity', '0044-03-15 10:00:00 BC', '0044-03-15 10:00:00+00 BC', '0044-03-15 BC', '  x', 'On', NULL, 2, NULL),
      (4, '-0.000', '10000-01-01 00:00:00.5', '10000-01-01 00:00:00+00', '10000-01-01', NULL, 'maybe', NULL, -1, true),
      (5, '123456789012345678901234567890.1234567890', '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '0001-01-01', '客户', E'\\tf', NULL, NULL, false),
      (6, '1e-20', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00', '9999-12-31', '', ' 1 ', NULL, 32767, true),
      (7, '1', '2026-03-08 02:30:00', '2026-03-08 07:30:00.000001+00', '2024-02-29', 'é', '', NULL, -32768, NULL),
      (8, '0', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
});

afterAll(async () => {
  await h.close();
});

async function readAllRows(): Promise<Row[]> {
  const spec = digestSpec([], {
    table: 'edges',
    read: ['id', 'amount', 'naive', 'zoned', 'day', 'padded', 'word', 'code', 'small', 'flag'],
  });
  const rows = await h.connector.digests.readBuckets(spec, { width: 2 ** 32, buckets: [0] }, neverAborted);
  expect(rows).toHaveLength(8);
  return rows;
}

describe('PostgreSQL reconcile digests at the edges of its types', () => {
  it('renders NaN, infinities, BC and five-digit years, char(n) padding and Unicode whitespace as canonicalText does', async () => {
    const rows = await readAllRows();
    expect(rows.find((row) => row.id === 1)?.padded).toBe('ab   ');
    const checked = await expectClaimedRenderings(h.connector, 'edges', 'id', rows);
    expect(checked).toEqual(
      expect.arrayContaining([
        'amount as number',
        'naive as instant',
        'zoned as wall',
        'day as date',
        'padded as text',
        'word as boolean',
        'code as text',
        'small as boolean',
      ]),
    );
  });

  it('trims and reads flags exactly as JS does, whitespace beyond spaces included', async () => {
    const rows = await readAllRows();
    const spec = digestSpec(
      [
        { type: 'trim', column: 'word' },
        { type: 'trim', column: 'padded' },
        { type: 'flag', column: 'word' },
        { type: 'flag', column: 'amount' },
        { type: 'map', column: 'padded', entries: [['ab   ', 'AB']], otherwise: null, ifNull: '-' },
      ],
      { table: 'edges', read: ['id'], excludeFlagged: 'word' },
    );
    const actual = await h.connector.digests.digestBuckets(spec, { width: 1 }, neverAborted);
    expect(actual).toEqual(expectedDigests(rows, spec, { width: 1 }, undefined));
    expect(actual.reduce((sum, bucket) => sum + bucket.rows, 0)).toBe(5);
  });

  it('refuses identifiers that are not plain names before any SQL runs', async () => {
    const spec = digestSpec([{ type: 'column', column: 'id"; DROP TABLE edges; --', as: 'text' }], {
      table: 'edges',
    });
    await expect(h.connector.digests.digestBuckets(spec, { width: 1 }, neverAborted)).rejects.toThrow(
      /is not accepted/,
    );
    await expect(
      h.connector.digests.digestBuckets(digestSpec([], { table: 'edges' }), { width: 3 }, neverAborted),
    ).rejects.toThrow(/no bucket width/);
  });
});
