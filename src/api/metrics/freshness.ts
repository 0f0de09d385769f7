import type { Checkpoint } from '../../core/connector.js';

/** A timestamp with a zone (`Z`, `+00`, `+08:00`, `-0500`): date, `T` or space, time, fraction. */
const ZONED_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * The instant a cursor value names, epoch ms, when it is a timestamp with a zone; undefined for
 * numbers, dates and timestamps without a zone (their instant would be a guess).
 */
export function cursorInstant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = ZONED_TIMESTAMP.exec(value);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const wall = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second ?? 0),
    Number((fraction ?? '').slice(0, 3).padEnd(3, '0')),
  );
  return wall - zoneOffsetMs(zone ?? 'Z');
}

function zoneOffsetMs(zone: string): number {
  if (zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return (zone.startsWith('-') ? -1 : 1) * minutes * 60_000;
}

/** The source time the target has caught up to, and where it came from. */
export interface FreshnessMark {
  /** Epoch ms. */
  readonly at: number;
  readonly from: 'cursor' | 'last-success';
}

/**
 * The source time of the newest change the target has: the checkpoint's cursor when it is a
 * timestamp with a zone (an incremental read past the initial scan), else the start of the last
 * successful cycle (every change committed before it was read); undefined before any success.
 */
export function freshnessMark(
  checkpoint: Checkpoint | undefined,
  lastSuccessAt: string | undefined,
): FreshnessMark | undefined {
  const cursor = checkpoint?.phase === 'initial' ? undefined : cursorInstant(checkpoint?.cursor);
  if (cursor !== undefined) return { at: cursor, from: 'cursor' };
  const success = lastSuccessAt === undefined ? Number.NaN : Date.parse(lastSuccessAt);
  return Number.isFinite(success) ? { at: success, from: 'last-success' } : undefined;
}

/** Seconds from the mark to `now`, never negative (a source clock ahead of ours is not "fresher than now"). */
export function freshnessLagSeconds(mark: FreshnessMark, now: number): number {
  return Math.max(0, (now - mark.at) / 1000);
}
