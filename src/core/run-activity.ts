/**
 * Run history summed per flow and time bucket, counted in the state store (never by loading runs):
 * what the dashboard's charts and totals are drawn from.
 */
export interface RunActivityFilter {
  /** Start of the first bucket; ISO 8601, UTC. Runs that started before it are left out. */
  readonly since: string;
  /** End of the last bucket (exclusive); ISO 8601, UTC. */
  readonly until: string;
  /** Width of one bucket, ms (a whole number ≥ 1); `until − since` makes one bucket. */
  readonly bucketMs: number;
  /** Only this flow's runs; every flow's when absent. */
  readonly flow?: string;
}

/** The runs of one flow that started in one bucket, summed. Buckets without a run are absent. */
export interface RunActivityBucket {
  readonly flow: string;
  /** Which bucket: 0 starts at `since`, n at `since + n × bucketMs`. */
  readonly bucket: number;
  /**
   * Finished cycles (runs of the flow's changes; resyncs, replays, repairs and reference retries
   * are not cycles), and how many of them succeeded and failed.
   */
  readonly cycles: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Records read, written, quarantined, refused by the target (dead-lettered) and deleted, by every run. */
  readonly read: number;
  readonly written: number;
  readonly quarantined: number;
  readonly refused: number;
  readonly deleted: number;
  /** Longest finished run, ms; 0 when none finished. */
  readonly maxDurationMs: number;
  /** When the newest successful cycle of the bucket started; ISO 8601, UTC; undefined when none. */
  readonly lastSuccessAt: string | undefined;
}

/** Sums of run history by bucket (part of the StateStore). */
export interface RunActivityStore {
  /** Runs that started in [since, until), summed per flow and bucket in the store, by flow then bucket. */
  runActivity(filter: RunActivityFilter): Promise<RunActivityBucket[]>;
}
