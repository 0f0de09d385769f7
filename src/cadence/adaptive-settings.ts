import type { Cadence } from '../config/cadence-schema.js';
import type { AdaptiveSettings } from './adaptive-tuning.js';
import { intervalMsAt } from './schedule.js';

/** How far the controller may back off by default: this many times the configured interval. */
export const DEFAULT_BACK_OFF_FACTOR = 8;
/** How far it may grow a batch by default: this many times the configured batch. */
export const DEFAULT_BATCH_GROWTH = 4;
/** The largest batch the controller grows to by default. */
export const MAX_DEFAULT_BATCH = 50_000;

/**
 * The controller's settings for a flow, from its cadence config, or undefined when the flow's
 * cadence stays fixed: `adaptive: false`, cron flows (their times are the contract) and realtime
 * flows (woken by events). Defaults are safe: without `adaptive.min` or `freshness` a flow never
 * runs more often than configured; it only backs off (up to 8× the interval) and recovers.
 */
export function adaptiveSettingsFor(
  cadence: Cadence,
  batch: number,
  at: number,
): AdaptiveSettings | undefined {
  if (cadence.adaptive === false || cadence.cron !== undefined || cadence.realtime === true) return undefined;
  const base = intervalMsAt(cadence, at);
  if (base === undefined || base <= 0) return undefined;
  const freshnessMs = cadence.freshnessMs;
  const configuredMin = cadence.adaptive?.minMs;
  const configuredMax = cadence.adaptive?.maxMs;
  const minIntervalMs =
    configuredMin ?? (freshnessMs === undefined ? base : Math.min(base, Math.max(1_000, base / 4)));
  const maxIntervalMs = Math.max(minIntervalMs, configuredMax ?? base * DEFAULT_BACK_OFF_FACTOR);
  return {
    baseIntervalMs: Math.min(Math.max(base, minIntervalMs), maxIntervalMs),
    minIntervalMs,
    maxIntervalMs,
    freshnessMs,
    priority: cadence.priority ?? 'normal',
    baseBatch: batch,
    maxBatch: Math.max(batch, Math.min(MAX_DEFAULT_BATCH, batch * DEFAULT_BATCH_GROWTH)),
  };
}
