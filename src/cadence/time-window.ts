import { addDays, epochOfWallTime, localDateAt, type LocalDate } from './zoned-time.js';

/**
 * A daily span of wall-clock time such as `01:00-05:00`. When `endMinute` is not after
 * `startMinute` the span crosses midnight (`22:00-02:00` ends on the next day).
 */
export interface TimeWindow {
  /** Minutes after midnight, 0..1439. */
  readonly startMinute: number;
  /** Minutes after midnight, 0..1440; 1440 is the next midnight. */
  readonly endMinute: number;
  /** As written in the config, for messages. */
  readonly text: string;
}

/** One occurrence of a window or peak: from `startMs` (included) to `endMs` (excluded), epoch ms. */
export interface Occurrence {
  readonly startMs: number;
  readonly endMs: number;
}

/** Which local dates an occurrence may start on; default every date. */
export type DayFilter = (date: LocalDate) => boolean;

/** The whole day, midnight to midnight: a peak that names days but no `between`. */
export const WHOLE_DAY: TimeWindow = { startMinute: 0, endMinute: 1_440, text: '00:00-24:00' };

const everyDay: DayFilter = () => true;
/** How far ahead to look for a matching day: "the 1st of the month that is a Monday" may be 14 months away. */
const SEARCH_DAYS = 450;

/** Whether the window ends on the day after it starts. */
export function crossesMidnight(window: TimeWindow): boolean {
  return window.endMinute <= window.startMinute;
}

function atMinute(date: LocalDate, minuteOfDay: number, zone: string): number {
  const day = minuteOfDay >= 1_440 ? addDays(date, 1) : date;
  const minutes = minuteOfDay % 1_440;
  return epochOfWallTime({ ...day, hour: Math.floor(minutes / 60), minute: minutes % 60 }, zone);
}

/**
 * The occurrence of a window that starts on a local date. Wall times in a daylight-saving gap
 * move forward and ambiguous ones take their first occurrence (see `epochOfWallTime`), so an
 * occurrence can be shorter or longer than usual on a switch day, or empty.
 */
export function occurrenceOn(window: TimeWindow, zone: string, date: LocalDate): Occurrence {
  const endDay = crossesMidnight(window) ? addDays(date, 1) : date;
  return {
    startMs: atMinute(date, window.startMinute, zone),
    endMs: atMinute(endDay, window.endMinute, zone),
  };
}

/** The occurrence that contains an instant, if any. */
export function occurrenceAt(
  window: TimeWindow,
  zone: string,
  atMs: number,
  matchesDay: DayFilter = everyDay,
): Occurrence | undefined {
  const today = localDateAt(atMs, zone);
  // Yesterday's occurrence may cross midnight into today.
  for (const date of [addDays(today, -1), today]) {
    if (!matchesDay(date)) continue;
    const occurrence = occurrenceOn(window, zone, date);
    if (occurrence.startMs <= atMs && atMs < occurrence.endMs) return occurrence;
  }
  return undefined;
}

/** The first non-empty occurrence that starts after an instant, if one starts within ~15 months. */
export function nextOccurrence(
  window: TimeWindow,
  zone: string,
  afterMs: number,
  matchesDay: DayFilter = everyDay,
): Occurrence | undefined {
  const today = localDateAt(afterMs, zone);
  for (let offset = -1; offset <= SEARCH_DAYS; offset++) {
    const date = addDays(today, offset);
    if (!matchesDay(date)) continue;
    const occurrence = occurrenceOn(window, zone, date);
    if (occurrence.startMs > afterMs && occurrence.endMs > occurrence.startMs) return occurrence;
  }
  return undefined;
}

/** Whether an instant (epoch ms) lies inside a daily window of wall-clock time in `zone`. */
export function isInWindow(window: TimeWindow, zone: string, atMs: number): boolean {
  return occurrenceAt(window, zone, atMs) !== undefined;
}

/** The instant itself when inside the window, else the start of the window's next occurrence. */
export function nextWindowOpen(window: TimeWindow, zone: string, atMs: number): number {
  if (occurrenceAt(window, zone, atMs) !== undefined) return atMs;
  return nextOccurrence(window, zone, atMs)?.startMs ?? Number.POSITIVE_INFINITY;
}
