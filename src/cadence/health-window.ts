/**
 * One write to a target connection as the runner saw it: a batch written, or a batch the target
 * refused. Plain data, so runners in other processes can send it as JSON.
 */
export interface WriteObservation {
  /** When the write ended, epoch milliseconds. */
  readonly at: number;
  /** How long the write took, milliseconds (from sending the batch to the target's answer). */
  readonly latencyMs: number;
  /**
   * `ok`: written; `error`: the target was in trouble (timeout, lock wait, deadlock, throttling,
   * 5xx, connection lost); `refused`: the target refused the records themselves (a constraint, a
   * bad value) — a data problem, left out of every signal (see `core/batch-writer.ts`).
   */
  readonly outcome: 'ok' | 'error' | 'refused';
  /** The error code of a failed write, from `core/error-codes.ts` (e.g. `CONNECTOR_DEADLOCK`). */
  readonly code?: string;
  /** Seconds the target asked us to wait (HTTP Retry-After), when it said so. */
  readonly retryAfterSeconds?: number;
}

/** The health of one target connection over the sliding window, as numbers. */
export interface HealthSnapshot {
  /** When the snapshot was taken, epoch milliseconds. */
  readonly at: number;
  /** Length of the sliding window, milliseconds. */
  readonly windowMs: number;
  /** Writes that ended inside the window, failed ones included. */
  readonly writes: number;
  /** Failed writes inside the window. */
  readonly errors: number;
  /** `errors / writes`, 0 when there were no writes. */
  readonly errorRate: number;
  /** Median latency of the successful writes in the window, ms; undefined without any. */
  readonly p50LatencyMs: number | undefined;
  /** 95th percentile latency of the successful writes in the window, ms; undefined without any. */
  readonly p95LatencyMs: number | undefined;
  /** Writes the target refused as too many (HTTP 429, too many connections). */
  readonly throttled: number;
  /** The largest Retry-After, seconds, among the throttled writes in the window. */
  readonly maxRetryAfterSeconds: number | undefined;
  /**
   * Epoch ms before which the target asked not to be written to (the latest `at + Retry-After`
   * ever seen), even when that write has left the window; undefined when never asked.
   */
  readonly retryAfterUntil: number | undefined;
  /** Deadlocks and serialization failures in the window. */
  readonly deadlocks: number;
  /** Lock wait timeouts in the window. */
  readonly lockTimeouts: number;
}

/** Sizing of a {@link HealthWindow}. */
export interface HealthWindowOptions {
  /** Length of the sliding window, ms. Default 2 minutes. */
  readonly windowMs?: number;
  /** Most observations kept; the oldest are dropped beyond it. Default 2,000. */
  readonly maxSamples?: number;
}

const THROTTLE_CODES: ReadonlySet<string> = new Set([
  'CONNECTOR_THROTTLED',
  'CONNECTOR_TOO_MANY_CONNECTIONS',
]);
const DEADLOCK_CODES: ReadonlySet<string> = new Set([
  'CONNECTOR_DEADLOCK',
  'CONNECTOR_SERIALIZATION_FAILURE',
]);
const LOCK_TIMEOUT_CODE = 'CONNECTOR_LOCK_TIMEOUT';

/** Nearest-rank percentile of ascending `sorted`; `fraction` in (0, 1]. */
function percentile(sorted: readonly number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

/**
 * The health signals of one target connection over a sliding window of its recent writes: write
 * latency percentiles (successful writes only, since a refusal is fast and would flatter them),
 * error rate, throttling with its Retry-After, deadlocks and lock wait timeouts. Pure: the caller
 * passes the time, so a fake clock drives it in tests and in the simulator.
 */
export class HealthWindow {
  readonly #windowMs: number;
  readonly #maxSamples: number;
  #samples: WriteObservation[] = [];
  #head = 0;
  #retryAfterUntil: number | undefined;

  constructor(options: HealthWindowOptions = {}) {
    this.#windowMs = options.windowMs ?? 120_000;
    this.#maxSamples = options.maxSamples ?? 2_000;
  }

  /**
   * Adds one write. Observations are expected roughly in time order. A refused write is left out:
   * a record the target cannot take says nothing about how the target copes with its load.
   */
  record(observation: WriteObservation): void {
    if (observation.outcome === 'refused') return;
    this.#samples.push(observation);
    if (this.#samples.length - this.#head > this.#maxSamples) this.#head += 1;
    if (observation.retryAfterSeconds !== undefined) {
      const until = observation.at + observation.retryAfterSeconds * 1_000;
      this.#retryAfterUntil = Math.max(this.#retryAfterUntil ?? until, until);
    }
    this.#compact();
  }

  /** The signals over the window that ends at `now` (epoch ms). */
  snapshot(now: number): HealthSnapshot {
    const since = now - this.#windowMs;
    while (this.#head < this.#samples.length && (this.#samples[this.#head]?.at ?? now) <= since)
      this.#head += 1;
    this.#compact();
    const latencies: number[] = [];
    let writes = 0;
    let errors = 0;
    let throttled = 0;
    let deadlocks = 0;
    let lockTimeouts = 0;
    let maxRetryAfterSeconds: number | undefined;
    for (let index = this.#head; index < this.#samples.length; index += 1) {
      const sample = this.#samples[index];
      if (sample === undefined || sample.at <= since || sample.at > now) continue;
      writes += 1;
      if (sample.outcome === 'ok') {
        latencies.push(sample.latencyMs);
        continue;
      }
      errors += 1;
      const code = sample.code ?? '';
      if (THROTTLE_CODES.has(code) || sample.retryAfterSeconds !== undefined) {
        throttled += 1;
        if (sample.retryAfterSeconds !== undefined)
          maxRetryAfterSeconds = Math.max(maxRetryAfterSeconds ?? 0, sample.retryAfterSeconds);
      } else if (DEADLOCK_CODES.has(code)) deadlocks += 1;
      else if (code === LOCK_TIMEOUT_CODE) lockTimeouts += 1;
    }
    latencies.sort((a, b) => a - b);
    return {
      at: now,
      windowMs: this.#windowMs,
      writes,
      errors,
      errorRate: writes === 0 ? 0 : errors / writes,
      p50LatencyMs: percentile(latencies, 0.5),
      p95LatencyMs: percentile(latencies, 0.95),
      throttled,
      maxRetryAfterSeconds,
      retryAfterUntil: this.#retryAfterUntil,
      deadlocks,
      lockTimeouts,
    };
  }

  /** Drops the consumed prefix once it is large, so memory stays bounded by `maxSamples`. */
  #compact(): void {
    if (this.#head > 1_024 && this.#head * 2 > this.#samples.length) {
      this.#samples = this.#samples.slice(this.#head);
      this.#head = 0;
    }
  }
}
