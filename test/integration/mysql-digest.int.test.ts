import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/core/connector.js';
import type { Row } from '../../src/core/values.js';
import { neverAborted } from '../conformance/conformance-context.js';
import { digestSpec, expectClaimedRenderings, expectedDigests } from '../conformance/digest-expectations.js';
import { createMysqlHarness, type MysqlHarness } from './harness/mysql-harness.js';

let h: MysqlHarness;
const READ = ['id', 'local_at', 'seen_at', 'day', 'amount', 'whole', 'flag', 'bit_flag', 'yr', 'name'];

beforeAll(async () => {
  h = await createMysqlHarness({ label: 'mysqldigest' });
  await h.execute(`
    CREATE TABLE edges (
      id INT PRIMARY KEY,
      local_at DATETIME(6) NULL,
      seen_at TIMESTAMP(6) NULL,
      day DATE NULL,
      amount DECIMAL(18,4) NULL,
      whole DECIMAL(5,0) NULL,
      flag TINYINT(1) NULL,
      bit_flag BIT(1) NULL,
      yr YEAR NULL,
      name VARCHAR(20) CHARACTER SET latin1 NULL) ENGINE=InnoDB`);
  await h.execute(`INSERT INTO edges VALUES
    (1, '1960-01-01 00:00:00.000001', '1970-01-01 00:00:01', '1000-01-01', -0.0000, 1, 2, b'1', 2024, 'café'),
    (2, '2050-06-30 23:59:59.999999', '2038-01-19 03:14:07.999999', '9999-12-31', 12.5000, 0, 0, b'0', 1901, 'Ünï '),
    (3, '2026-03-08 02:30:00', '2026-11-11 00:00:00.5', '2024-02-29', 99999999999999.9999, 2, -1, NULL, NULL, ' yes '),
    (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
  // Values strict mode refuses but older data may hold: zero dates and days past the month's end.
  await h.execute(`SET SESSION sql_mode = 'ALLOW_INVALID_DATES'`);
  await h.execute(`INSERT INTO edges (id, local_at, seen_at, day) VALUES
    (5, '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00'),
    (6, '2026-02-31 10:00:00', NULL, '2026-02-31'),
    (7, '2026-00-15 10:00:00', NULL, '2026-04-00')`);
});

afterAll(async () => {
  await h.close();
});

async function readAllRows(zone: string): Promise<Row[]> {
  const connector = h.createConnector({ timezone: zone });
  const spec = digestSpec([], { table: 'edges', read: READ });
  const rows = await connector.digests.readBuckets(spec, { width: 2 ** 32, buckets: [0] }, neverAborted);
  expect(rows).toHaveLength(7);
  return rows;
}

describe('MySQL reconcile digests at the edges of its types', () => {
  it.each(['+08:00', '-05:30', '+00:00'])(
    'renders DATETIME as an instant in the fixed zone %s, beyond TIMESTAMP range and zero dates included',
    async (zone) => {
      const connector = h.createConnector({ timezone: zone });
      expect(connector.wallClockZone).toBe(zone);
      const checked = await expectClaimedRenderings(connector, 'edges', 'id', await readAllRows(zone));
      expect(checked).toEqual(
        expect.arrayContaining([
          'local_at as instant',
          'local_at as wall',
          'seen_at as instant',
          'day as date',
          'amount as number',
          'whole as boolean',
          'flag as boolean',
          'bit_flag as text',
          'name as text',
        ]),
      );
      expect(checked).not.toContain('yr as text');
    },
  );

  it('does not claim DATETIME as an instant in a named zone, nor text as boolean', async () => {
    const connector = h.createConnector({ timezone: 'Asia/Shanghai' });
    const schema = await connector.describeTable('edges', neverAborted);
    const column = (name: string): ColumnInfo =>
      schema?.columns.find((info) => info.name === name) as ColumnInfo;
    expect(connector.digests.canRender(column('local_at'), 'instant')).toBe(false);
    expect(connector.digests.canRender(column('local_at'), 'wall')).toBe(true);
    expect(connector.digests.canRender(column('seen_at'), 'instant')).toBe(true);
    expect(connector.digests.canRender(column('name'), 'boolean')).toBe(false);
  });

  it('hashes latin1 text as UTF-8 and compares map entries byte for byte', async () => {
    const rows = await readAllRows('+00:00');
    const spec = digestSpec(
      [
        { type: 'trim', column: 'name' },
        { type: 'flag', column: 'name' },
        { type: 'flag', column: 'flag' },
        { type: 'flag', column: 'whole' },
        {
          type: 'map',
          column: 'name',
          entries: [
            ['CAFÉ', 'upper'],
            ['café', 'lower'],
          ],
          otherwise: '?',
          ifNull: '-',
        },
      ],
      { table: 'edges', read: ['id'], excludeFlagged: 'bit_flag' },
    );
    const actual = await h.connector.digests.digestBuckets(spec, { width: 1 }, neverAborted);
    expect(actual).toEqual(expectedDigests(rows, spec, { width: 1 }, '+00:00'));
  });
});
