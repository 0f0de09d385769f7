/** A span of time, epoch ms, with what it is. */
export interface Span {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** A daily span of wall-clock time: minutes after midnight; an end not after the start crosses midnight. */
export interface DailySpan {
  readonly startMinute: number;
  readonly endMinute: number;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** The offset of `zone` from UTC at an instant, ms (`+08:00` is 28,800,000). */
export function offsetMs(atMs: number, zone: string): number {
  const parts: Record<string, number> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  for (const part of format.formatToParts(new Date(atMs)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return asUtc - Math.floor(atMs / 1_000) * 1_000;
}

/**
 * The instants a daily span covers between `from` and `to` (epoch ms), in `zone`, clipped to the
 * range: what the cadence timeline shades for a window or a daily peak. `days` (`sun`…`sat`) keeps
 * only spans starting on those days of the week.
 */
export function dailySpans(
  span: DailySpan,
  zone: string,
  from: number,
  to: number,
  label: string,
  days?: readonly string[],
): Span[] {
  const spans: Span[] = [];
  const length = ((span.endMinute - span.startMinute + 1_440) % 1_440 || 1_440) * 60_000;
  // Local midnights from the day before `from` (a span crossing midnight starts then) to `to`.
  const firstOffset = offsetMs(from, zone);
  let midnight = Math.floor((from + firstOffset) / DAY_MS) * DAY_MS - DAY_MS;
  for (let day = 0; day < 60 && midnight - DAY_MS < to; day += 1, midnight += DAY_MS) {
    if (days !== undefined && !days.includes(WEEKDAYS[new Date(midnight).getUTCDay()] ?? '')) continue;
    const wallStart = midnight + span.startMinute * 60_000;
    const start = wallStart - offsetMs(wallStart - firstOffset, zone);
    const end = start + length;
    if (end > from && start < to) spans.push({ from: Math.max(from, start), to: Math.min(to, end), label });
  }
  return spans;
}
