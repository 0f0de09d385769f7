import { Forecaster } from '../forecaster.js';
import { ChangeQueue } from './change-queue.js';
import { createRandom, deriveSeed, type SeededRandom } from './seeded-random.js';
import type { Strategy } from './simulation-engine.js';
import type { Scenario, SimulatedFlow } from './simulation-scenarios.js';

/** A batch being written: its fixed part (round trip, locks, commit) first, then its rows. */
export interface Batch {
  readonly rows: number;
  readonly startedAt: number;
  fixedLeftMs: number;
  rowsLeft: number;
}

/** A cycle in progress. */
export interface Cycle {
  remaining: number;
  attempts: number;
  batch: Batch | undefined;
  waitUntil: number | undefined;
}

/** One flow during a simulation run. */
export interface FlowRun {
  readonly spec: SimulatedFlow;
  readonly queue: ChangeQueue;
  readonly arrivals: SeededRandom;
  readonly forecaster: Forecaster;
  intervalMs: number;
  batch: number;
  dueAt: number;
  lastEndAt: number;
  cycle: Cycle | undefined;
  /** Age of the oldest waiting change when the last cycle started: the worst the flow got. */
  stalenessAtStartMs: number;
  arrivedSinceObservation: number;
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
