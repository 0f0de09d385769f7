import type { RunActivityBucket } from '../core/run-activity.js';
import { findFlow, invalidRequest, type OperationsContext } from './operations-context.js';

/** One point of a flow's series: the runs that started in one time bucket, summed. */
export interface SeriesPoint {
  /** Start of the bucket; ISO 8601, UTC. */
  readonly at: string;
  /** Cycles finished, and how many of them failed. */
  readonly cycles: number;
  readonly failedCycles: number;
  /** Records read, written, quarantined and refused by the target, by every run. */
  readonly read: number;
  readonly written: number;
  readonly quarantined: number;
  readonly refused: number;
  /**
   * When the newest successful cycle up to the end of this bucket started (ISO 8601, UTC): the
   * freshness lag at an instant of the bucket is that instant minus this. Null when unknown.
   */
  readonly lastSuccessAt: string | null;
}

/** Throughput and freshness of every flow over a window, bucket by bucket. */
export interface RunSeries {
  /** Start of the first bucket (a whole number of buckets since the epoch); ISO 8601, UTC. */
  readonly since: string;
  readonly bucketMs: number;
  readonly flows: readonly { readonly flow: string; readonly points: readonly SeriesPoint[] }[];
}

/** Buckets of a series unless asked otherwise: 15 minutes, 96 of them in 24 hours. */
export const DEFAULT_BUCKET_MS = 15 * 60_000;
/** The most buckets one series may have. */
const MAX_BUCKETS = 2_000;

function point(at: number, bucket: RunActivityBucket | undefined, lastSuccessAt: string | null): SeriesPoint {
  return {
    at: new Date(at).toISOString(),
    cycles: bucket?.cycles ?? 0,
    failedCycles: bucket?.failed ?? 0,
    read: bucket?.read ?? 0,
    written: bucket?.written ?? 0,
    quarantined: bucket?.quarantined ?? 0,
    refused: bucket?.refused ?? 0,
    lastSuccessAt,
  };
}

/**
 * Every flow's runs (or the named flow's) over the last `hours`, summed per bucket in the state
 * store. Buckets start at whole multiples of `bucketMs`, so the series stays the same between two
 * runs (a cheap ETag). The freshness lag is carried from bucket to bucket; before the window's
 * first success it is known only when the flow's newest success is older than the window.
 */
export async function runSeries(
  context: OperationsContext,
  request: { readonly hours?: number; readonly bucketMs?: number; readonly flow?: string } = {},
): Promise<RunSeries> {
  const flows = request.flow === undefined ? context.flows : [findFlow(context, request.flow)];
  const bucketMs = request.bucketMs ?? DEFAULT_BUCKET_MS;
  const hours = request.hours ?? 24;
  if (!Number.isInteger(bucketMs) || bucketMs < 60_000)
    throw invalidRequest(`bucket of ${bucketMs} ms: give a whole number of ms, at least 60000`);
  const count = Math.ceil((hours * 3_600_000) / bucketMs) + 1;
  if (!(hours > 0) || count > MAX_BUCKETS)
    throw invalidRequest(`${hours} hours in buckets of ${bucketMs} ms: at most ${MAX_BUCKETS} buckets`);
  const now = (context.now ?? Date.now)();
  const since = Math.floor(now / bucketMs) * bucketMs - (count - 1) * bucketMs;
  const until = since + count * bucketMs;
  const buckets = await context.state.runActivity({
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    bucketMs,
    ...(request.flow === undefined ? {} : { flow: request.flow }),
  });
  const series = await Promise.all(
    flows.map(async (flow) => {
      const own = new Map(
        buckets.filter((bucket) => bucket.flow === flow.name).map((bucket) => [bucket.bucket, bucket]),
      );
      const newest = await context.state.lastSuccessfulRun(flow.name);
      let lastSuccessAt =
        newest !== undefined && Date.parse(newest.startedAt) < since ? newest.startedAt : null;
      const points: SeriesPoint[] = [];
      for (let index = 0; index < count; index += 1) {
        const bucket = own.get(index);
        lastSuccessAt = bucket?.lastSuccessAt ?? lastSuccessAt;
        points.push(point(since + index * bucketMs, bucket, lastSuccessAt));
      }
      return { flow: flow.name, points };
    }),
  );
  return { since: new Date(since).toISOString(), bucketMs, flows: series };
}
