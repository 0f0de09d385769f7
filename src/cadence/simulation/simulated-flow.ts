import { Forecaster } from '../forecaster.js';
import { ChangeQueue } from './change-queue.js';
import { createRandom, deriveSeed, type SeededRandom } from './seeded-random.js';
import type { Strategy } from './simulation-strategy.js';
import type { Scenario, SimulatedFlow } from './simulation-scenarios.js';

/** A batch being written: its fixed part (round trip, locks, commit) first, then its rows. */
export interface Batch {
  /** Changes in the batch. */
  readonly rows: number;
  /** Virtual epoch ms. */
  readonly startedAt: number;
  /** Idle-system ms of the fixed part still to go. */
  fixedLeftMs: number;
  /** Row writes still to go, the batch overhead included. */
  rowsLeft: number;
}

/** A cycle in progress. */
export interface Cycle {
  /** Changes of this cycle not yet written. */
  remaining: number;
  /** Failed tries of the current batch. */
  attempts: number;
  /** The batch being written; undefined while waiting to retry. */
  batch: Batch | undefined;
  /** When the next try may start (retry back-off), virtual epoch ms. */
  waitUntil: number | undefined;
}

/** One flow during a simulation run. */
export interface FlowRun {
  readonly spec: SimulatedFlow;
  /** Changes waiting at the source. */
  readonly queue: ChangeQueue;
  /** This flow's own stream of arrivals, the same for every strategy of a seed. */
  readonly arrivals: SeededRandom;
  /** Learns from this flow's cycles (used by the adaptive strategy). */
  readonly forecaster: Forecaster;
  /** Current interval, ms. */
  intervalMs: number;
  /** Current batch size. */
  batch: number;
  /** When the next cycle may start, virtual epoch ms. */
  dueAt: number;
  /** When the previous cycle ended, virtual epoch ms. */
  lastEndAt: number;
  /** The cycle in progress, if any. */
  cycle: Cycle | undefined;
  /** Age of the oldest waiting change when the last cycle started: the worst the flow got. */
  stalenessAtStartMs: number;
  /** Changes that arrived since the forecaster's last observation. */
  arrivedSinceObservation: number;
  /** When the forecaster last observed this flow, virtual epoch ms. */
  lastObservedAt: number;
}

/** A flow at the start of a run: nothing waiting, due at once. */
export function createFlowRun(
  spec: SimulatedFlow,
  scenario: Scenario,
  strategy: Strategy,
  seed: number,
): FlowRun {
  return {
    spec,
    queue: new ChangeQueue(),
    arrivals: createRandom(deriveSeed(seed, `arrivals:${spec.name}`)),
    forecaster: new Forecaster(),
    intervalMs: strategy.kind === 'fixed' ? strategy.intervalMs : spec.settings.baseIntervalMs,
    batch: strategy.kind === 'fixed' ? scenario.batch : spec.settings.baseBatch,
    dueAt: scenario.startAt,
    lastEndAt: scenario.startAt,
    cycle: undefined,
    stalenessAtStartMs: 0,
    arrivedSinceObservation: 0,
    lastObservedAt: scenario.startAt,
  };
}
