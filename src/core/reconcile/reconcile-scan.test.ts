import { describe, expect, it } from 'vitest';
import {
  keyHash,
  rowHash,
  type BucketDigest,
  type BucketLevel,
  type BucketSet,
  type DigestSpec,
  type DigestSupport,
} from '../digest.js';
import { valueText, type Row } from '../values.js';
import { chunkBuckets, emptyTransfer, findDifferingBuckets, type DigestSide } from './reconcile-scan.js';

/** A table in memory whose digests are computed by the reference functions of digest.ts. */
class MemoryTable implements DigestSupport {
  readonly rows = new Map<string, string>();
  queries = 0;

  canRender(): boolean {
    return true;
  }

  #inside(key: string, set: BucketSet | undefined): boolean {
    return set === undefined || set.buckets.includes(Math.floor(keyHash(key) / set.width));
  }

  digestBuckets(_spec: DigestSpec, level: BucketLevel): Promise<BucketDigest[]> {
    this.queries += 1;
    const buckets = new Map<number, { rows: number; sum: bigint }>();
    for (const [key, value] of this.rows) {
      if (!this.#inside(key, level.within)) continue;
      const bucket = Math.floor(keyHash(key) / level.width);
      const entry = buckets.get(bucket) ?? { rows: 0, sum: 0n };
      entry.rows += 1;
      entry.sum += rowHash([key, value]);
      buckets.set(bucket, entry);
    }
    return Promise.resolve(
      [...buckets].map(([bucket, entry]) => ({ bucket, rows: entry.rows, sum: entry.sum.toString() })),
    );
  }

  readBuckets(_spec: DigestSpec, set: BucketSet): Promise<Row[]> {
    return Promise.resolve(
      [...this.rows].filter(([key]) => this.#inside(key, set)).map(([key, value]) => ({ id: key, value })),
    );
  }

  async *scan(): AsyncIterable<Row[]> {
    await Promise.resolve();
    yield [...this.rows].map(([key, value]) => ({ id: key, value }));
  }
}

const spec: DigestSpec = { flow: 'f', table: 't', key: 'id', columns: [], read: ['id', 'value'] };

function tables(count: number): { source: MemoryTable; target: MemoryTable } {
  const source = new MemoryTable();
  const target = new MemoryTable();
  for (let key = 1; key <= count; key++) {
    source.rows.set(String(key), `value ${key}`);
    target.rows.set(String(key), `value ${key}`);
  }
  return { source, target };
}

function side(table: MemoryTable): DigestSide {
  return { support: table, spec };
}

async function differingKeys(source: MemoryTable, target: MemoryTable, options = {}): Promise<string[]> {
  const stats = emptyTransfer();
  const differing = await findDifferingBuckets(
    side(source),
    side(target),
    AbortSignal.timeout(10_000),
    stats,
    options,
  );
  const keys = new Set<string>();
  for (const chunk of chunkBuckets(differing, 100)) {
    for (const row of await source.readBuckets(spec, chunk)) keys.add(valueText(row.id));
    for (const row of await target.readBuckets(spec, chunk)) keys.add(valueText(row.id));
  }
  return [...keys];
}

describe('findDifferingBuckets', () => {
  it('finds no bucket when both sides hold the same rows, in one pass', async () => {
    const { source, target } = tables(20_000);
    const stats = emptyTransfer();
    const differing = await findDifferingBuckets(
      side(source),
      side(target),
      AbortSignal.timeout(10_000),
      stats,
    );
    expect(differing.buckets).toEqual([]);
    expect(stats.checksumQueries).toBe(2);
    expect(differing.sourceTotal).toBe(20_000);
  });

  it('narrows changed, missing and extra rows down to small buckets that hold them', async () => {
    const { source, target } = tables(20_000);
    target.rows.set('17', 'changed');
    target.rows.delete('4242');
    target.rows.set('99999', 'extra');
    source.rows.delete('12345');
    const keys = await differingKeys(source, target, { initialBuckets: 16, leafRows: 50, fanout: 8 });
    expect(keys).toEqual(expect.arrayContaining(['17', '4242', '99999', '12345']));
    expect(keys.length).toBeLessThan(4 * 50);
  });

  it('descends only while the differing buckets are large and the differences sparse', async () => {
    const { source, target } = tables(5_000);
    target.rows.set('1', 'changed');
    const coarse = emptyTransfer();
    await findDifferingBuckets(side(source), side(target), AbortSignal.timeout(10_000), coarse, {
      initialBuckets: 4,
      leafRows: 10,
      fanout: 4,
    });
    expect(coarse.checksumQueries).toBeGreaterThan(2);

    const dense = tables(5_000);
    for (const key of dense.target.rows.keys()) dense.target.rows.set(key, 'all changed');
    const stats = emptyTransfer();
    const differing = await findDifferingBuckets(
      side(dense.source),
      side(dense.target),
      AbortSignal.timeout(10_000),
      stats,
      { initialBuckets: 64, leafRows: 10, fanout: 4 },
    );
    expect(stats.checksumQueries).toBe(2);
    expect(differing.buckets.length).toBe(64);
  });

  it('splits differing buckets into chunks of bounded rows', () => {
    const rows = new Map([
      [1, 60],
      [2, 60],
      [3, 10],
    ]);
    const chunks = chunkBuckets({ width: 8, buckets: [1, 2, 3], rows, sourceTotal: 0, targetTotal: 0 }, 100);
    expect(chunks.map((chunk) => chunk.buckets)).toEqual([[1], [2, 3]]);
  });
});
