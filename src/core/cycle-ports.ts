import type { WriteObserver } from './batch-writer.js';
import type { Connector } from './connector.js';
import type { LaneRunner } from './lane-task.js';
import type { SyncError } from './errors.js';
import type { Logger } from './logger.js';
import type {
  ConflictInput,
  DeadLetterInput,
  RunCounts,
  RunStatus,
  RunTrigger,
  StateStore,
} from './state-store.js';

/** The systems a cycle talks to. */
export interface CyclePorts {
  readonly source: Connector;
  readonly target: Connector;
  readonly state: StateStore;
  readonly logger: Logger;
  /**
   * Runs the lanes of a partitioned backfill outside the cycle's event loop (worker threads,
   * docs/backfill.md); without it they run in the cycle's own event loop.
   */
  readonly lanes?: LaneRunner;
}

/** Progress after each batch, for progress bars and live summaries. */
export interface CycleProgress {
  readonly flow: string;
  readonly counts: RunCounts;
  /** Milliseconds since the cycle started. */
  readonly elapsedMs: number;
}

/** How one cycle runs: what woke it, how it is stopped, who is told of its progress. */
export interface CycleOptions {
  /** What woke the cycle, recorded on its run. */
  readonly trigger: RunTrigger;
  /** Aborts at once: connectors stop mid-query; the unfinished batch is rolled back and read again next time. */
  readonly signal: AbortSignal;
  /** Stops gracefully: the batch in hand is written and committed, then the cycle ends (status `aborted`). */
  readonly stop?: AbortSignal;
  /** Who holds the flow's lease; default `host:pid:random`. */
  readonly owner?: string;
  /** How long the lease lasts without renewal; renewed every third of it. Default 30 s. */
  readonly leaseTtlMs?: number;
  /** Told after each batch. */
  readonly onProgress?: (progress: CycleProgress) => void;
  /** Told about every write attempt to the target (latency, outcome), for the cadence controller. */
  readonly onWrite?: WriteObserver;
  /** Told about each dead letter once the commit that stored it went through; must not throw. */
  readonly onDeadLetter?: (letter: DeadLetterInput) => void;
  /** Two-way flows: told about each conflict once the commit that parked it went through; must not throw. */
  readonly onConflict?: (conflict: ConflictInput) => void;
}

/** How one cycle ended. */
export interface CycleResult {
  readonly flow: string;
  /** `busy` when another cycle of the flow holds its lease; nothing ran then. */
  readonly status: Exclude<RunStatus, 'running'> | 'busy';
  readonly runId: number | undefined;
  readonly counts: RunCounts;
  readonly durationMs: number;
  readonly error: SyncError | undefined;
}
