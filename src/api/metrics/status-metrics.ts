import { Gauge, type Registry } from 'prom-client';
import type { FlowStatus } from '../../operations/flow-status.js';
import type { FlowSnapshot } from '../../runtime/runtime.js';
import { freshnessLagSeconds, freshnessMark } from './freshness.js';

const MS_PER_SECOND = 1000;

/** The `kind` label values of `syncline_reconcile_differences`. */
export const DIFFERENCE_KINDS = ['missing', 'extra', 'different'] as const;

/**
 * The gauges computed at scrape from one `flowStatuses` call and the runtime's snapshot. Each
 * scrape resets them first, so a flow that left the config leaves no stale series behind.
 */
export class StatusMetrics {
  readonly #gauges: Gauge[] = [];
  readonly #freshness: Gauge<'flow'>;
  readonly #lastSuccess: Gauge<'flow'>;
  readonly #interval: Gauge<'flow'>;
  readonly #configuredInterval: Gauge<'flow'>;
  readonly #batch: Gauge<'flow'>;
  readonly #configuredBatch: Gauge<'flow'>;
  readonly #deadLetters: Gauge<'flow'>;
  readonly #conflicts: Gauge<'flow'>;
  readonly #differences: Gauge<'flow' | 'kind'>;
  readonly #paused: Gauge<'flow'>;
  readonly #running: Gauge<'flow'>;
  readonly #stateUp: Gauge;

  constructor(register: Registry) {
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> => {
      const created = new Gauge<L>({ name, help, labelNames, registers: [register] });
      this.#gauges.push(created);
      return created;
    };
    this.#freshness = gauge(
      'syncline_freshness_lag_seconds',
      'Now minus the source time of the newest change the target has: the checkpoint cursor when it is a timestamp with a zone, else the start of the last successful cycle; absent before the first success. Seconds.',
      ['flow'],
    );
    this.#lastSuccess = gauge(
      'syncline_last_success_timestamp_seconds',
      'When the last successful cycle started, unix time in seconds.',
      ['flow'],
    );
    this.#interval = gauge(
      'syncline_cadence_interval_seconds',
      'The interval the flow runs at now (adaptive controller and peaks included), seconds; absent for a cron cadence or without a runtime in this process.',
      ['flow'],
    );
    this.#configuredInterval = gauge(
      'syncline_cadence_configured_interval_seconds',
      'The configured interval at this moment (peaks included), seconds; absent for a cron cadence or without a runtime in this process.',
      ['flow'],
    );
    this.#batch = gauge(
      'syncline_cadence_batch_size',
      'Changes per batch now (the adaptive controller may lower it); absent without a runtime in this process.',
      ['flow'],
    );
    this.#configuredBatch = gauge(
      'syncline_cadence_configured_batch_size',
      'Changes per batch as configured; absent without a runtime in this process.',
      ['flow'],
    );
    this.#deadLetters = gauge(
      'syncline_dead_letters_open',
      'Dead letters waiting for a fix and a replay, counted in the state store.',
      ['flow'],
    );
    this.#conflicts = gauge(
      'syncline_conflicts_open',
      'Two-way flows: conflicts waiting for a resolution, counted in the state store.',
      ['flow'],
    );
    this.#differences = gauge(
      'syncline_reconcile_differences',
      'Differences the last reconcile found, by kind: missing (at the target), extra (at the target), different; absent before the first reconcile.',
      ['flow', 'kind'],
    );
    this.#paused = gauge('syncline_flow_paused', '1 while an operator has paused the flow, else 0.', [
      'flow',
    ]);
    this.#running = gauge(
      'syncline_flow_running',
      '1 while a cycle of the flow runs in this process, else 0; absent without a runtime in this process.',
      ['flow'],
    );
    this.#stateUp = gauge(
      'syncline_state_store_up',
      '1 when this scrape read the flow statuses from the state store, 0 when that failed (the status gauges are then absent).',
      [],
    );
  }

  /** Sets every gauge from the statuses and snapshots read for this scrape. */
  update(statuses: readonly FlowStatus[], snapshots: readonly FlowSnapshot[], now: number): void {
    this.#reset();
    this.#stateUp.set(1);
    for (const status of statuses) this.#setStatus(status, now);
    for (const snapshot of snapshots) this.#setSnapshot(snapshot);
  }

  /** The state store did not answer: only `syncline_state_store_up 0` and the runtime's snapshot remain. */
  failed(snapshots: readonly FlowSnapshot[]): void {
    this.#reset();
    this.#stateUp.set(0);
    for (const snapshot of snapshots) this.#setSnapshot(snapshot);
  }

  #reset(): void {
    for (const gauge of this.#gauges) gauge.reset();
  }

  #setStatus(status: FlowStatus, now: number): void {
    const labels = { flow: status.flow };
    const mark = freshnessMark(status.checkpoint, status.lastSuccessAt);
    if (mark !== undefined) this.#freshness.set(labels, freshnessLagSeconds(mark, now));
    const lastSuccess = status.lastSuccessAt === undefined ? Number.NaN : Date.parse(status.lastSuccessAt);
    if (Number.isFinite(lastSuccess)) this.#lastSuccess.set(labels, lastSuccess / MS_PER_SECOND);
    this.#deadLetters.set(labels, status.openDeadLetters);
    this.#conflicts.set(labels, status.openConflicts);
    this.#paused.set(labels, status.paused === undefined ? 0 : 1);
    const reconcile = status.lastReconcile;
    if (reconcile !== undefined)
      for (const kind of DIFFERENCE_KINDS) this.#differences.set({ ...labels, kind }, reconcile[kind]);
  }

  #setSnapshot(snapshot: FlowSnapshot): void {
    const labels = { flow: snapshot.flow };
    const { cadence } = snapshot;
    if (cadence.intervalMs !== undefined) this.#interval.set(labels, cadence.intervalMs / MS_PER_SECOND);
    if (cadence.configuredIntervalMs !== undefined)
      this.#configuredInterval.set(labels, cadence.configuredIntervalMs / MS_PER_SECOND);
    this.#batch.set(labels, cadence.batch);
    this.#configuredBatch.set(labels, cadence.configuredBatch);
    this.#running.set(labels, snapshot.activity === 'running' ? 1 : 0);
    // The runtime's pause is live; the status's pause was read from the state store.
    if (snapshot.paused !== undefined) this.#paused.set(labels, 1);
  }
}
