import { z } from 'zod';
import { parseDateTimeText, parseWindowText, type DateTimeText } from './calendar-text.js';
import { durationMs, positiveDurationMs } from './duration-schema.js';
import { isKnownTimeZone, isValidCron } from './schedule-checks.js';

/** Days of the week, as `days:` of a recurring peak lists them. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** A daily span of wall-clock time, compiled from `HH:MM-HH:MM`; it may cross midnight. */
export interface DailyWindow {
  /** As written in the config, for messages. */
  readonly text: string;
  /** Minutes after midnight, 0..1439. */
  readonly startMinute: number;
  /** Minutes after midnight; not after `startMinute` means the span crosses midnight. */
  readonly endMinute: number;
}

/** A date and wall-clock time of an absolute peak, compiled; the zone applies when it has no offset. */
export interface PeakDateTime extends DateTimeText {
  /** As written in the config, for messages. */
  readonly text: string;
}

/** A named calendar window with its own interval, compiled from one entry of `peaks:`. */
export interface Peak {
  /** Name shown in schedule reasons and `syncline status`; unique within the flow. */
  readonly name: string;
  /** Interval while the peak is active, in ms (`every`). */
  readonly everyMs: number;
  /** Absolute peak: first instant. */
  readonly from?: PeakDateTime;
  /** Absolute peak: end (excluded). */
  readonly to?: PeakDateTime;
  /** Recurring peak: the days of the week it starts on; undefined: every day. */
  readonly days?: readonly (typeof WEEKDAYS)[number][];
  /** Recurring peak: daily span; undefined: the whole day. */
  readonly between?: DailyWindow;
  /** Recurring peak: days of the month, 1..31 or -1 (last day)…; undefined: every day. */
  readonly monthDays?: readonly number[];
}

/** A flow's cadence, compiled from `cadence:`: exactly one of `everyMs`, `cron` or `realtime`. */
export interface Cadence {
  /** Run this long after the previous cycle ended, in ms (`every`). */
  readonly everyMs?: number;
  /** Five-field cron expression (six with seconds). */
  readonly cron?: string;
  /** IANA zone of `cron`, `window` and the peaks' wall-clock times; undefined: the machine's zone. */
  readonly timezone?: string;
  /** Woken by change events, with a safety poll. */
  readonly realtime?: true;
  /** With `realtime`: the safety poll in ms (`pollInterval`); undefined: 1m with change events, else 1s. */
  readonly pollIntervalMs?: number;
  /** Daily span outside which an `every` or `cron` flow starts no cycle. */
  readonly window?: DailyWindow;
  /** Calendar windows with their own interval; the first listed active one applies. */
  readonly peaks?: readonly Peak[];
  /** Staleness objective of the adaptive controller, in ms (`freshness`). */
  readonly freshnessMs?: number;
  /** Bounds of the adaptive interval in ms, or `false` to keep the cadence fixed. */
  readonly adaptive?: { readonly minMs: number; readonly maxMs: number } | false;
  /** Share of a busy target: a low-priority flow yields before a high one; undefined: normal. */
  readonly priority?: 'high' | 'normal' | 'low';
}

const WINDOW_MESSAGE =
  'expected a daily window "HH:MM-HH:MM" such as "01:00-05:00" (it may cross midnight: "22:00-02:00"; start and end differ)';

/** A daily span of wall-clock time, `HH:MM-HH:MM`; it may cross midnight (`22:00-02:00`). */
export const dailyWindow = z.string().transform((text, context): DailyWindow => {
  const parsed = parseWindowText(text);
  if (parsed === undefined) {
    context.addIssue({ code: 'custom', message: WINDOW_MESSAGE });
    return z.NEVER;
  }
  return { text, ...parsed };
});

/** `2026-11-10T20:00` (in the cadence's time zone), optionally with seconds and an offset (`+08:00`, `Z`). */
const peakDateTime = z.string().transform((text, context): PeakDateTime => {
  const parsed = parseDateTimeText(text);
  if (parsed === undefined) {
    context.addIssue({
      code: 'custom',
      message:
        'expected a date and time such as 2026-11-10T20:00 (in the cadence time zone) or 2026-11-10T20:00+08:00',
    });
    return z.NEVER;
  }
  return { text, ...parsed };
});

/** For ordering `from` and `to`: the instant when the text has an offset, else the wall time as if UTC. */
function sortableMs(parsed: DateTimeText): number {
  const { year, month, day, hour, minute, second, offsetMs } = parsed;
  return Date.UTC(year, month - 1, day, hour, minute, second) - (offsetMs ?? 0);
}

const peak = z
  .strictObject({
    /** Name shown in schedule reasons and `syncline status`; unique within the flow. */
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "_" and "-", starting with a letter'),
    /** Interval while the peak is active; replaces the flow's `every` (or cron, or safety poll). */
    every: positiveDurationMs,
    /** Absolute peak: first instant, `2026-11-10T20:00` in the cadence zone or with an offset. */
    from: peakDateTime.optional(),
    /** Absolute peak: end (excluded); after `from`. */
    to: peakDateTime.optional(),
    /** Recurring peak: the days of the week it starts on; default every day. */
    days: z.array(z.enum(WEEKDAYS)).nonempty().optional(),
    /** Recurring peak: daily span `HH:MM-HH:MM` (may cross midnight); default the whole day. */
    between: dailyWindow.optional(),
    /** Recurring peak: days of the month it starts on, 1..31, or -1 (last day), -2 (second to last)…; default every day. */
    monthDays: z
      .array(
        z
          .number()
          .int()
          .min(-31)
          .max(31)
          .refine((day) => day !== 0, { message: 'use 1..31, or -1 for the last day of the month' }),
      )
      .nonempty()
      .optional(),
  })
  .superRefine((spec, context) => {
    const recurringKeys = (['days', 'between', 'monthDays'] as const).filter(
      (key) => spec[key] !== undefined,
    );
    if (spec.from === undefined && spec.to === undefined) {
      if (recurringKeys.length === 0)
        context.addIssue({
          code: 'custom',
          path: [],
          message:
            'give "from" and "to" (an absolute peak) or "days", "between" and/or "monthDays" (a recurring peak)',
        });
      return;
    }
    for (const key of recurringKeys)
      context.addIssue({
        code: 'custom',
        path: [key],
        message: `an absolute peak ("from"/"to") cannot also have "${key}"; make a second peak for it`,
      });
    for (const key of ['from', 'to'] as const)
      if (spec[key] === undefined)
        context.addIssue({
          code: 'custom',
          path: [key],
          message: 'required with "from"/"to" (an absolute peak)',
        });
    const { from, to } = spec;
    if (from === undefined || to === undefined) return;
    if ((from.offsetMs === undefined) !== (to.offsetMs === undefined))
      context.addIssue({
        code: 'custom',
        path: ['to'],
        message:
          'give an offset on both "from" and "to", or on neither (then both are in the cadence time zone)',
      });
    else if (sortableMs(to) <= sortableMs(from))
      context.addIssue({
        code: 'custom',
        path: ['to'],
        message: `must be after "from" (${from.text})`,
      });
  })
  .transform(({ every, ...rest }): Peak => ({ ...rest, everyMs: every }));

const adaptiveBounds = z
  .strictObject({
    /** Shortest interval the controller may choose. */
    min: durationMs,
    /** Longest interval the controller may choose (when backing off); at least `min`. */
    max: durationMs,
  })
  .refine((bounds) => bounds.min <= bounds.max, { message: 'must be at least "min"', path: ['max'] })
  .transform((bounds) => ({ minMs: bounds.min, maxMs: bounds.max }));

/** The `cadence:` of a flow, compiled to a `Cadence`. */
export const cadenceSchema = z
  .strictObject({
    /** Run each flow this long after its previous cycle ended. */
    every: positiveDurationMs.optional(),
    /** Five-field cron expression (six with seconds). */
    cron: z
      .string()
      .refine(isValidCron, {
        message:
          'not a valid cron expression; use five fields "minute hour day-of-month month day-of-week", e.g. "0 2 * * *"',
      })
      .optional(),
    /** IANA zone of `cron`, `window` and the peaks' wall-clock times; default the machine's zone. */
    timezone: z
      .string()
      .refine(isKnownTimeZone, {
        message: 'unknown time zone; use an IANA name such as Asia/Shanghai or UTC',
      })
      .optional(),
    /** Sync when the source signals a change, and poll every `pollInterval` as a safety net. */
    realtime: z.literal(true).optional(),
    /** With `realtime`: the safety poll; default 1m when change events are installed, else 1s. */
    pollInterval: durationMs.optional(),
    /** Daily span `HH:MM-HH:MM` (may cross midnight) outside which an `every` or `cron` flow starts no cycle. */
    window: dailyWindow.optional(),
    /** Named calendar windows, each with its own interval; the first listed active one applies. */
    peaks: z.array(peak).optional(),
    /** Staleness objective: how old the target's copy may get; used by the adaptive controller. */
    freshness: durationMs.optional(),
    /** Bounds of the interval the adaptive controller may choose, or `false` to keep the cadence fixed. */
    adaptive: z.union([adaptiveBounds, z.literal(false)]).optional(),
    /** Share of a busy target: a low-priority flow yields before a high one. Default normal. */
    priority: z.enum(['high', 'normal', 'low']).optional(),
  })
  .refine((spec) => [spec.every, spec.cron, spec.realtime].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of "every", "cron" or "realtime"',
  })
  .superRefine((spec, context) => {
    if (spec.window !== undefined && spec.realtime === true)
      context.addIssue({
        code: 'custom',
        path: ['window'],
        message: 'applies to "every" and "cron" flows; a realtime flow runs around the clock',
      });
    const names = new Set<string>();
    for (const [index, { name }] of (spec.peaks ?? []).entries()) {
      if (names.has(name))
        context.addIssue({
          code: 'custom',
          path: ['peaks', index, 'name'],
          message: `another peak is named "${name}"`,
        });
      names.add(name);
    }
  })
  .transform(({ every, pollInterval, freshness, ...rest }): Cadence => ({
    ...rest,
    ...(every === undefined ? {} : { everyMs: every }),
    ...(pollInterval === undefined ? {} : { pollIntervalMs: pollInterval }),
    ...(freshness === undefined ? {} : { freshnessMs: freshness }),
  }));

/** A `cadence:` as written in YAML. */
export type CadenceInput = z.input<typeof cadenceSchema>;

/** Compiles a `cadence:` written as in YAML; throws a ZodError when it is invalid (tests, starter configs). */
export function compileCadence(input: CadenceInput): Cadence {
  return cadenceSchema.parse(input);
}
