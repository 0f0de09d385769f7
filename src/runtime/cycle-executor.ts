import { runCycle } from '../core/cycle.js';
import type { CycleOptions, CyclePorts, CycleResult } from '../core/cycle-ports.js';
import type { Flow } from '../core/flow.js';

/**
 * Where a scheduled cycle runs. The scheduling runtime decides when a flow's cycle is due and what
 * to tell its subscribers; the executor runs the cycle: here (`inProcessCycles`), or as a job on a
 * BullMQ worker that reports progress, write samples and dead letters back through `options`.
 */
export interface CycleExecutor {
  /** Where cycles run, for the log: e.g. `in process`, `on BullMQ workers`. */
  readonly where: string;
  /** Runs one cycle of `flow` (its batch as the adaptive controller set it) to its result. */
  run(flow: Flow, ports: CyclePorts, options: CycleOptions): Promise<CycleResult>;
}

/** Runs cycles in this process, with the ports the engine context gives (the embedded default). */
export const inProcessCycles: CycleExecutor = {
  where: 'in process',
  run: (flow, ports, options) => runCycle(flow, ports, options),
};
