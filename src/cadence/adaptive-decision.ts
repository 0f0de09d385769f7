import type { HealthLevel } from './health-assessment.js';
import type { HealthSnapshot } from './health-window.js';

/** A predicted peak of a flow's change rate (from `Forecaster.upcomingPeak`). */
export interface ForecastInput {
  /** Predicted peak change rate, changes per minute. */
  readonly rate: number;
  /** When the peak is predicted, epoch ms. */
  readonly at: number;
  /** The change rate now, changes per minute (predicted or measured). */
  readonly currentRate: number;
}

/** What the controller knows when it decides a flow's next interval and batch. */
export interface DecisionInputs {
  readonly flow: string;
  /** Now, epoch ms (injected: a fake clock in tests, the virtual clock in the simulator). */
  readonly at: number;
  /**
   * How stale the flow is, ms: the larger of the age of the oldest change not yet written now and
   * its age when the last cycle started (the worst the flow got since); 0 when caught up.
   */
  readonly stalenessMs: number;
  /** True when this decision follows a cycle of the flow (false or absent while it waits). */
  readonly afterCycle?: boolean;
  /** Changes waiting at the source (a count above the checkpoint, possibly capped), when measured. */
  readonly backlog?: number;
  /** The health of the flow's target connection now. */
  readonly health: HealthSnapshot;
  /** A predicted peak within the look-ahead, only when the forecaster is warm. */
  readonly forecast?: ForecastInput;
}

/** One decision of the controller, recorded with its inputs and shown by `syncline status`. */
export interface Decision {
  readonly flow: string;
  /** Epoch ms. */
  readonly at: number;
  readonly intervalMsBefore: number;
  /** The flow's next interval, ms: it runs this long after its previous cycle ended. */
  readonly intervalMs: number;
  readonly batchBefore: number;
  readonly batch: number;
  /** Readable: `stock: every 10m → 20m: ERP p95 write latency 2.4 s > 1 s`. */
  readonly reason: string;
  /** How the flow's target was judged. */
  readonly health: HealthLevel;
  readonly inputs: DecisionInputs;
}

/** A flow's current cadence, as the controller holds it. */
export interface FlowCadence {
  readonly intervalMs: number;
  readonly batch: number;
}
