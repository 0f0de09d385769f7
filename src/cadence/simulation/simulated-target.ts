import type { SeededRandom } from './seeded-random.js';
import type { TargetModel } from './simulation-scenarios.js';

/** Why the simulated target refused a write, as the error code a connector would report. */
export type SimulatedFailure = 'CONNECTOR_THROTTLED' | 'CONNECTOR_LOCK_TIMEOUT' | 'CONNECTOR_DEADLOCK';

// Load is smoothed over a few seconds: queues build and drain, they do not jump.
const LOAD_TIME_CONSTANT_MS = 5_000;
// Above this load the queueing stretch stops growing (a real system sheds or times out instead).
const MAX_QUEUEING_LOAD = 0.95;

/**
 * The simulated target system, one tick at a time. Its capacity is shared by its own users (the
 * background load) and the sync writers, processor-sharing style: a writer moves rows at its
 * connection's speed, or at its fair share of the spare capacity when writers together want
 * more than is spare. The fixed part of each write (round trip, locks, commit) queues behind all
 * other work, so it stretches by 1/(1 − load) like an M/M/1 queue. Above set loads the target
 * throttles (429 with Retry-After), times out on locks and, with several writers at once, deadlocks.
 */
export class SimulatedTarget {
  readonly model: TargetModel;
  readonly #random: SeededRandom;
  #load = 0;
  #background = 0;
  #rowSpeed = 0;
  #consumed = 0;

  constructor(model: TargetModel, random: SeededRandom) {
    this.model = model;
    this.#random = random;
  }

  /** The smoothed load, 0..1: what writers feel. */
  get load(): number {
    return this.#load;
  }

  /** Starts a tick with the users' load and the number of writers currently moving rows. */
  beginTick(background: number, writersMovingRows: number): void {
    this.#background = background;
    this.#consumed = 0;
    const spare = Math.max(0, 1 - background) * this.model.capacityRowsPerSec;
    this.#rowSpeed = Math.min(this.model.connectionRowsPerSec, spare / Math.max(1, writersMovingRows));
  }

  /** Rows per second one writer moves during this tick. */
  get rowSpeed(): number {
    return this.#rowSpeed;
  }

  /** Idle-system milliseconds of a write's fixed part that pass per millisecond now. */
  get fixedProgressRate(): number {
    return 1 - Math.min(this.#load, MAX_QUEUEING_LOAD);
  }

  /** Records capacity used by a writer during this tick, in row writes. */
  consume(rows: number): void {
    this.#consumed += rows;
  }

  /** Ends a tick of `tickMs`; returns the load of this tick (users plus writers, at most 1). */
  endTick(tickMs: number): number {
    const load = Math.min(
      1,
      this.#background + this.#consumed / ((this.model.capacityRowsPerSec * tickMs) / 1_000),
    );
    this.#load += (load - this.#load) * (1 - Math.exp(-tickMs / LOAD_TIME_CONSTANT_MS));
    return load;
  }

  /** Whether a write starting now is refused at once (the gateway's 429). */
  throttles(): boolean {
    return this.#load > this.model.throttleAbove && this.#random.next() < this.model.throttleProbability;
  }

  /** Whether a write ending now failed, and how, given how many writers were moving rows. */
  failure(writersMovingRows: number): SimulatedFailure | undefined {
    const { lockTimeoutAbove, lockTimeoutProbability, deadlockWriters, deadlockProbability } = this.model;
    const excess = (this.#load - lockTimeoutAbove) / (1 - lockTimeoutAbove);
    if (excess > 0 && this.#random.next() < lockTimeoutProbability * Math.min(1, excess))
      return 'CONNECTOR_LOCK_TIMEOUT';
    if (writersMovingRows >= deadlockWriters && this.#random.next() < deadlockProbability)
      return 'CONNECTOR_DEADLOCK';
    return undefined;
  }
}
