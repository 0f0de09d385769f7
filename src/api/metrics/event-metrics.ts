import { Counter, Histogram, type Registry } from 'prom-client';
import { ErrorCodes, type ErrorCode } from '../../core/error-codes.js';
import type { Flow } from '../../core/flow.js';
import type { RunCounts } from '../../core/state-store.js';
import type {
  CycleFinishedEvent,
  CycleProgressEvent,
  RuntimeEvent,
  WriteSampleEvent,
} from '../../runtime/runtime.js';

/** Cycle durations, seconds: 50 ms to an hour (a nightly batch of master data may take that long). */
export const CYCLE_DURATION_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600,
] as const;

/** Target write attempts, seconds: 5 ms to 2 minutes. */
export const WRITE_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
] as const;

/** The `outcome` label values of `syncline_records_total`: what became of the records read. */
export const RECORD_OUTCOMES = ['written', 'unchanged', 'quarantined', 'failed', 'deleted'] as const;

/** The `status` label values of `syncline_cycles_total`. */
export const CYCLE_STATUSES = ['succeeded', 'failed', 'aborted', 'busy'] as const;

/** Write error codes set to 0 per flow from the start, so alerts on the target's push-back see a series. */
export const PUSHBACK_CODES = [
  'CONNECTOR_THROTTLED',
  'CONNECTOR_LOCK_TIMEOUT',
  'CONNECTOR_DEADLOCK',
] as const;

/** The `code` label value of an error whose code is not one of `ErrorCodes` (keeps the label bounded). */
export const OTHER_CODE = 'OTHER';

const MS_PER_SECOND = 1000;

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ErrorCodes, code);
}

/** An error code as a label value: a known code, else `OTHER` (never free text). */
export function codeLabel(code: string | undefined): string {
  return code !== undefined && isErrorCode(code) ? code : OTHER_CODE;
}

function isRetryableCode(code: string | undefined): boolean {
  return code !== undefined && isErrorCode(code) && ErrorCodes[code].retryable;
}

/**
 * The counters and histograms fed by runtime events. Records are counted as batches commit
 * (`cycle.progress`), so a long cycle moves the counters while it runs; `cycle.finished` adds
 * what its last progress event had not reported.
 */
export class EventMetrics {
  readonly #recordsRead: Counter<'flow'>;
  readonly #records: Counter<'flow' | 'outcome'>;
  readonly #cycles: Counter<'flow' | 'status'>;
  readonly #cycleErrors: Counter<'flow' | 'code'>;
  readonly #cycleDuration: Histogram<'flow'>;
  readonly #writeDuration: Histogram<'target' | 'outcome'>;
  readonly #writeErrors: Counter<'flow' | 'target' | 'code'>;
  readonly #writeRetries: Counter<'flow' | 'target'>;
  readonly #deadLetters: Counter<'flow' | 'kind' | 'code'>;
  readonly #conflicts: Counter<'flow'>;
  readonly #reconciles: Counter<'flow' | 'mode' | 'status'>;
  readonly #alerts: Counter<'channel' | 'outcome'>;
  /** Per flow: the counts of its running cycle already added to the counters. */
  readonly #counted = new Map<string, RunCounts>();

  constructor(register: Registry, flows: readonly Flow[]) {
    const registers = [register];
    this.#recordsRead = new Counter({
      name: 'syncline_records_read_total',
      help: 'Changes read from the source, re-reads included (the hand-over after the initial scan, a lookback).',
      labelNames: ['flow'],
      registers,
    });
    this.#records = new Counter({
      name: 'syncline_records_total',
      help: 'Records by what became of them: written, unchanged (same content hash), quarantined (invalid), failed (refused by the target, dead-lettered), deleted.',
      labelNames: ['flow', 'outcome'],
      registers,
    });
    this.#cycles = new Counter({
      name: 'syncline_cycles_total',
      help: 'Cycles ended, by status (busy: another process held the flow, nothing ran).',
      labelNames: ['flow', 'status'],
      registers,
    });
    this.#cycleErrors = new Counter({
      name: 'syncline_cycle_errors_total',
      help: 'Cycles that ended with an error, by error code (docs/errors.md; OTHER for an unknown code).',
      labelNames: ['flow', 'code'],
      registers,
    });
    this.#cycleDuration = new Histogram({
      name: 'syncline_cycle_duration_seconds',
      help: 'Duration of the cycles that ran (busy ones excluded), seconds.',
      labelNames: ['flow'],
      buckets: [...CYCLE_DURATION_BUCKETS],
      registers,
    });
    this.#writeDuration = new Histogram({
      name: 'syncline_target_write_duration_seconds',
      help: 'Duration of each write attempt to a target connection, by outcome (ok, error), seconds.',
      labelNames: ['target', 'outcome'],
      buckets: [...WRITE_DURATION_BUCKETS],
      registers,
    });
    this.#writeErrors = new Counter({
      name: 'syncline_target_write_errors_total',
      help: 'Failed write attempts by error code: CONNECTOR_THROTTLED, CONNECTOR_LOCK_TIMEOUT (lock wait), CONNECTOR_DEADLOCK and the others of docs/errors.md.',
      labelNames: ['flow', 'target', 'code'],
      registers,
    });
    this.#writeRetries = new Counter({
      name: 'syncline_target_write_retries_total',
      help: 'Failed write attempts whose error is retryable: each is retried with backoff unless the flow has spent its retry attempts.',
      labelNames: ['flow', 'target'],
      registers,
    });
    this.#deadLetters = new Counter({
      name: 'syncline_dead_letters_total',
      help: 'Records dead-lettered, by kind (validation, write, reference) and error code.',
      labelNames: ['flow', 'kind', 'code'],
      registers,
    });
    this.#conflicts = new Counter({
      name: 'syncline_conflicts_total',
      help: 'Two-way flows: records parked as conflicts (both sides changed them).',
      labelNames: ['flow'],
      registers,
    });
    this.#reconciles = new Counter({
      name: 'syncline_reconciles_total',
      help: 'Scheduled reconciles ended, by mode (checksum, full) and status (succeeded, failed).',
      labelNames: ['flow', 'mode', 'status'],
      registers,
    });
    this.#alerts = new Counter({
      name: 'syncline_alert_notifications_total',
      help: 'Alert notices per channel, by outcome: sent, failed (delivery gave up), suppressed (rate limit or repeat interval).',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    for (const flow of flows) this.#initialize(flow);
  }

  /** Series that exist at 0 from the start, so `rate()` and alerts see the first increase. */
  #initialize(flow: Flow): void {
    this.#recordsRead.inc({ flow: flow.name }, 0);
    for (const outcome of RECORD_OUTCOMES) this.#records.inc({ flow: flow.name, outcome }, 0);
    for (const status of CYCLE_STATUSES) this.#cycles.inc({ flow: flow.name, status }, 0);
    for (const code of PUSHBACK_CODES)
      this.#writeErrors.inc({ flow: flow.name, target: flow.targetConnection, code }, 0);
    this.#writeRetries.inc({ flow: flow.name, target: flow.targetConnection }, 0);
  }

  /** Counts one runtime event. */
  observe(event: RuntimeEvent): void {
    switch (event.type) {
      case 'cycle.started':
        this.#counted.delete(event.flow);
        return;
      case 'cycle.progress':
        this.#addCounts(event);
        return;
      case 'cycle.finished':
        this.#finished(event);
        return;
      case 'write.sample':
        this.#writeSample(event);
        return;
      case 'dead-letter':
        this.#deadLetters.inc({ flow: event.flow, kind: event.kind, code: codeLabel(event.code) });
        return;
      case 'conflict':
        this.#conflicts.inc({ flow: event.flow });
        return;
      case 'reconcile.finished':
        this.#reconciles.inc({ flow: event.flow, mode: event.mode, status: event.status });
        return;
      default:
        return;
    }
  }

  /** Counts an alert notice. */
  recordAlert(channel: string, outcome: 'sent' | 'failed' | 'suppressed'): void {
    this.#alerts.inc({ channel, outcome });
  }

  #addCounts(event: CycleProgressEvent | CycleFinishedEvent): void {
    const before = this.#counted.get(event.flow);
    const delta = (kind: keyof RunCounts): number => Math.max(0, event.counts[kind] - (before?.[kind] ?? 0));
    this.#recordsRead.inc({ flow: event.flow }, delta('read'));
    for (const outcome of RECORD_OUTCOMES) this.#records.inc({ flow: event.flow, outcome }, delta(outcome));
    this.#counted.set(event.flow, event.counts);
  }

  #finished(event: CycleFinishedEvent): void {
    this.#addCounts(event);
    this.#counted.delete(event.flow);
    this.#cycles.inc({ flow: event.flow, status: event.status });
    if (event.error !== undefined)
      this.#cycleErrors.inc({ flow: event.flow, code: codeLabel(event.error.code) });
    if (event.status !== 'busy')
      this.#cycleDuration.observe({ flow: event.flow }, event.durationMs / MS_PER_SECOND);
  }

  #writeSample(event: WriteSampleEvent): void {
    this.#writeDuration.observe(
      { target: event.target, outcome: event.outcome },
      event.latencyMs / MS_PER_SECOND,
    );
    if (event.outcome === 'ok') return;
    const labels = { flow: event.flow, target: event.target };
    this.#writeErrors.inc({ ...labels, code: codeLabel(event.code) });
    if (isRetryableCode(event.code)) this.#writeRetries.inc(labels);
  }
}
