import { Priorities, type Priority } from '../adaptive-tuning.js';

/** Staleness of one tier over the measured period. */
export interface TierStaleness {
  /** 95th percentile of the staleness samples of the tier's flows, ms. */
  readonly p95Ms: number;
  /** Largest staleness sample of the tier's flows, ms. */
  readonly maxMs: number;
}

/** The outcome of one strategy over the measured period of a scenario. */
export interface SimulationResult {
  readonly scenario: string;
  /** `fixed 5m` or `adaptive`. */
  readonly strategy: string;
  readonly staleness: Readonly<Record<Priority, TierStaleness>>;
  /** Minutes whose mean target load was at or above the overload level. */
  readonly overloadMinutes: number;
  /** Batch writes attempted, failed ones included. */
  readonly writes: number;
  /** Batch writes the target refused (throttled, lock wait timeout, deadlock). */
  readonly failedWrites: number;
  /** Cycles run, empty ones included. */
  readonly cycles: number;
  /** Changes written to the target. */
  readonly rowsWritten: number;
  /** Cycles that stopped early to yield to the target (adaptive only). */
  readonly yields: number;
  /** Decisions that changed an interval or batch (adaptive only). */
  readonly decisionsChanged: number;
  /** Per minute of the measured period: mean target load, 0..1. */
  readonly loadPerMinute: readonly number[];
  /** Per minute of the measured period and tier: the largest staleness sampled, ms. */
  readonly stalenessPerMinute: Readonly<Record<Priority, readonly number[]>>;
}

const emptyTiers = <T>(make: () => T): Record<Priority, T> => ({ high: make(), normal: make(), low: make() });

/** Collects the measurements of one simulation run. */
export class SimulationMetrics {
  readonly counts = { writes: 0, failedWrites: 0, cycles: 0, rowsWritten: 0, yields: 0, decisionsChanged: 0 };
  readonly #overloadLevel: number;
  readonly #samples = emptyTiers<number[]>(() => []);
  readonly #minuteStaleness = emptyTiers<number[]>(() => []);
  readonly #currentMinute = emptyTiers(() => 0);
  readonly #loadPerMinute: number[] = [];
  #loadSum = 0;
  #loadTicks = 0;

  constructor(overloadLevel: number) {
    this.#overloadLevel = overloadLevel;
  }

  /** A staleness sample of one flow of tier `priority`, ms. */
  sampleStaleness(priority: Priority, stalenessMs: number): void {
    this.#samples[priority].push(stalenessMs);
    this.#currentMinute[priority] = Math.max(this.#currentMinute[priority], stalenessMs);
  }

  /** The target load of one tick. */
  sampleLoad(load: number): void {
    this.#loadSum += load;
    this.#loadTicks += 1;
  }

  /** Closes a minute of the series. */
  endMinute(): void {
    this.#loadPerMinute.push(this.#loadTicks === 0 ? 0 : this.#loadSum / this.#loadTicks);
    this.#loadSum = 0;
    this.#loadTicks = 0;
    for (const priority of Priorities) {
      this.#minuteStaleness[priority].push(this.#currentMinute[priority]);
      this.#currentMinute[priority] = 0;
    }
  }

  /** The result, named after the scenario and strategy. */
  result(scenario: string, strategy: string): SimulationResult {
    const staleness = emptyTiers<TierStaleness>(() => ({ p95Ms: 0, maxMs: 0 }));
    for (const priority of Priorities) {
      const sorted = Float64Array.from(this.#samples[priority]).sort();
      const p95 = sorted.length === 0 ? 0 : (sorted[Math.ceil(0.95 * sorted.length) - 1] ?? 0);
      staleness[priority] = { p95Ms: p95, maxMs: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] ?? 0) };
    }
    return {
      scenario,
      strategy,
      staleness,
      overloadMinutes: this.#loadPerMinute.filter((load) => load >= this.#overloadLevel).length,
      ...this.counts,
      loadPerMinute: this.#loadPerMinute,
      stalenessPerMinute: this.#minuteStaleness,
    };
  }
}
