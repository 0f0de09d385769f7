import { formatDuration } from '../../config/duration.js';
import type { TuningOverrides } from '../adaptive-tuning.js';

/** How the flows' cadence is chosen: one fixed interval for all, or the adaptive controller. */
export type Strategy =
  | { readonly kind: 'fixed'; readonly intervalMs: number }
  | { readonly kind: 'adaptive'; readonly tuning?: TuningOverrides };

/** The strategies the simulation compares: every flow every 1m, 5m, 15m or 1h, and adaptive. */
export const COMPARED_STRATEGIES: readonly Strategy[] = [
  { kind: 'fixed', intervalMs: 60_000 },
  { kind: 'fixed', intervalMs: 300_000 },
  { kind: 'fixed', intervalMs: 900_000 },
  { kind: 'fixed', intervalMs: 3_600_000 },
  { kind: 'adaptive' },
];

/** The label of a strategy in tables and charts: `fixed 5m`, `adaptive`. */
export function strategyLabel(strategy: Strategy): string {
  return strategy.kind === 'fixed' ? `fixed ${formatDuration(strategy.intervalMs)}` : 'adaptive';
}
