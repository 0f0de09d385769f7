/** A date and wall-clock time as written in the config, before any time zone applies. */
export interface DateTimeText {
  readonly year: number;
  /** 1..12. */
  readonly month: number;
  /** 1..31. */
  readonly day: number;
  /** 0..23. */
  readonly hour: number;
  /** 0..59. */
  readonly minute: number;
  /** 0..59. */
  readonly second: number;
  /** Explicit offset from UTC in ms (`+08:00` → 28,800,000; `Z` → 0); undefined when none is written. */
  readonly offsetMs: number | undefined;
}

/** A daily span of wall-clock time as written in the config (`01:00-05:00`). */
export interface WindowText {
  /** Minutes after midnight, 0..1439. */
  readonly startMinute: number;
  /** Minutes after midnight, 0..1439; not after `startMinute` means the span crosses midnight. */
  readonly endMinute: number;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/;
const WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Parses `2026-11-10T20:00`, `2026-11-10T20:00:30`, or either with an offset (`+08:00`, `Z`).
 * Undefined when the text has another shape or names no real date and time.
 */
export function parseDateTimeText(text: string): DateTimeText | undefined {
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match
    .slice(1, 7)
    .map((part: string | undefined) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > lastDay || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const offset = match[7];
  let offsetMs: number | undefined;
  if (offset === 'Z') offsetMs = 0;
  else if (offset !== undefined) {
    const sign = offset.startsWith('-') ? -1 : 1;
    offsetMs = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
  }
  return { year, month, day, hour, minute, second, offsetMs };
}

/** Parses `HH:MM-HH:MM`; undefined for another shape or when start and end are equal. */
export function parseWindowText(text: string): WindowText | undefined {
  const match = WINDOW.exec(text);
  if (match === null) return undefined;
  const [, startHour, startMinute, endHour, endMinute] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const start = startHour * 60 + startMinute;
  const end = endHour * 60 + endMinute;
  return start === end ? undefined : { startMinute: start, endMinute: end };
}
