import type { ForecastInput } from './adaptive-decision.js';
import { Forecaster, type ForecasterState, type ForecasterStatus } from './forecaster.js';
import { cadenceTimeZone } from './peak-calendar.js';
import type { Flow } from '../core/flow.js';
import type { Logger } from '../core/logger.js';
import type { RunRecord, RunStatus, StateStore } from '../core/state-store.js';
import type { JsonValue } from '../core/values.js';

/** Flow meta where a flow's learned change-rate profile is kept across restarts. */
export const FORECASTER_META = 'cadence.forecaster';
/** Flow meta with the forecaster's status (`syncline status` shows its reason). */
export const FORECASTER_STATUS_META = 'cadence.forecaster.status';

/** Runs read from history when a flow registers. */
const HISTORY_RUNS = 2_000;
/** How far ahead a predicted peak raises the cadence. */
const FORECAST_HORIZON_MS = 30 * 60_000;
/** The profile is saved at most this often per flow (history fills any gap after a restart). */
const SAVE_EVERY_MS = 60_000;
const WEEK_HOURS = 168;

/** Runs whose `read` count the forecaster learns from: resyncs and replays touch a few keys only. */
function learnsFrom(run: { readonly status: RunStatus | 'busy'; readonly trigger?: string }): boolean {
  return (
    (run.status === 'succeeded' || run.status === 'aborted') &&
    run.trigger !== 'resync' &&
    run.trigger !== 'replay'
  );
}

interface FlowForecast {
  readonly forecaster: Forecaster;
  /** Start of the newest run learned from, epoch ms: the next run's span begins here. */
  lastRunStart: number | undefined;
  savedAt: number | undefined;
  /** The status reason last saved: a new one is saved at once. */
  savedReason: string | undefined;
}

const isNumbers = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length === WEEK_HOURS && value.every((item) => typeof item === 'number');

/** A saved profile, when it is well formed and was learned in the same time zone. */
function restoredState(value: JsonValue | undefined, timeZone: string): ForecasterState | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { levels, samples, openHour, processedUntil } = value;
  if (value.timeZone !== timeZone || !isNumbers(levels) || !isNumbers(samples)) return undefined;
  const open =
    openHour !== null &&
    typeof openHour === 'object' &&
    !Array.isArray(openHour) &&
    typeof openHour.hour === 'number' &&
    typeof openHour.changes === 'number' &&
    typeof openHour.coveredMs === 'number'
      ? { hour: openHour.hour, changes: openHour.changes, coveredMs: openHour.coveredMs }
      : undefined;
  return {
    levels,
    samples,
    openHour: open,
    processedUntil: typeof processedUntil === 'number' ? processedUntil : undefined,
  };
}

/**
 * One forecaster per adaptive flow, fed with the runs of the flow: restored from flow meta on
 * register and caught up from run history (or seeded from it on first use), taught by every
 * cycle, saved at most once a minute. Hours of the week are those of the cadence's time zone.
 */
export class FlowForecasts {
  readonly #flows = new Map<string, FlowForecast>();
  readonly #timeZones = new Map<string, string>();
  readonly #state: StateStore;
  readonly #logger: Logger;

  constructor(state: StateStore, logger: Logger) {
    this.#state = state;
    this.#logger = logger;
  }

  /** Restores the flow's profile and learns the runs since it was saved; never throws. */
  async register(flow: Flow, at: number): Promise<void> {
    const timeZone = cadenceTimeZone(flow.cadence);
    this.#timeZones.set(flow.name, timeZone);
    let entry: FlowForecast = {
      forecaster: new Forecaster({ timeZone }),
      lastRunStart: undefined,
      savedAt: undefined,
      savedReason: undefined,
    };
    try {
      const saved = restoredState(await this.#state.getFlowMeta(flow.name, FORECASTER_META), timeZone);
      const forecaster = new Forecaster({ timeZone }, saved);
      const runs = await this.#state.listRuns({ flow: flow.name, limit: HISTORY_RUNS });
      let previous = saved?.processedUntil;
      for (const run of runs.filter(learnsFrom).reverse()) {
        const start = Date.parse(run.startedAt);
        if (!Number.isFinite(start)) continue;
        if (previous !== undefined && start > previous)
          forecaster.observe({ at: start, changes: run.counts.read, durationMs: start - previous });
        previous = Math.max(previous ?? -Infinity, start);
      }
      entry = { forecaster, lastRunStart: previous, savedAt: undefined, savedReason: undefined };
    } catch (error) {
      this.#logger.warn(
        `flow ${flow.name}: forecaster starts without history (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    this.#flows.set(flow.name, entry);
    await this.#save(flow.name, entry, at);
  }

  /**
   * Learns from a cycle that started at `startedAt` and read `read` changes; saves the profile at
   * most once a minute, or at once when the status changes.
   */
  async afterRun(
    flow: string,
    run: { readonly startedAt: number; readonly read: number; readonly status: RunRecord['status'] | 'busy' },
    at: number,
  ): Promise<void> {
    const entry = this.#flows.get(flow);
    if (entry === undefined || !learnsFrom(run)) return;
    const previous = entry.lastRunStart;
    if (previous !== undefined && run.startedAt > previous)
      entry.forecaster.observe({
        at: run.startedAt,
        changes: run.read,
        durationMs: run.startedAt - previous,
      });
    entry.lastRunStart = Math.max(previous ?? -Infinity, run.startedAt);
    const isDue = entry.savedAt === undefined || at - entry.savedAt >= SAVE_EVERY_MS;
    if (isDue || entry.forecaster.status().reason !== entry.savedReason) await this.#save(flow, entry, at);
  }

  /** The peak predicted within the next 30 minutes, only once the forecaster is warm. */
  forecast(flow: string, at: number): ForecastInput | undefined {
    const forecaster = this.#flows.get(flow)?.forecaster;
    if (forecaster?.isWarm() !== true) return undefined;
    return forecaster.upcomingPeak(at, FORECAST_HORIZON_MS);
  }

  /** Whether the flow's forecaster acts, and why not yet. */
  status(flow: string): ForecasterStatus | undefined {
    return this.#flows.get(flow)?.forecaster.status();
  }

  async #save(flow: string, entry: FlowForecast, at: number): Promise<void> {
    entry.savedAt = at;
    entry.savedReason = entry.forecaster.status().reason;
    try {
      const state = JSON.parse(
        JSON.stringify({ timeZone: this.#timeZones.get(flow), ...entry.forecaster.toState() }),
      ) as JsonValue;
      const status = { ...entry.forecaster.status(), at: new Date(at).toISOString() };
      await this.#state.setFlowMeta(flow, FORECASTER_META, state);
      await this.#state.setFlowMeta(flow, FORECASTER_STATUS_META, status);
    } catch (error) {
      this.#logger.warn(
        `flow ${flow}: forecaster profile not saved (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
}
