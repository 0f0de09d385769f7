import type { BucketDigest, BucketLevel, BucketSet, DigestSpec, DigestSupport } from '../digest.js';
import type { Row } from '../values.js';

/** The key hash space: 2^32. */
const KEY_SPACE = 2 ** 32;

/** Tuning of the bucket search; the defaults suit tables from a few rows to a billion. */
export interface BucketSearchOptions {
  /** Buckets of the first pass. Default 4096. */
  readonly initialBuckets?: number;
  /** A differing bucket holding at most this many rows on either side is read, not split. Default 512. */
  readonly leafRows?: number;
  /** Each differing bucket is split into this many at the next pass. Default 64. */
  readonly fanout?: number;
  /** Rows read per chunk of buckets, at most about this many per side. Default 5000. */
  readonly chunkRows?: number;
}

/** What crossed the wire, for the report and the bench. */
export interface TransferStats {
  /** Checksum queries run, both sides. */
  checksumQueries: number;
  /** Bucket digests returned (aggregate rows), both sides. */
  bucketRows: number;
  /** Data rows read from the source and the target. */
  sourceRows: number;
  targetRows: number;
  /** Approximate bytes of those data rows and digests (their JSON length). */
  bytes: number;
}

export function emptyTransfer(): TransferStats {
  return { checksumQueries: 0, bucketRows: 0, sourceRows: 0, targetRows: 0, bytes: 0 };
}

/** One side of a compare: its digest support and spec. */
export interface DigestSide {
  readonly support: DigestSupport;
  readonly spec: DigestSpec;
}

/** Buckets that differ, with the rows they hold at most (the larger side) per bucket. */
export interface DifferingBuckets extends BucketSet {
  readonly rows: ReadonlyMap<number, number>;
  /** Rows both tables hold in all (from the first pass). */
  readonly sourceTotal: number;
  readonly targetTotal: number;
}

function byBucket(digests: readonly BucketDigest[]): Map<number, BucketDigest> {
  return new Map(digests.map((digest) => [digest.bucket, digest]));
}

/**
 * Finds the buckets of the key hash space where the two sides' row counts or row-hash sums
 * differ: a first pass over `initialBuckets`, then passes inside the differing buckets only,
 * each `fanout` times finer, until the differing buckets are small enough to read. When the
 * differences are dense (a quarter of the buckets or more), splitting cannot save reads: it stops.
 */
export async function findDifferingBuckets(
  source: DigestSide,
  target: DigestSide,
  signal: AbortSignal,
  stats: TransferStats,
  options: BucketSearchOptions = {},
): Promise<DifferingBuckets> {
  const leafRows = options.leafRows ?? 512;
  const fanout = options.fanout ?? 64;
  let level: BucketLevel = { width: KEY_SPACE / (options.initialBuckets ?? 4096) };
  let totals: { source: number; target: number } | undefined;
  for (;;) {
    const [a, b] = await Promise.all([
      source.support.digestBuckets(source.spec, level, signal),
      target.support.digestBuckets(target.spec, level, signal),
    ]);
    stats.checksumQueries += 2;
    stats.bucketRows += a.length + b.length;
    stats.bytes += (a.length + b.length) * 32;
    totals ??= {
      source: a.reduce((sum, digest) => sum + digest.rows, 0),
      target: b.reduce((sum, digest) => sum + digest.rows, 0),
    };
    const left = byBucket(a);
    const right = byBucket(b);
    const rows = new Map<number, number>();
    for (const bucket of new Set([...left.keys(), ...right.keys()])) {
      const x = left.get(bucket);
      const y = right.get(bucket);
      if (x?.rows !== y?.rows || x?.sum !== y?.sum) rows.set(bucket, Math.max(x?.rows ?? 0, y?.rows ?? 0));
    }
    const buckets = [...rows.keys()].sort((p, q) => p - q);
    const largest = Math.max(0, ...rows.values());
    const isDense = buckets.length * 4 >= Math.max(left.size, right.size, 1) && buckets.length > 16;
    if (buckets.length === 0 || largest <= leafRows || level.width < fanout || isDense) {
      return { width: level.width, buckets, rows, sourceTotal: totals.source, targetTotal: totals.target };
    }
    level = { width: level.width / fanout, within: { width: level.width, buckets } };
  }
}

/** Splits differing buckets into chunks of about `chunkRows` rows, for bounded memory. */
export function chunkBuckets(differing: DifferingBuckets, chunkRows = 5000): BucketSet[] {
  const chunks: BucketSet[] = [];
  let current: number[] = [];
  let rows = 0;
  for (const bucket of differing.buckets) {
    const size = differing.rows.get(bucket) ?? 0;
    if (current.length > 0 && rows + size > chunkRows) {
      chunks.push({ width: differing.width, buckets: current });
      current = [];
      rows = 0;
    }
    current.push(bucket);
    rows += size;
  }
  if (current.length > 0) chunks.push({ width: differing.width, buckets: current });
  return chunks;
}

/** Reads the rows of a chunk of buckets from both sides, counting the transfer. */
export async function readChunk(
  source: DigestSide,
  target: DigestSide,
  chunk: BucketSet,
  signal: AbortSignal,
  stats: TransferStats,
): Promise<{ source: Row[]; target: Row[] }> {
  const [a, b] = await Promise.all([
    source.support.readBuckets(source.spec, chunk, signal),
    target.support.readBuckets(target.spec, chunk, signal),
  ]);
  stats.sourceRows += a.length;
  stats.targetRows += b.length;
  stats.bytes += approximateBytes(a) + approximateBytes(b);
  return { source: a, target: b };
}

/** The JSON length of rows: what reading them roughly cost on the wire. */
export function approximateBytes(rows: readonly Row[]): number {
  let bytes = 0;
  for (const row of rows)
    for (const value of Object.values(row))
      bytes += typeof value === 'string' ? value.length + 2 : value instanceof Uint8Array ? value.length : 8;
  return bytes;
}
