import type { DateTimeText } from '../config/calendar-text.js';

/** A calendar date, without a zone. `month` is 1..12. */
export interface LocalDate {
  readonly year: number;
  /** 1..12. */
  readonly month: number;
  /** 1..31. */
  readonly day: number;
}

/** A calendar date and wall-clock time, without a zone. */
export interface WallTime extends LocalDate {
  /** 0..23. */
  readonly hour: number;
  /** 0..59. */
  readonly minute: number;
  /** 0..59; default 0. */
  readonly second?: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * The zone Syncline uses when a cadence names none: the machine's zone as Node resolves it (the
 * `TZ` variable, else the system setting; containers usually say UTC).
 */
export function machineTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The wall-clock time in `zone` at an instant (epoch ms), to the second. */
export function wallTimeAt(atMs: number, zone: string): Required<WallTime> {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(zone).formatToParts(new Date(atMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The calendar date in `zone` at an instant. */
export function localDateAt(atMs: number, zone: string): LocalDate {
  const { year, month, day } = wallTimeAt(atMs, zone);
  return { year, month, day };
}

function wallAsUtcMs(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
}

/** Offsets already asked for, per zone and second: schedules ask for the same midnights again and again. */
const offsetCache = new Map<string, number>();
const OFFSET_CACHE_SIZE = 10_000;

/** The offset of `zone` from UTC at an instant, in ms (`+08:00` is 28,800,000). */
export function offsetMsAt(atMs: number, zone: string): number {
  const wholeSecond = Math.floor(atMs / 1_000) * 1_000;
  const key = `${zone}|${wholeSecond}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = wallAsUtcMs(wallTimeAt(wholeSecond, zone)) - wholeSecond;
    if (offsetCache.size >= OFFSET_CACHE_SIZE) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/**
 * The instant (epoch ms) a wall-clock time in `zone` names. Deterministic at daylight-saving
 * switches: a time that does not exist (in the gap of a spring-forward switch) moves forward by
 * the length of the gap (02:30 → 03:30 in Berlin on 29 March 2026); a time that exists twice (in
 * the overlap of a fall-back switch) is its first occurrence (the one still in summer time).
 */
export function epochOfWallTime(wall: WallTime, zone: string): number {
  const asUtc = wallAsUtcMs(wall);
  // Offsets a day before and after: at most one switch lies between, in every real zone.
  const before = offsetMsAt(asUtc - DAY_MS, zone);
  const after = offsetMsAt(asUtc + DAY_MS, zone);
  if (before === after) return asUtc - before;
  const candidates = [asUtc - before, asUtc - after].filter(
    (candidate) => candidate + offsetMsAt(candidate, zone) === asUtc,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  return asUtc - before;
}

/** The date `days` after (or before, when negative) `date`. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** Day of the week of a date: 0 Sunday … 6 Saturday (as `Date#getDay`). */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** Days in a month (`month` 1..12): 28..31. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whole days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS);
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** Formats an offset in ms as `+08:00` / `-05:00`. */
export function formatOffset(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? '-' : '+'}${twoDigits(Math.floor(minutes / 60))}:${twoDigits(minutes % 60)}`;
}

/**
 * An instant as wall-clock time in `zone` with its offset, to the minute (seconds only when not
 * zero): `2026-11-12T02:00+08:00`.
 */
export function formatInZone(atMs: number, zone: string): string {
  const wall = wallTimeAt(atMs, zone);
  const seconds = wall.second === 0 ? '' : `:${twoDigits(wall.second)}`;
  return (
    `${String(wall.year).padStart(4, '0')}-${twoDigits(wall.month)}-${twoDigits(wall.day)}` +
    `T${twoDigits(wall.hour)}:${twoDigits(wall.minute)}${seconds}${formatOffset(offsetMsAt(atMs, zone))}`
  );
}

/**
 * The instant of a date and time from the config (an absolute peak's `from`/`to`): its explicit
 * offset when it has one, else wall-clock time in `zone`.
 */
export function epochOfDateTime(dateTime: DateTimeText, zone: string): number {
  if (dateTime.offsetMs === undefined) return epochOfWallTime(dateTime, zone);
  return wallAsUtcMs(dateTime) - dateTime.offsetMs;
}
