import { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds } from './health-assessment.js';

/** How much a flow matters when flows share one target: low yields first, high last. */
export const Priorities = ['high', 'normal', 'low'] as const;
/** One of {@link Priorities}. */
export type Priority = (typeof Priorities)[number];

/** The rank of a priority: high 0, normal 1, low 2. */
export function priorityRank(priority: Priority): number {
  return Priorities.indexOf(priority);
}

/** One flow's cadence bounds and objective, as the adaptive controller needs them (the config, compiled). */
export interface AdaptiveSettings {
  /** The configured interval (`every`, or the active peak's), ms: where the controller starts and returns to. */
  readonly baseIntervalMs: number;
  /** Shortest interval the controller may choose, ms (`adaptive.min`). */
  readonly minIntervalMs: number;
  /** Longest interval the controller may choose, ms (`adaptive.max`); only Retry-After waits longer. */
  readonly maxIntervalMs: number;
  /** Staleness objective, ms (`freshness`); undefined: none, the flow only backs off and recovers. */
  readonly freshnessMs: number | undefined;
  readonly priority: Priority;
  /** The configured batch size (`batch`). */
  readonly baseBatch: number;
  /** Largest batch the controller may grow to. */
  readonly maxBatch: number;
}

/** The knobs of the adaptive controller; {@link DEFAULT_TUNING} holds the documented defaults. */
export interface ControllerTuning {
  /** When a target counts as strained or unhealthy. */
  readonly health: HealthThresholds;
  /** Interval multiplier when a healthy target lets a stale flow go faster. Default 0.5. */
  readonly speedUpFactor: number;
  /** Interval multiplier, per step, back toward the base interval after a back-off. Default 0.75. */
  readonly recoveryFactor: number;
  /** Interval multiplier, per step, back up to the base when a sped-up flow is comfortably fresh. Default 1.25. */
  readonly relaxFactor: number;
  /** Staleness below this share of the freshness objective is comfortably fresh. Default 0.5. */
  readonly relaxBelow: number;
  /** Interval multiplier on back-off, per priority: low backs off further. Default high 1.5, normal 2, low 3. */
  readonly backoffFactor: Readonly<Record<Priority, number>>;
  /** Batch multiplier when a stale flow on a healthy target speeds up (and divisor on back-off). Default 2. */
  readonly batchGrowth: number;
  /** Smallest batch on back-off, as a share of the base batch: small batches pace a catching-up writer. Default 0.1. */
  readonly minBatchShare: number;
  /** Least time between two changes of one flow's interval or batch, ms (Retry-After excepted). Default 1 min. */
  readonly minStepMs: number;
  /**
   * How long the target must have been free of trouble before a flow of this priority speeds up
   * again, ms: high recovers first. Default high 2 min, normal 5 min, low 10 min.
   */
  readonly recoveryDwellMs: Readonly<Record<Priority, number>>;
  /**
   * How long the target may stay unhealthy before a flow of this priority backs off even though
   * lower-priority flows have not yet backed off fully, ms. Default high 15 min, normal 5 min, low 0.
   */
  readonly escalateAfterMs: Readonly<Record<Priority, number>>;
  /** A forecast rate this many times the current rate is a peak worth preparing for. Default 1.5. */
  readonly surgeRatio: number;
}

/** The default tuning, the one `docs/simulation.md` measures. */
export const DEFAULT_TUNING: ControllerTuning = {
  health: DEFAULT_HEALTH_THRESHOLDS,
  speedUpFactor: 0.5,
  recoveryFactor: 0.75,
  relaxFactor: 1.25,
  relaxBelow: 0.5,
  backoffFactor: { high: 1.5, normal: 2, low: 3 },
  batchGrowth: 2,
  minBatchShare: 0.1,
  minStepMs: 60_000,
  recoveryDwellMs: { high: 120_000, normal: 300_000, low: 600_000 },
  escalateAfterMs: { high: 900_000, normal: 300_000, low: 0 },
  surgeRatio: 1.5,
};

/** Tuning with some knobs overridden; `health` may itself be partial. */
export type TuningOverrides = Partial<Omit<ControllerTuning, 'health'>> & {
  readonly health?: Partial<HealthThresholds>;
};

/** The default tuning with `overrides` applied. */
export function resolveTuning(overrides: TuningOverrides = {}): ControllerTuning {
  return { ...DEFAULT_TUNING, ...overrides, health: { ...DEFAULT_TUNING.health, ...overrides.health } };
}
