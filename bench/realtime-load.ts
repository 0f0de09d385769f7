import pg from 'pg';

/** Percentiles of a set of latencies, in milliseconds (nearest-rank). */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** What an open-loop load run achieved. */
export interface LoadResult {
  /** Operations started, one per scheduled slot. */
  readonly issued: number;
  /** Operations that completed without error. */
  readonly completed: number;
  readonly failed: number;
  /** Completed operations per second over the run. */
  readonly achievedRate: number;
  /** Most operations waiting for an answer at once: a high number means the load generator (or the server) fell behind. */
  readonly maxInFlight: number;
}

const round = (value: number): number => Math.round(value * 100) / 100;

/** Nearest-rank percentiles of `values` (ms); all zero for an empty set. */
export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return {
    count: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1)!),
    mean: round(mean),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Starts `operation(i)` at `rate` per second for `seconds`, on a fixed schedule that does not wait
 * for answers (an open loop, so a slow server shows up as latency, not as a lower offered rate).
 */
export async function openLoop(
  rate: number,
  seconds: number,
  operation: (index: number) => Promise<void>,
): Promise<LoadResult> {
  const started = performance.now();
  const total = Math.round(rate * seconds);
  const inFlight = new Set<Promise<void>>();
  let completed = 0;
  let failed = 0;
  let maxInFlight = 0;
  for (let index = 0; index < total;) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    for (; index < due; index++) {
      const done = operation(index).then(
        () => void (completed += 1),
        () => void (failed += 1),
      );
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
    }
    maxInFlight = Math.max(maxInFlight, inFlight.size);
    await sleep(started + (index * 1000) / rate - performance.now());
  }
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - started) / 1000;
  return { issued: total, completed, failed, achievedRate: round(completed / elapsedS), maxInFlight };
}

/** The bare LISTEN/NOTIFY round trip at a rate: `pg_notify` sent → notification received. */
export interface NotifyRoundTrip {
  readonly load: LoadResult;
  readonly roundTripMs: LatencySummary;
  /** Notifications sent but never received. */
  readonly lost: number;
}

/**
 * Measures the bare LISTEN/NOTIFY round trip on the same server at `rate` per second: one pooled
 * session per send runs `SELECT pg_notify(channel, i)` (its own transaction), one dedicated session
 * LISTENs; the time is from just before the send to the notification's arrival, on this process's
 * monotonic clock.
 */
export async function measureNotifyRoundTrip(
  url: string,
  rate: number,
  seconds: number,
  sessions: number,
): Promise<NotifyRoundTrip> {
  const channel = 'syncline_bench_round_trip';
  const listener = new pg.Client({ connectionString: url });
  const senders = new pg.Pool({ connectionString: url, max: sessions });
  const sentAt = new Map<string, number>();
  const roundTrips: number[] = [];
  listener.on('notification', (message) => {
    const sent = message.payload === undefined ? undefined : sentAt.get(message.payload);
    if (sent === undefined) return;
    roundTrips.push(performance.now() - sent);
    sentAt.delete(message.payload!);
  });
  await listener.connect();
  try {
    await listener.query(`LISTEN ${channel}`);
    // Open every sending session before the clock starts.
    await Promise.all(Array.from({ length: sessions }, () => senders.query('SELECT 1')));
    const load = await openLoop(rate, seconds, async (index) => {
      const payload = String(index);
      sentAt.set(payload, performance.now());
      await senders.query('SELECT pg_notify($1, $2)', [channel, payload]);
    });
    for (let i = 0; i < 500 && sentAt.size > 0; i++) await sleep(10);
    return { load, roundTripMs: summarize(roundTrips), lost: sentAt.size };
  } finally {
    await listener.end();
    await senders.end();
  }
}
