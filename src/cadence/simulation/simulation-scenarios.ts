import type { AdaptiveSettings, Priority } from '../adaptive-tuning.js';

/** One simulated flow: its tier, its change rate, and its adaptive cadence settings. */
export interface SimulatedFlow {
  readonly name: string;
  readonly priority: Priority;
  /** Changes per minute at an ordinary weekday's busiest hour (the change-rate curve's 1.0). */
  readonly peakRatePerMin: number;
  readonly settings: AdaptiveSettings;
}

/** The simulated target system; every flow writes to it. */
export interface TargetModel {
  /** Connection name, as in reasons (`ERP p95 write latency …`). */
  readonly name: string;
  /** Row writes per second the whole system can do (its capacity), shared with its own users. */
  readonly capacityRowsPerSec: number;
  /** Row writes per second one connection can do on an idle system. */
  readonly connectionRowsPerSec: number;
  /** Fixed part of a batch write on an idle system (round trip, locks, commit), ms; it queues: ×1/(1−load). */
  readonly fixedLatencyMs: number;
  /** Capacity a batch costs beyond its rows (key lookups, commit), in row writes. */
  readonly batchOverheadRows: number;
  /** Load (utilisation, 0..1) at or above which a minute counts as overloaded. */
  readonly overloadUtilization: number;
  /** Load above which the system answers some writes with HTTP 429 and a Retry-After. */
  readonly throttleAbove: number;
  readonly throttleProbability: number;
  readonly retryAfterSeconds: number;
  /** Load above which batches start to fail with lock wait timeouts; probability rises to `lockTimeoutProbability` at full load. */
  readonly lockTimeoutAbove: number;
  readonly lockTimeoutProbability: number;
  /** Writers at once from which a batch may deadlock, and with what probability. */
  readonly deadlockWriters: number;
  readonly deadlockProbability: number;
  /** The p95 write latency limit configured for the adaptive controller, ms. */
  readonly latencyThresholdMs: number;
}

/** A simulated period: the curves, the flows and the target. */
export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** The virtual clock starts here (epoch ms); the time before `measureFrom` is warm-up. */
  readonly startAt: number;
  /** Staleness, load and counts are measured from here (epoch ms)… */
  readonly measureFrom: number;
  /** …to here (epoch ms), where the simulation ends. */
  readonly endAt: number;
  readonly flows: readonly SimulatedFlow[];
  readonly target: TargetModel;
  /** Batch size of the fixed cadences (and the adaptive flows' base batch). */
  readonly batch: number;
  /** Change-rate multiplier at an instant: 1.0 is an ordinary weekday's busiest hour. */
  changeRate(at: number): number;
  /** Load of the target's own users at an instant, 0..1 of its capacity. */
  background(at: number): number;
}

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function settings(priority: Priority): AdaptiveSettings {
  const common = { priority, baseBatch: 500, maxBatch: 2_000 };
  if (priority === 'high')
    return {
      ...common,
      baseIntervalMs: MIN,
      minIntervalMs: 30_000,
      maxIntervalMs: 10 * MIN,
      freshnessMs: MIN,
    };
  if (priority === 'normal')
    return {
      ...common,
      baseIntervalMs: 5 * MIN,
      minIntervalMs: MIN,
      maxIntervalMs: HOUR,
      freshnessMs: 15 * MIN,
    };
  return {
    ...common,
    baseIntervalMs: 15 * MIN,
    minIntervalMs: 5 * MIN,
    maxIntervalMs: 4 * HOUR,
    freshnessMs: HOUR,
  };
}

/** Six flows in three tiers, all writing to one ERP. */
export const RETAIL_FLOWS: readonly SimulatedFlow[] = [
  { name: 'orders', priority: 'high', peakRatePerMin: 1_500, settings: settings('high') },
  { name: 'stock', priority: 'high', peakRatePerMin: 3_000, settings: settings('high') },
  { name: 'customers', priority: 'normal', peakRatePerMin: 1_000, settings: settings('normal') },
  { name: 'contacts', priority: 'normal', peakRatePerMin: 1_500, settings: settings('normal') },
  { name: 'invoices', priority: 'low', peakRatePerMin: 2_500, settings: settings('low') },
  { name: 'prices', priority: 'low', peakRatePerMin: 4_000, settings: settings('low') },
];

/** A mid-size ERP database behind an API gateway that throttles when saturated. */
export const ERP_TARGET: TargetModel = {
  name: 'ERP',
  capacityRowsPerSec: 5_000,
  connectionRowsPerSec: 2_000,
  fixedLatencyMs: 150,
  batchOverheadRows: 50,
  overloadUtilization: 0.7,
  throttleAbove: 0.95,
  throttleProbability: 0.5,
  retryAfterSeconds: 30,
  lockTimeoutAbove: 0.85,
  lockTimeoutProbability: 0.3,
  deadlockWriters: 3,
  deadlockProbability: 0.005,
  latencyThresholdMs: 1_000,
};

/** Piecewise-linear curve through (hour of day, value) points. */
function curve(points: readonly (readonly [number, number])[]): (hour: number) => number {
  return (hour) => {
    for (let index = 1; index < points.length; index += 1) {
      const [h1, v1] = points[index - 1] ?? [0, 0];
      const [h2, v2] = points[index] ?? [24, 0];
      if (hour <= h2) return v1 + ((v2 - v1) * (hour - h1)) / (h2 - h1);
    }
    return points[points.length - 1]?.[1] ?? 0;
  };
}

/** Changes through an ordinary weekday: quiet nights, busy mornings and afternoons. */
const weekdayChanges = curve([
  [0, 0.08], [6, 0.08], [8, 0.5], [10, 1], [12, 0.8], [13, 0.9], [15, 1], [17, 0.7],
  [19, 0.45], [21, 0.35], [23, 0.12], [24, 0.08],
]); // prettier-ignore

/** The ERP's own users: warehouse and back office by day, batch jobs at night. */
const weekdayBackground = curve([
  [0, 0.08], [7, 0.1], [9, 0.4], [12, 0.35], [13, 0.4], [17, 0.4], [19, 0.25], [22, 0.12], [24, 0.08],
]); // prettier-ignore

const hourOf = (at: number): number => (at % DAY) / HOUR;
/** Monday 0 … Sunday 6, in UTC (the model's clock). */
const weekdayOf = (at: number): number => (Math.floor(at / DAY) + 3) % 7;
const isWeekend = (at: number): boolean => weekdayOf(at) >= 5;

function ordinaryChangeRate(at: number): number {
  return weekdayChanges(hourOf(at)) * (isWeekend(at) ? 0.5 : 1);
}

function ordinaryBackground(at: number): number {
  return weekdayBackground(hourOf(at)) * (isWeekend(at) ? 0.6 : 1);
}

/** Linear ramp from 0 at `from` to 1 at `to`. */
const ramp = (at: number, from: number, to: number): number =>
  Math.min(1, Math.max(0, (at - from) / (to - from)));

/**
 * An ordinary weekday (Tuesday 3 November 2026, UTC), after two ordinary weeks of warm-up so the
 * forecaster has learned the week.
 */
export function dayScenario(flows = RETAIL_FLOWS, target = ERP_TARGET): Scenario {
  const measureFrom = Date.parse('2026-11-03T00:00:00Z');
  return {
    name: 'day',
    title: 'An ordinary weekday',
    startAt: measureFrom - 15 * DAY,
    measureFrom,
    endAt: measureFrom + DAY,
    flows,
    target,
    batch: 500,
    changeRate: ordinaryChangeRate,
    background: ordinaryBackground,
  };
}

/**
 * The festival week of 9–15 November 2026 (UTC), after two ordinary weeks of warm-up: busier
 * days before the festival, then from Tuesday 20:00 a 10× peak of changes until 02:00 while the
 * ERP's own load rises too, a 3× festival day and a 5× second wave on Wednesday evening.
 */
export function festivalWeekScenario(flows = RETAIL_FLOWS, target = ERP_TARGET): Scenario {
  const measureFrom = Date.parse('2026-11-09T00:00:00Z');
  const eve = Date.parse('2026-11-10T20:00:00Z');
  const festivalDay = Date.parse('2026-11-11T00:00:00Z');
  const changeRate = (at: number): number => {
    const ordinary = ordinaryChangeRate(at);
    if (at < measureFrom || at >= festivalDay + DAY + 2 * HOUR) return ordinary;
    if (at < eve - HOUR) return ordinary * (at < eve - DAY ? 1.2 : 1.5);
    if (at < eve + 6 * HOUR) {
      // Up to 10× the ordinary busiest hour by 20:00, held until 01:00, down by 02:00.
      const rise = ramp(at, eve - HOUR, eve);
      const fall = 1 - ramp(at, eve + 5 * HOUR, eve + 6 * HOUR);
      return Math.max(ordinary, 10 * Math.min(rise, fall));
    }
    if (at < festivalDay + 20 * HOUR) return ordinary * 3;
    return Math.max(ordinary, 5 * (1 - ramp(at, festivalDay + DAY, festivalDay + DAY + 2 * HOUR)));
  };
  const background = (at: number): number => {
    const ordinary = ordinaryBackground(at);
    if (at < eve - HOUR || at >= eve + 6 * HOUR) return ordinary;
    const rise = ramp(at, eve - HOUR, eve);
    const fall = 1 - ramp(at, eve + 5 * HOUR, eve + 6 * HOUR);
    return Math.max(ordinary, 0.45 * Math.min(rise, fall));
  };
  return {
    name: 'festival-week',
    title: 'A festival week with a 10× peak',
    startAt: measureFrom - 14 * DAY,
    measureFrom,
    endAt: measureFrom + 7 * DAY,
    flows,
    target,
    batch: 500,
    changeRate,
    background,
  };
}

/**
 * A short scenario for tests: a weekday morning, 08:00–14:00 UTC after an hour of warm-up, with
 * a flash sale from 10:30 to 11:30 (`saleFactor`× changes, the ERP's own load up to 45%); with a
 * factor of 1 or less, an ordinary morning.
 */
export function flashSaleScenario(saleFactor = 10, flows = RETAIL_FLOWS, target = ERP_TARGET): Scenario {
  const measureFrom = Date.parse('2026-11-03T08:00:00Z');
  const sale = Date.parse('2026-11-03T10:30:00Z');
  const shape = (at: number): number =>
    saleFactor <= 1
      ? 0
      : Math.min(ramp(at, sale - HOUR / 2, sale), 1 - ramp(at, sale + HOUR, sale + 1.5 * HOUR));
  return {
    name: saleFactor <= 1 ? 'morning' : 'flash-sale',
    title:
      saleFactor <= 1
        ? 'An ordinary weekday morning'
        : `A weekday morning with a one-hour ${saleFactor}× flash sale`,
    startAt: measureFrom - HOUR,
    measureFrom,
    endAt: measureFrom + 6 * HOUR,
    flows,
    target,
    batch: 500,
    changeRate: (at) => Math.max(ordinaryChangeRate(at), saleFactor * shape(at)),
    background: (at) => Math.max(ordinaryBackground(at), 0.45 * shape(at)),
  };
}
