import { Gauge, type Registry } from 'prom-client';
import type { ClusterSnapshot } from '../../runtime/runtime.js';

/** The `state` label values of `syncline_queue_jobs`. */
const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * Gauges of a scaled-out deployment, set at each scrape from the runtime's `cluster()`: workers
 * with a live heartbeat, whether a scheduler leads, jobs per queue and state. Absent for the local
 * runtime, and when Redis could not be read.
 */
export class ClusterMetrics {
  readonly #workers: Gauge;
  readonly #workerSlots: Gauge;
  readonly #leader: Gauge;
  readonly #jobs: Gauge<'queue' | 'state'>;

  constructor(register: Registry) {
    const registers = [register];
    this.#workers = new Gauge({
      name: 'syncline_cluster_workers',
      help: 'Worker processes with a live heartbeat (BullMQ runtime).',
      registers,
    });
    this.#workerSlots = new Gauge({
      name: 'syncline_cluster_worker_slots',
      help: 'Cycles the live workers can run at once, summed (BullMQ runtime).',
      registers,
    });
    this.#leader = new Gauge({
      name: 'syncline_cluster_leader',
      help: '1 while a scheduler leads, 0 while none does (a takeover under way) (BullMQ runtime).',
      registers,
    });
    this.#jobs = new Gauge({
      name: 'syncline_queue_jobs',
      help: 'Jobs of a BullMQ queue (cycles, lanes) by state: waiting, active, delayed, failed.',
      labelNames: ['queue', 'state'],
      registers,
    });
  }

  /** Sets the gauges from a snapshot, or clears them (local runtime, Redis unreadable). */
  update(cluster: ClusterSnapshot | undefined): void {
    for (const gauge of [this.#workers, this.#workerSlots, this.#leader, this.#jobs]) gauge.reset();
    if (cluster === undefined) return;
    this.#workers.set(cluster.workers.length);
    this.#workerSlots.set(cluster.workers.reduce((sum, worker) => sum + worker.concurrency, 0));
    this.#leader.set(cluster.leader === undefined ? 0 : 1);
    for (const [queue, depth] of Object.entries(cluster.queues))
      for (const state of JOB_STATES) this.#jobs.set({ queue, state }, depth[state]);
  }
}
