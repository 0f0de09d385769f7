import { SyncError, type SyncErrorJson } from '../../core/errors.js';
import type { WriteSample } from '../../core/batch-writer.js';
import type { CycleResult } from '../../core/cycle-ports.js';
import type { Flow } from '../../core/flow.js';
import type { DeadLetterKind, RunCounts, RunTrigger } from '../../core/state-store.js';

/** What a cycle job carries to a worker. */
export interface CycleJobData {
  readonly flow: string;
  readonly trigger: RunTrigger;
  /** Rows per batch as the scheduler's adaptive controller set it. */
  readonly batchSize: number;
  /** The channel the worker reports to (the queuing process's reports channel). */
  readonly replyTo: string;
}

/** A cycle's result as plain JSON (the job's return value). */
export interface CycleResultJson {
  readonly flow: string;
  readonly status: CycleResult['status'];
  readonly runId: number | undefined;
  readonly counts: RunCounts;
  readonly durationMs: number;
  readonly error?: SyncErrorJson;
  /** The worker that ran it. */
  readonly worker?: string;
}

/** What a worker tells the process that queued a job, while and after it runs. */
export type CycleReport =
  | { readonly kind: 'started'; readonly jobId: string; readonly worker: string }
  | {
      readonly kind: 'progress';
      readonly jobId: string;
      readonly counts: RunCounts;
      readonly elapsedMs: number;
    }
  | { readonly kind: 'write'; readonly jobId: string; readonly sample: WriteSample }
  | {
      readonly kind: 'dead-letter';
      readonly jobId: string;
      readonly key: string;
      readonly letterKind: DeadLetterKind;
      readonly code: string;
      readonly reason: string;
      readonly field?: string;
    }
  | {
      readonly kind: 'conflict';
      readonly jobId: string;
      readonly key: string;
      readonly fields: readonly string[];
      readonly reason: string;
    }
  | { readonly kind: 'result'; readonly jobId: string; readonly result: CycleResultJson };

/** A stop or abort of a running job, for the worker that runs it. */
export interface ControlMessage {
  readonly jobId: string;
  /** `stop`: commit the batch in hand and end; `abort`: stop at once. */
  readonly action: 'stop' | 'abort';
}

export function resultToJson(result: CycleResult, worker?: string): CycleResultJson {
  return {
    flow: result.flow,
    status: result.status,
    runId: result.runId,
    counts: result.counts,
    durationMs: result.durationMs,
    ...(result.error === undefined ? {} : { error: result.error.toJSON() }),
    ...(worker === undefined ? {} : { worker }),
  };
}

export function resultFromJson(json: CycleResultJson): CycleResult {
  const { error } = json;
  return {
    flow: json.flow,
    status: json.status,
    runId: json.runId ?? undefined,
    counts: json.counts,
    durationMs: json.durationMs,
    error: error === undefined ? undefined : SyncError.fromJSON(error),
  };
}

/**
 * BullMQ priority of a flow's cycles (1 is served first): realtime flows, then short intervals,
 * then hourly, then nightly and cron; `cadence.priority` moves a flow one step.
 */
export function cyclePriority(flow: Flow): number {
  const { cadence } = flow;
  let tier: number;
  if (cadence.realtime === true) tier = 2;
  else if (cadence.everyMs !== undefined && cadence.everyMs <= 15 * 60_000) tier = 4;
  else if (cadence.everyMs !== undefined && cadence.everyMs <= 6 * 60 * 60_000) tier = 6;
  else tier = 8;
  if (cadence.priority === 'high') tier -= 1;
  if (cadence.priority === 'low') tier += 1;
  return tier;
}
