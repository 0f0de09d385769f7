import { offsetMsAt } from './zoned-time.js';

/**
 * Changes one flow read over a span of time, from its run history: a run that started at `at`
 * read `changes` that accumulated since the previous run started, `durationMs` before.
 */
export interface ChangeObservation {
  /** End of the span, epoch ms (the run's start). */
  readonly at: number;
  /** Changes that accumulated over the span. */
  readonly changes: number;
  /** Length of the span, ms (since the previous run's start, not the run's own duration). */
  readonly durationMs: number;
}

/** Options of a {@link Forecaster}. */
export interface ForecasterOptions {
  /** IANA zone whose hours of the week the profile follows. Default UTC. */
  readonly timeZone?: string;
  /** Weight of the newest week in each hour's smoothed rate, 0..1. Default 0.4. */
  readonly smoothing?: number;
  /** Weeks an hour of the week must have been seen before it counts as learned. Default 2. */
  readonly minSamplesPerHour?: number;
  /** Share of the 168 hours of the week that must be learned before the forecaster acts. Default 0.9. */
  readonly minCoverage?: number;
}

/** Why the forecaster acts or not, for `syncline status`. */
export interface ForecasterStatus {
  readonly isWarm: boolean;
  /** Readable: `learning: 40 of 168 hours of the week seen twice, needs 152 (about 2 weeks of history)`. */
  readonly reason: string;
  /** Hours of the week learned (seen at least `minSamplesPerHour` times). */
  readonly hoursLearned: number;
  /** Hours of the week that must be learned before acting. */
  readonly hoursNeeded: number;
}

/** A peak of the change rate predicted within a look-ahead. */
export interface PredictedPeak {
  /** Predicted peak rate, changes per minute. */
  readonly rate: number;
  /** When it is predicted, epoch ms (start of its quarter hour). */
  readonly at: number;
  /** The predicted rate now, changes per minute. */
  readonly currentRate: number;
}

/** A forecaster's learned profile as plain JSON, to keep it across restarts. */
export interface ForecasterState {
  readonly levels: readonly number[];
  readonly samples: readonly number[];
  readonly openHour:
    { readonly hour: number; readonly changes: number; readonly coveredMs: number } | undefined;
  readonly processedUntil: number | undefined;
}

const HOUR_MS = 3_600_000;
const SLOT_MS = 900_000;
const WEEK_HOURS = 168;
// Local hour number 0 is 1970-01-01 00:00, a Thursday; hour of week 0 is Monday 00:00.
const THURSDAY_HOUR_OF_WEEK = 72;

/**
 * Learns a flow's change rate by hour of the week (a seasonal profile, each hour exponentially
 * smoothed across weeks) from its run history, and predicts it. It does not act until it has
 * seen most hours of the week at least twice — about two weeks of history — and says so in
 * {@link Forecaster.status}. Spans are split into quarter hours and spread evenly, so hours are
 * local to the zone even for zones with a half- or quarter-hour offset and across daylight-saving
 * switches. Pure: no clock, no I/O.
 */
export class Forecaster {
  readonly #zone: string;
  readonly #smoothing: number;
  readonly #minSamples: number;
  readonly #hoursNeeded: number;
  readonly #levels: number[] = new Array<number>(WEEK_HOURS).fill(0);
  readonly #samples: number[] = new Array<number>(WEEK_HOURS).fill(0);
  #open: { hour: number; changes: number; coveredMs: number } | undefined;
  #processedUntil: number | undefined;

  constructor(options: ForecasterOptions = {}, state?: ForecasterState) {
    this.#zone = options.timeZone ?? 'UTC';
    this.#smoothing = options.smoothing ?? 0.4;
    this.#minSamples = options.minSamplesPerHour ?? 2;
    this.#hoursNeeded = Math.ceil((options.minCoverage ?? 0.9) * WEEK_HOURS);
    if (state !== undefined) {
      state.levels.forEach((level, hour) => (this.#levels[hour] = level));
      state.samples.forEach((count, hour) => (this.#samples[hour] = count));
      this.#open = state.openHour === undefined ? undefined : { ...state.openHour };
      this.#processedUntil = state.processedUntil;
    }
  }

  /** Learns from one observation; a span overlapping what was already seen counts only past it. */
  observe(observation: ChangeObservation): void {
    const { at: end, changes, durationMs } = observation;
    if (!(durationMs > 0) || !(changes >= 0)) return;
    const start = Math.max(end - durationMs, this.#processedUntil ?? -Infinity);
    const perMs = changes / durationMs;
    for (let at = start; at < end;) {
      const slotEnd = Math.min(end, (Math.floor(at / SLOT_MS) + 1) * SLOT_MS);
      const hour = this.#localHour(at);
      if (this.#open !== undefined && this.#open.hour !== hour) this.#fold();
      this.#open ??= { hour, changes: 0, coveredMs: 0 };
      this.#open.changes += perMs * (slotEnd - at);
      this.#open.coveredMs += slotEnd - at;
      at = slotEnd;
    }
    if (end > (this.#processedUntil ?? -Infinity)) this.#processedUntil = end;
  }

  /** Predicted change rate at `at` (epoch ms), changes per minute; undefined for an hour never seen. */
  predict(at: number): number | undefined {
    const hour = hourOfWeek(this.#localHour(at));
    return (this.#samples[hour] ?? 0) > 0 ? this.#levels[hour] : undefined;
  }

  /** Whether enough history was seen to act on the predictions. */
  isWarm(): boolean {
    return this.#hoursLearned() >= this.#hoursNeeded;
  }

  /** Whether the forecaster acts, and why not yet. */
  status(): ForecasterStatus {
    const hoursLearned = this.#hoursLearned();
    const hoursNeeded = this.#hoursNeeded;
    const times = this.#minSamples === 2 ? 'twice' : `${this.#minSamples} times`;
    let reason: string;
    if (hoursLearned >= hoursNeeded) {
      reason = `warm: ${hoursLearned} of ${WEEK_HOURS} hours of the week learned`;
    } else if (this.#processedUntil === undefined) {
      reason = `no run history yet; acts after about ${this.#minSamples} weeks of runs`;
    } else {
      reason = `learning: ${hoursLearned} of ${WEEK_HOURS} hours of the week seen ${times}, needs ${hoursNeeded} (about ${this.#minSamples} weeks of history) before it acts`;
    }
    return { isWarm: hoursLearned >= hoursNeeded, reason, hoursLearned, hoursNeeded };
  }

  /**
   * The highest predicted rate within `horizonMs` after `now`, when it is at least `minRatio`
   * times the rate now (or 1 change/min, whichever is more); undefined when there is no such peak
   * or the forecaster is not warm yet.
   */
  upcomingPeak(now: number, horizonMs: number, minRatio = 1.5): PredictedPeak | undefined {
    if (!this.isWarm()) return undefined;
    const currentRate = this.predict(now);
    if (currentRate === undefined) return undefined;
    let peak: PredictedPeak | undefined;
    for (let at = (Math.floor(now / SLOT_MS) + 1) * SLOT_MS; at <= now + horizonMs; at += SLOT_MS) {
      const rate = this.predict(at);
      if (rate !== undefined && rate > (peak?.rate ?? -Infinity)) peak = { rate, at, currentRate };
    }
    return peak !== undefined && peak.rate >= minRatio * Math.max(currentRate, 1) ? peak : undefined;
  }

  /** The learned profile as plain JSON (see the constructor's `state`). */
  toState(): ForecasterState {
    return {
      levels: [...this.#levels],
      samples: [...this.#samples],
      openHour: this.#open === undefined ? undefined : { ...this.#open },
      processedUntil: this.#processedUntil,
    };
  }

  /** Folds the hour in progress into its hour of the week, when at least half of it was seen. */
  #fold(): void {
    const open = this.#open;
    this.#open = undefined;
    if (open === undefined || open.coveredMs < HOUR_MS / 2) return;
    const rate = open.changes / (open.coveredMs / 60_000);
    const hour = hourOfWeek(open.hour);
    const seen = this.#samples[hour] ?? 0;
    const level = this.#levels[hour] ?? 0;
    this.#levels[hour] = seen === 0 ? rate : level + this.#smoothing * (rate - level);
    this.#samples[hour] = seen + 1;
  }

  #hoursLearned(): number {
    return this.#samples.filter((count) => count >= this.#minSamples).length;
  }

  /** The local hour number (hours since 1970-01-01 00:00 local) of an instant. */
  #localHour(at: number): number {
    // Offsets are whole quarter hours in every zone, so one lookup per quarter hour suffices.
    const offset = this.#zone === 'UTC' ? 0 : offsetMsAt(Math.floor(at / SLOT_MS) * SLOT_MS, this.#zone);
    return Math.floor((at + offset) / HOUR_MS);
  }
}

function hourOfWeek(localHour: number): number {
  return (((localHour + THURSDAY_HOUR_OF_WEEK) % WEEK_HOURS) + WEEK_HOURS) % WEEK_HOURS;
}
