import type { Checkpoint } from './connector.js';
import type { SyncErrorJson } from './errors.js';
import type { JsonValue, Row } from './values.js';

/** What Syncline last wrote to the target for one source record. */
export interface SyncedRecord {
  /** The source key, as text. */
  readonly key: string;
  /** The target key it was written under (the key map). */
  readonly targetKey: string;
  /** Content hash of the mapped record that was written. */
  readonly hash: string;
  /** Whether the last write was a delete. */
  readonly deleted: boolean;
}

/** A record that could not be synced, kept with its reason until replayed or discarded. */
export interface DeadLetterInput {
  readonly flow: string;
  readonly key: string;
  /** The target field at fault, when a validation rule failed. */
  readonly field?: string;
  /** `validation` for a record that broke a rule; `write` for one the target refused. */
  readonly kind: 'validation' | 'write';
  readonly code: string;
  readonly reason: string;
  /** The source row as read, for inspection. */
  readonly payload: Row;
}

export type DeadLetterStatus = 'open' | 'replayed' | 'discarded';

export interface DeadLetter extends DeadLetterInput {
  readonly id: number;
  readonly status: DeadLetterStatus;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** How many times this key was dead-lettered while open (repeat failures update one entry). */
  readonly occurrences: number;
}

/** Everything a handled batch changes in the state store, applied atomically. */
export interface BatchCommit {
  readonly synced: readonly SyncedRecord[];
  readonly deadLetters: readonly DeadLetterInput[];
  /** Dead letters of keys now synced; they are marked replayed. */
  readonly resolvedKeys: readonly string[];
  /** The new checkpoint; absent when the batch came from a resync or a replay. */
  readonly checkpoint?: Checkpoint;
}

export type RunTrigger = 'start' | 'schedule' | 'catch-up' | 'manual' | 'resync' | 'replay' | 'event';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'aborted';

/** Counts of one cycle. */
export interface RunCounts {
  /** Changes read from the source. */
  readonly read: number;
  /** Records written to the target. */
  readonly written: number;
  /** Records skipped because their content hash equals the last synced hash. */
  readonly unchanged: number;
  /** Records quarantined by validation. */
  readonly quarantined: number;
  /** Records the target refused, dead-lettered. */
  readonly failed: number;
  /** Deletes propagated. */
  readonly deleted: number;
}

export interface RunRecord {
  readonly id: number;
  readonly flow: string;
  readonly trigger: RunTrigger;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt: string | undefined;
  readonly durationMs: number | undefined;
  readonly counts: RunCounts;
  readonly error: SyncErrorJson | undefined;
}

export interface RunFinish {
  readonly status: Exclude<RunStatus, 'running'>;
  readonly counts: RunCounts;
  readonly error?: SyncErrorJson;
}

/**
 * Where Syncline keeps what it knows: checkpoints, the key map with synced hashes, run history,
 * dead letters and flow leases. SQLite by default; PostgreSQL for production and workers.
 */
export interface StateStore {
  /** Creates or migrates the schema; safe to call on every start. */
  init(): Promise<void>;
  getCheckpoint(flow: string): Promise<Checkpoint | undefined>;
  /** Forgets a flow's checkpoint, so its next cycle reads from the beginning. */
  resetCheckpoint(flow: string): Promise<void>;
  /** The synced records of these keys; absent keys were never synced. */
  getSynced(flow: string, keys: readonly string[]): Promise<Map<string, SyncedRecord>>;
  /** Applies a handled batch atomically: key map and hashes, dead letters, then the checkpoint. */
  commitBatch(flow: string, commit: BatchCommit): Promise<void>;
  /** Records the start of a cycle and returns its run id. */
  startRun(flow: string, trigger: RunTrigger): Promise<number>;
  finishRun(runId: number, finish: RunFinish): Promise<void>;
  /** Newest first. */
  listRuns(filter: { flow?: string; limit: number }): Promise<RunRecord[]>;
  /**
   * The newest cycle of the flow that succeeded, if any. Manual resyncs and dead-letter replays
   * (triggers `resync`, `replay`) touch a few keys only, so they do not count.
   */
  lastSuccessfulRun(flow: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listDeadLetters(filter: { flow?: string; status?: DeadLetterStatus; limit: number }): Promise<DeadLetter[]>;
  getDeadLetter(id: number): Promise<DeadLetter | undefined>;
  setDeadLetterStatus(ids: readonly number[], status: DeadLetterStatus): Promise<void>;
  /**
   * Takes the flow's lease for `ttlMs` unless another owner holds an unexpired one, so a flow never
   * runs two cycles at once, across processes too. Returns whether the lease was taken.
   */
  acquireLease(flow: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases the lease if `owner` holds it; a no-op otherwise. */
  releaseLease(flow: string, owner: string): Promise<void>;
  /** Who holds the flow's unexpired lease, if anyone (to take over from a process that died). */
  getLeaseHolder(flow: string): Promise<{ owner: string; expiresAt: string } | undefined>;
  /** Free-form JSON per flow for other parts (cadence decisions, schema fingerprints). */
  getFlowMeta(flow: string, name: string): Promise<JsonValue | undefined>;
  setFlowMeta(flow: string, name: string, value: JsonValue): Promise<void>;
  close(): Promise<void>;
}
