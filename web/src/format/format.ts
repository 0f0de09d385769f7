import type { Locale } from '../i18n/i18n';

/** A whole number or decimal in the locale's grouping: `12,345` / `12,345`. */
export function formatNumber(value: number, locale: Locale, fractionDigits = 0): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: fractionDigits }).format(value);
}

/** A share 0..1 as a percentage: `98.5%`. */
export function formatPercent(share: number, locale: Locale): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

/** A change as a signed percentage: `+12%`, `−3%`. */
export function formatGrowth(ratio: number, locale: Locale): string {
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    maximumFractionDigits: 0,
    signDisplay: 'exceptZero',
  }).format(ratio);
}

/** The change from `before` to `now` as a ratio (0.12 = +12%); undefined when before is 0. */
export function growthOf(now: number, before: number): number | undefined {
  return before === 0 ? undefined : (now - before) / before;
}

/** Succeeded of all, 0..1; undefined when nothing ran. */
export function successRate(succeeded: number, all: number): number | undefined {
  return all === 0 ? undefined : succeeded / all;
}

/** A date and time in the viewer's zone, with the zone named: `2026/12/3 17:05:09 GMT+8`. */
export function formatDateTime(iso: string, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

/** A time of day in the viewer's zone (chart axes): `17:05`. */
export function formatTimeOfDay(atMs: number, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(atMs));
}

const UNITS = [
  { unit: 'day', ms: 86_400_000 },
  { unit: 'hour', ms: 3_600_000 },
  { unit: 'minute', ms: 60_000 },
  { unit: 'second', ms: 1_000 },
] as const;

/** A duration in the locale's words, to two units: `2 hr, 5 min` / `2小时5分钟`; `0 sec` below a second. */
export function formatDuration(ms: number, locale: Locale): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  for (const { unit, ms: size } of UNITS) {
    if (parts.length === 2) break;
    const count = Math.floor(rest / size);
    if (count === 0 && parts.length === 0) continue;
    if (count > 0)
      parts.push(new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }).format(count));
    rest -= count * size;
    if (parts.length > 0 && count === 0) break;
  }
  if (parts.length === 0)
    return new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short' }).format(0);
  return parts.join(locale === 'zh-CN' ? '' : ' ');
}

/** How fresh a flow is against its objective: within it, within twice it, beyond, or no objective. */
export type FreshnessLight = 'green' | 'amber' | 'red' | 'unknown';

/** The traffic light of a flow whose newest success is `ageMs` old. */
export function freshnessLight(ageMs: number | undefined, objectiveMs: number | null): FreshnessLight {
  if (objectiveMs === null || ageMs === undefined) return 'unknown';
  if (ageMs <= objectiveMs) return 'green';
  return ageMs <= 2 * objectiveMs ? 'amber' : 'red';
}

/** The viewer's time zone (IANA). */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
