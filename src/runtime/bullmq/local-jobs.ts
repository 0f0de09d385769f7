import type { CyclePorts } from '../../core/cycle-ports.js';
import type { Flow } from '../../core/flow.js';

/** A cycle job queued by this process, as its scheduling runtime started it. */
export interface LocalJob {
  /** The flow as the cycle started (its config, the adaptive controller's batch). */
  readonly flow: Flow;
  /** The connectors and state of the context the cycle started with. */
  readonly ports: CyclePorts;
  readonly signal: AbortSignal;
  readonly stop: AbortSignal | undefined;
}

const jobs = new Map<string, LocalJob>();

/**
 * Cycle jobs queued by this process, by job id. A worker in the same process (`syncline run` on
 * BullMQ, the tests) runs such a job exactly as the local runtime would: with the flow and ports
 * of the context the cycle started with, stopped the moment the scheduler stops it. A worker in
 * another process does not find the job here and runs it with its own config and connectors.
 */
export const localJobs = {
  add(jobId: string, job: LocalJob): void {
    jobs.set(jobId, job);
  },
  get(jobId: string): LocalJob | undefined {
    return jobs.get(jobId);
  },
  delete(jobId: string): void {
    jobs.delete(jobId);
  },
};
