import type { SimulationResult } from './simulation-metrics.js';

/** How the adaptive strategy compares with one fixed cadence on the combined goal. */
export interface FixedComparison {
  /** `fixed 5m`. */
  readonly strategy: string;
  /** The fixed cadence overloaded the target no more than adaptive did, so staleness decides. */
  readonly isComparable: boolean;
  /** Adaptive's high-tier p95 staleness is lower. */
  readonly hasLowerHighTierP95: boolean;
  /** Adaptive overloaded the target for fewer minutes. */
  readonly hasFewerOverloadMinutes: boolean;
}

/** The verdict of issue 3's acceptance on one scenario. */
export interface AcceptanceVerdict {
  /**
   * Adaptive beats every fixed cadence on the combined goal: its high-tier p95 staleness is lower
   * than that of every fixed cadence whose overload minutes are no more than adaptive's.
   */
  readonly holds: boolean;
  readonly comparisons: readonly FixedComparison[];
}

/** Checks the acceptance property over the results of one scenario (one `adaptive`, the rest fixed). */
export function checkAcceptance(results: readonly SimulationResult[]): AcceptanceVerdict {
  const adaptive = results.find((result) => result.strategy === 'adaptive');
  if (adaptive === undefined) return { holds: false, comparisons: [] };
  const comparisons = results
    .filter((result) => result !== adaptive)
    .map((fixed) => ({
      strategy: fixed.strategy,
      isComparable: fixed.overloadMinutes <= adaptive.overloadMinutes,
      hasLowerHighTierP95: adaptive.staleness.high.p95Ms < fixed.staleness.high.p95Ms,
      hasFewerOverloadMinutes: adaptive.overloadMinutes < fixed.overloadMinutes,
    }));
  return {
    holds: comparisons.every((comparison) => !comparison.isComparable || comparison.hasLowerHighTierP95),
    comparisons,
  };
}
