import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { flowStatuses } from '../../operations/flow-status.js';
import type { OperationsContext } from '../../operations/operations-context.js';
import type { Runtime } from '../../runtime/runtime.js';
import { ClusterMetrics } from './cluster-metrics.js';
import { EventMetrics } from './event-metrics.js';
import { StatusMetrics } from './status-metrics.js';

/** Every metric name starts with this (process metrics included). */
export const METRIC_PREFIX = 'syncline_';

/** What `GET /metrics` serves: the Prometheus exposition of Syncline and its process. */
export interface SynclineMetrics {
  /** Prometheus text exposition of every metric, gauges computed at scrape. */
  scrape(): Promise<string>;
  /** The `Content-Type` of `scrape()`'s text (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Counts an alert delivery (the alerts module calls it). */
  recordAlert(channel: string, outcome: 'sent' | 'failed' | 'suppressed'): void;
  /** Unsubscribes from the runtime (process metrics keep observing: create one per process). */
  close(): void;
}

/** What the metrics read: the runtime's events and snapshot, and the flows' statuses. */
export interface MetricsOptions {
  /** The runtime of this process: counters and histograms follow its events. */
  readonly runtime: Runtime;
  /** Flow statuses (one `flowStatuses` call per scrape) for the gauges. */
  readonly operations: OperationsContext;
  /** Syncline's version, for `syncline_build_info`. */
  readonly version: string;
  /** Clock of the freshness lag, epoch ms; default `Date.now`. */
  readonly now?: () => number;
}

/** The registry behind {@link SynclineMetrics}, for tests that list the registered names. */
export interface MetricsInternals {
  readonly register: Registry;
}

/**
 * Creates Syncline's metrics on a private registry (never prom-client's global one): process
 * metrics, counters and histograms fed by runtime events from now on, and gauges computed at
 * each scrape from one `flowStatuses` call and the runtime's snapshot. docs/metrics.md lists them.
 * Create one per process: prom-client's process metrics start GC and event-loop observers that
 * live as long as the process.
 */
export function createMetrics(options: MetricsOptions): SynclineMetrics & MetricsInternals {
  const now = options.now ?? Date.now;
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: METRIC_PREFIX });
  new Gauge({
    name: 'syncline_build_info',
    help: 'Always 1; the labels say which Syncline and Node.js versions run.',
    labelNames: ['version', 'node'],
    registers: [register],
  }).set({ version: options.version, node: process.versions.node }, 1);
  const events = new EventMetrics(register, options.operations.flows);
  const status = new StatusMetrics(register);
  const cluster = new ClusterMetrics(register);
  const unsubscribe = options.runtime.subscribe((event) => {
    events.observe(event);
  });
  // Scrapes take turns: the gauges are reset and set per scrape, so two must not interleave.
  let previous: Promise<unknown> = Promise.resolve();

  async function collect(): Promise<string> {
    const snapshots = options.runtime.snapshot();
    try {
      const statuses = await flowStatuses(options.operations);
      status.update(statuses, snapshots, now());
    } catch (error) {
      options.operations.logger.warn(
        `metrics: flow statuses could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
      status.failed(snapshots);
    }
    try {
      cluster.update(await options.runtime.cluster?.());
    } catch (error) {
      cluster.update(undefined);
      options.operations.logger.warn(
        `metrics: the cluster could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return register.metrics();
  }

  return {
    register,
    contentType: register.contentType,
    scrape() {
      const next = previous.then(collect, collect);
      previous = next;
      return next;
    },
    recordAlert(channel, outcome) {
      events.recordAlert(channel, outcome);
    },
    close() {
      unsubscribe();
    },
  };
}
