import { describe, expect, it, type TestContext } from 'vitest';
import type { ColumnInfo } from '../../src/core/connector.js';
import {
  CompareKinds,
  isFlagSet,
  type BucketLevel,
  type BucketSet,
  type DigestExpr,
} from '../../src/core/digest.js';
import { valueText, type Row } from '../../src/core/values.js';
import { neverAborted, prepareTable, type ConformanceContext } from './conformance-context.js';
import {
  bucketOf,
  digestSpec,
  expectedDigests,
  expectClaimedRenderings,
  firstDifference,
  sourceSpec,
  TABLE,
  type DigestFixture,
} from './digest-expectations.js';
import { DIGEST_COLUMNS, digestRows, TEXT_KEY_COLUMNS, TEXT_KEY_ROWS } from './digest-samples.js';

const ROWS = 240;
const KEY_TABLE = 'cf_digest_keys';
const WIDTHS = [1, 2 ** 24, 2 ** 28, 2 ** 31, 2 ** 32];

/** Describes the digest cases; each is skipped when the connector has no `digests`. */
export function describeDigestConformance(context: ConformanceContext): void {
  describe('reconcile digests', () => {
    let fixture: Promise<DigestFixture> | undefined;

    const setUp = (test: TestContext): Promise<DigestFixture> => {
      const harness = context.harness();
      const digests = harness.connector.digests;
      test.skip(digests === undefined, 'the connector computes no reconcile digests');
      if (digests === undefined) throw new Error('unreachable');
      fixture ??= (async () => {
        const table = await prepareTable(test, context, TABLE, DIGEST_COLUMNS, 'id', 'object and fields');
        await harness.seed(table, digestRows(ROWS));
        const keyTable = await prepareTable(
          test,
          context,
          KEY_TABLE,
          TEXT_KEY_COLUMNS,
          'k',
          'object and fields',
        );
        await harness.seed(keyTable, TEXT_KEY_ROWS);
        const schema = await harness.connector.describeTable(TABLE, neverAborted);
        const columns = schema?.columns ?? [];
        const names = DIGEST_COLUMNS.map((column) => column.name);
        const keys = Array.from({ length: ROWS }, (_, index) => String(index + 1));
        const changes = await harness.connector.readByKeys(
          sourceSpec(TABLE, 'id', names),
          keys,
          neverAborted,
        );
        const claimed = columns.flatMap((info) =>
          CompareKinds.filter((as) => digests.canRender(info, as)).map((as) => ({
            type: 'column' as const,
            column: info.name,
            as,
          })),
        );
        return {
          connector: harness.connector,
          digests,
          columns,
          rows: new Map(changes.map((change) => [change.key, change.row])),
          claimed,
        };
      })();
      return fixture;
    };

    it('claims text for strings and integers, and number for decimals', async (test) => {
      const { columns, digests } = await setUp(test);
      const claims = (name: string, as: (typeof CompareKinds)[number]): boolean =>
        digests.canRender(columns.find((column) => column.name === name) as ColumnInfo, as);
      expect(claims('code', 'text')).toBe(true);
      expect(claims('id', 'text')).toBe(true);
      expect(claims('amount', 'number')).toBe(true);
      expect(claims('qty', 'number')).toBe(true);
    });

    it('renders every column and compare kind it claims as canonicalText does, row by row', async (test) => {
      const fixture = await setUp(test);
      expect(fixture.rows.size).toBe(ROWS);
      const checked = await expectClaimedRenderings(fixture.connector, TABLE, 'id', [
        ...fixture.rows.values(),
      ]);
      expect(checked).toHaveLength(fixture.claimed.length);
    });

    it('sums every claimed column per bucket at several widths, within coarser buckets and without flagged rows', async (test) => {
      const fixture = await setUp(test);
      const levels: BucketLevel[] = [
        ...WIDTHS.map((width) => ({ width })),
        { width: 2 ** 26, within: { width: 2 ** 30, buckets: [0, 2] } },
        { width: 1, within: { width: 2 ** 28, buckets: [3, 7, 15] } },
        { width: 2 ** 30, within: { width: 2 ** 31, buckets: [] } },
      ];
      for (const excludeFlagged of [undefined, 'is_deleted', 'flag_text']) {
        const spec = digestSpec(fixture.claimed, excludeFlagged === undefined ? {} : { excludeFlagged });
        for (const level of levels) {
          const actual = await fixture.digests.digestBuckets(spec, level, neverAborted);
          const expected = expectedDigests(
            fixture.rows.values(),
            spec,
            level,
            fixture.connector.wallClockZone,
          );
          expect(
            actual,
            `width ${level.width}, within ${JSON.stringify(level.within)}, excluding ${String(excludeFlagged)}`,
          ).toEqual(expected);
        }
      }
    });

    it('renders literal, trim, map, coalesce and flag expressions', async (test) => {
      const fixture = await setUp(test);
      const exprs: DigestExpr[] = [
        { type: 'literal', text: 'constant 常量' },
        { type: 'literal', text: null },
        { type: 'trim', column: 'name' },
        { type: 'trim', column: 'qty' },
        {
          type: 'map',
          column: 'flag_text',
          entries: [
            ['yes', 'Y'],
            [' Yes ', 'Y2'],
            ['TRUE', null],
            ['1', '一'],
          ],
          otherwise: 'other',
          ifNull: 'none',
        },
        { type: 'map', column: 'qty', entries: [['42', 'answer']], otherwise: null, ifNull: 'null qty' },
        { type: 'coalesce', of: { type: 'column', column: 'code', as: 'text' }, fallback: '—' },
        { type: 'coalesce', of: { type: 'literal', text: null }, fallback: 'fallback' },
        { type: 'flag', column: 'active' },
        { type: 'flag', column: 'flag_text' },
        { type: 'flag', column: 'qty' },
      ];
      for (const spec of [
        digestSpec(exprs),
        digestSpec([]),
        digestSpec(exprs, { excludeFlagged: 'active' }),
      ]) {
        for (const level of [{ width: 1 }, { width: 2 ** 29 }]) {
          const actual = await fixture.digests.digestBuckets(spec, level, neverAborted);
          const expected = expectedDigests(
            fixture.rows.values(),
            spec,
            level,
            fixture.connector.wallClockZone,
          );
          const zone = fixture.connector.wallClockZone;
          const difference = firstDifference(fixture.rows.values(), spec, zone, actual, expected);
          expect(actual, difference).toEqual(expected);
        }
      }
    });

    it('hashes text keys by their own text', async (test) => {
      const fixture = await setUp(test);
      const read = await fixture.connector.readByKeys(
        sourceSpec(KEY_TABLE, 'k', ['k', 'v']),
        TEXT_KEY_ROWS.map((row) => valueText(row.k)),
        neverAborted,
      );
      expect(read).toHaveLength(TEXT_KEY_ROWS.length);
      const spec = digestSpec([{ type: 'column', column: 'v', as: 'text' }], {
        table: KEY_TABLE,
        key: 'k',
        read: ['k', 'v'],
      });
      for (const width of [1, 2 ** 30]) {
        const actual = await fixture.digests.digestBuckets(spec, { width }, neverAborted);
        expect(actual).toEqual(
          expectedDigests(
            read.map((change) => change.row),
            spec,
            { width },
            undefined,
          ),
        );
      }
      const set: BucketSet = { width: 2 ** 30, buckets: [1, 3] };
      const rows = await fixture.digests.readBuckets(spec, set, neverAborted);
      const wanted = read.filter((change) => set.buckets.includes(bucketOf(change.row, 'k', set.width)));
      expect(rows.map((row) => row.k).sort()).toEqual(wanted.map((change) => change.row.k).sort());
    });

    it('readBuckets returns exactly the rows of the requested buckets, in canonical form', async (test) => {
      const fixture = await setUp(test);
      const read = ['id', 'amount', 'seen_at', 'local_at', 'birthday', 'payload', 'is_deleted'];
      for (const [set, excludeFlagged] of [
        [{ width: 2 ** 28, buckets: [0, 5, 9, 15] }, undefined],
        [{ width: 2 ** 28, buckets: [1, 2, 3, 4, 6] }, 'is_deleted'],
        [{ width: 2 ** 32, buckets: [0] }, undefined],
        [{ width: 2 ** 30, buckets: [] }, undefined],
      ] as const) {
        const spec = digestSpec([], { read, ...(excludeFlagged === undefined ? {} : { excludeFlagged }) });
        const rows = await fixture.digests.readBuckets(spec, set, neverAborted);
        const expected = [...fixture.rows.values()]
          .filter((row) => (set.buckets as readonly number[]).includes(bucketOf(row, 'id', set.width)))
          .filter((row) => excludeFlagged === undefined || !isFlagSet(row[excludeFlagged]))
          .map((row): Row => Object.fromEntries(read.map((column) => [column, row[column] ?? null])));
        const byId = (a: Row, b: Row): number => Number(a.id) - Number(b.id);
        expect([...rows].sort(byId)).toEqual(expected.sort(byId));
      }
    });

    it('scan returns every row once, a page at a time, with the read columns only', async (test) => {
      const fixture = await setUp(test);
      for (const excludeFlagged of [undefined, 'is_deleted']) {
        const spec = digestSpec([], {
          read: ['code', 'qty'],
          ...(excludeFlagged === undefined ? {} : { excludeFlagged }),
        });
        const seen: Row[] = [];
        for await (const page of fixture.digests.scan(spec, 17, neverAborted)) {
          expect(page.length).toBeLessThanOrEqual(17);
          seen.push(...page);
        }
        const expected = [...fixture.rows.values()].filter(
          (row) => excludeFlagged === undefined || !isFlagSet(row[excludeFlagged]),
        );
        expect(seen).toHaveLength(expected.length);
        const project = (row: Row): string => JSON.stringify([row.code, row.qty]);
        expect(seen.map(project).sort()).toEqual(expected.map(project).sort());
        expect(Object.keys(seen[0] ?? {}).sort()).toEqual(['code', 'qty']);
      }
      const keys: Row[] = [];
      for await (const page of fixture.digests.scan(
        digestSpec([], { table: KEY_TABLE, key: 'k', read: ['k'] }),
        5,
        neverAborted,
      )) {
        keys.push(...page);
      }
      expect(keys.map((row) => row.k).sort()).toEqual(TEXT_KEY_ROWS.map((row) => row.k).sort());
    });

    it('refuses a column it cannot render, before running anything', async (test) => {
      const fixture = await setUp(test);
      const unclaimed = fixture.columns
        .flatMap((info) =>
          CompareKinds.filter((as) => !fixture.digests.canRender(info, as)).map((as) => ({ info, as })),
        )
        .at(0);
      test.skip(unclaimed === undefined, 'the connector renders every column under every compare kind');
      if (unclaimed === undefined) return;
      const spec = digestSpec([{ type: 'column', column: unclaimed.info.name, as: unclaimed.as }]);
      await expect(fixture.digests.digestBuckets(spec, { width: 1 }, neverAborted)).rejects.toThrow(
        unclaimed.info.name,
      );
    });
  });
}
