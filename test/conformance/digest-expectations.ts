import type { ColumnInfo, Connector, SourceSpec } from '../../src/core/connector.js';
import { expect } from 'vitest';
import {
  CompareKinds,
  isFlagSet,
  keyHash,
  rowHash,
  type BucketDigest,
  type BucketLevel,
  type DigestExpr,
  type DigestSpec,
  type DigestSupport,
} from '../../src/core/digest.js';
import { digestTexts } from '../../src/core/digest-render.js';
import { valueText, type Row } from '../../src/core/values.js';
import { neverAborted } from './conformance-context.js';
import { CONFORMANCE_FLOW } from './conformance-specs.js';

/** The table of the digest cases. */
export const TABLE = 'cf_digest';

/** What a case needs: the connector's digests and its table, created once for the group. */
export interface DigestFixture {
  readonly connector: Connector;
  readonly digests: DigestSupport;
  readonly columns: readonly ColumnInfo[];
  /** Every row of the table as the connector reads it (readByKeys), by key text. */
  readonly rows: ReadonlyMap<string, Row>;
  /** Every (column, compare kind) the connector claims to render exactly. */
  readonly claimed: readonly Extract<DigestExpr, { type: 'column' }>[];
}

/** The bucket of a row at a width: its key hash divided by the width. */
export function bucketOf(row: Row, key: string, width: number): number {
  return Math.floor(keyHash(valueText(row[key])) / width);
}

/** The bucket digests of core/digest.ts, computed in JS from canonical rows. */
export function expectedDigests(
  rows: Iterable<Row>,
  spec: DigestSpec,
  level: BucketLevel,
  zone: string | undefined,
): BucketDigest[] {
  const buckets = new Map<number, { rows: number; sum: bigint }>();
  for (const row of rows) {
    if (spec.excludeFlagged !== undefined && isFlagSet(row[spec.excludeFlagged])) continue;
    const within = level.within;
    if (within !== undefined && !within.buckets.includes(bucketOf(row, spec.key, within.width))) continue;
    const bucket = bucketOf(row, spec.key, level.width);
    const digest = buckets.get(bucket) ?? { rows: 0, sum: 0n };
    digest.rows += 1;
    digest.sum += rowHash(digestTexts(row, spec.columns, zone));
    buckets.set(bucket, digest);
  }
  return [...buckets]
    .sort(([a], [b]) => a - b)
    .map(([bucket, digest]) => ({ bucket, rows: digest.rows, sum: digest.sum.toString() }));
}

/** A digest spec over the digest table (key `id`), with overrides. */
export function digestSpec(columns: readonly DigestExpr[], overrides: Partial<DigestSpec> = {}): DigestSpec {
  return { flow: CONFORMANCE_FLOW, table: TABLE, key: 'id', columns, read: ['id', 'code'], ...overrides };
}

/** A source spec to read a table with `readByKeys` (the key doubles as cursor). */
export function sourceSpec(table: string, key: string, columns: readonly string[]): SourceSpec {
  return {
    flow: CONFORMANCE_FLOW,
    table,
    key,
    cursor: key,
    deleted: undefined,
    columns,
    batchSize: 1_000,
    lookback: 0,
  };
}

/** Names the first row whose hash differs, so a failure says which value renders wrongly. */
export function firstDifference(
  rows: Iterable<Row>,
  spec: DigestSpec,
  zone: string | undefined,
  actual: readonly BucketDigest[],
  expected: readonly BucketDigest[],
): string {
  const wanted = new Map(expected.map((digest) => [digest.bucket, digest]));
  const wrong = actual.find((digest) => wanted.get(digest.bucket)?.sum !== digest.sum) ?? expected[0];
  const row = [...rows].find((each) => bucketOf(each, spec.key, 1) === wrong?.bucket);
  if (row === undefined) return 'no row identified';
  const values = spec.columns.map((expr) => ('column' in expr ? row[expr.column] : null));
  const texts = digestTexts(row, spec.columns, zone);
  return `row ${valueText(row[spec.key])}: values ${JSON.stringify(values)} should render as ${JSON.stringify(texts)}`;
}

/**
 * Asserts that every (column, compare kind) the connector claims for a table renders, row by row
 * (width 1: a bucket per key hash), as core/digest.ts does on `rows` (read by the connector).
 * Returns the pairs checked.
 */
export async function expectClaimedRenderings(
  connector: Connector,
  table: string,
  key: string,
  rows: readonly Row[],
): Promise<string[]> {
  const digests = connector.digests;
  const schema = await connector.describeTable(table, neverAborted);
  if (digests === undefined || schema === undefined) throw new Error(`no digests or no table ${table}`);
  const checked: string[] = [];
  for (const info of schema.columns) {
    for (const as of CompareKinds.filter((kind) => digests.canRender(info, kind))) {
      const spec = digestSpec([{ type: 'column', column: info.name, as }], { table, key, read: [key] });
      const actual = await digests.digestBuckets(spec, { width: 1 }, neverAborted);
      const expected = expectedDigests(rows, spec, { width: 1 }, connector.wallClockZone);
      const difference = firstDifference(rows, spec, connector.wallClockZone, actual, expected);
      expect(actual, `${info.name} (${info.nativeType}) as ${as}: ${difference}`).toEqual(expected);
      checked.push(`${info.name} as ${as}`);
    }
  }
  return checked;
}
