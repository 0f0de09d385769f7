import { z } from 'zod';
import { isKnownTimeZone, isValidCron } from './schedule-checks.js';
import { FieldTypes } from './field-types.js';
import { describeIdentifierRule, isPlainIdentifier } from './identifiers.js';
import { parseDateTimeText, parseWindowText } from './calendar-text.js';
import { parseDurationMs } from './duration.js';
import { checkDirection, checkFlowLinks } from './sync-direction-checks.js';
import { conflictPolicy, direction, reconcileSchedule, writeBack } from './sync-direction-schema.js';

/** A table name: plain, optionally `schema.table`. */
const tableName = z.string().refine((name) => isPlainIdentifier(name, { qualified: true }), {
  message: describeIdentifierRule({ qualified: true }),
});
/** A column name: plain. */
const columnName = z
  .string()
  .refine((name) => isPlainIdentifier(name), { message: describeIdentifierRule() });
/** A name of a connection or flow, used in CLI flags and URLs. */
const objectName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "_" and "-", starting with a letter');

/** A human duration such as `30s`, `5m`, `1h`, `1d`. */
export const duration = z.string().refine((text) => parseDurationMs(text) !== undefined, {
  message: 'expected a duration such as 500ms, 30s, 5m, 1h or 1d',
});

/** A duration that must be longer than zero (an interval between cycles). */
const positiveDuration = z.string().superRefine((text, context) => {
  const ms = parseDurationMs(text);
  if (ms === undefined)
    context.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 30s, 5m, 1h or 1d' });
  else if (ms <= 0) context.addIssue({ code: 'custom', message: 'must be longer than zero' });
});

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const fieldSpec = z
  .strictObject({
    /** Source column read into this target column. */
    from: columnName.optional(),
    /** Constant written into this target column (instead of `from`). */
    value: scalar.nullable().optional(),
    /** Type the value is converted to; exact for decimals and timestamps. */
    type: z.enum(FieldTypes).optional(),
    /** Dictionary: source value → target value. */
    map: z.record(z.string(), scalar.nullable()).optional(),
    /** Written when the source value is NULL, or not in `map`. */
    default: scalar.nullable().optional(),
    /** Trim surrounding white space of text values. */
    trim: z.boolean().optional(),
    /**
     * The source value is a key of another flow's source: write the target's own id of that record
     * instead (the other flow's `target.id`), read from its key map.
     */
    ref: objectName.optional(),
  })
  .refine((spec) => (spec.from === undefined) !== (spec.value === undefined), {
    message: 'give exactly one of "from" (a source column) or "value" (a constant)',
  });
export type FieldSpec = z.infer<typeof fieldSpec>;

const limit = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a number')]);
const validationRules = z.strictObject({
  required: z.boolean().optional(),
  maxLength: z.number().int().positive().optional(),
  minLength: z.number().int().nonnegative().optional(),
  pattern: z
    .string()
    .refine(
      (source) => {
        try {
          new RegExp(source, 'u');
          return true;
        } catch {
          return false;
        }
      },
      { message: 'expected a valid regular expression' },
    )
    .optional(),
  min: limit.optional(),
  max: limit.optional(),
  oneOf: z.array(scalar).nonempty().optional(),
});
export type ValidationRules = z.infer<typeof validationRules>;

/** Days of the week, as `days:` of a recurring peak lists them. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** A daily span of wall-clock time, `HH:MM-HH:MM`; it may cross midnight (`22:00-02:00`). */
const timeWindow = z.string().refine((text) => parseWindowText(text) !== undefined, {
  message:
    'expected a daily window "HH:MM-HH:MM" such as "01:00-05:00" (it may cross midnight: "22:00-02:00"; start and end differ)',
});

/** `2026-11-10T20:00` (in the cadence's time zone), optionally with seconds and an offset (`+08:00`, `Z`). */
const localDateTime = z.string().refine((text) => parseDateTimeText(text) !== undefined, {
  message:
    'expected a date and time such as 2026-11-10T20:00 (in the cadence time zone) or 2026-11-10T20:00+08:00',
});

/** For ordering `from` and `to`: the instant when the text has an offset, else the wall time as if UTC. */
function sortableMs(text: string): { ms: number; hasOffset: boolean } | undefined {
  const parsed = parseDateTimeText(text);
  if (parsed === undefined) return undefined;
  const { year, month, day, hour, minute, second, offsetMs } = parsed;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - (offsetMs ?? 0);
  return { ms, hasOffset: offsetMs !== undefined };
}

const peak = z
  .strictObject({
    /** Name shown in schedule reasons and `syncline status`; unique within the flow. */
    name: objectName,
    /** Interval while the peak is active; replaces the flow's `every` (or cron, or safety poll). */
    every: positiveDuration,
    /** Absolute peak: first instant, `2026-11-10T20:00` in the cadence zone or with an offset. */
    from: localDateTime.optional(),
    /** Absolute peak: end (excluded); after `from`. */
    to: localDateTime.optional(),
    /** Recurring peak: the days of the week it starts on; default every day. */
    days: z.array(z.enum(WEEKDAYS)).nonempty().optional(),
    /** Recurring peak: daily span `HH:MM-HH:MM` (may cross midnight); default the whole day. */
    between: timeWindow.optional(),
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
    const from = spec.from === undefined ? undefined : sortableMs(spec.from);
    const to = spec.to === undefined ? undefined : sortableMs(spec.to);
    if (from === undefined || to === undefined) return;
    if (from.hasOffset !== to.hasOffset)
      context.addIssue({
        code: 'custom',
        path: ['to'],
        message:
          'give an offset on both "from" and "to", or on neither (then both are in the cadence time zone)',
      });
    else if (to.ms <= from.ms)
      context.addIssue({
        code: 'custom',
        path: ['to'],
        message: `must be after "from" (${spec.from ?? ''})`,
      });
  });
export type PeakConfig = z.infer<typeof peak>;

const cadence = z
  .strictObject({
    /** Run each flow this long after its previous cycle ended. */
    every: positiveDuration.optional(),
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
    pollInterval: duration.optional(),
    /** Daily span `HH:MM-HH:MM` (may cross midnight) outside which an `every` or `cron` flow starts no cycle. */
    window: timeWindow.optional(),
    /** Named calendar windows, each with its own interval; the first listed active one applies. */
    peaks: z.array(peak).optional(),
    /** Staleness objective: how old the target's copy may get; used by the adaptive controller. */
    freshness: duration.optional(),
    /** Bounds of the interval the adaptive controller may choose, or `false` to keep the cadence fixed. */
    adaptive: z
      .union([
        z
          .strictObject({
            /** Shortest interval the controller may choose. */
            min: duration,
            /** Longest interval the controller may choose (when backing off); at least `min`. */
            max: duration,
          })
          .refine((bounds) => (parseDurationMs(bounds.min) ?? 0) <= (parseDurationMs(bounds.max) ?? 0), {
            message: 'must be at least "min"',
            path: ['max'],
          }),
        z.literal(false),
      ])
      .optional(),
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
  });
export type CadenceConfig = z.infer<typeof cadence>;

const retry = z.strictObject({
  /** Tries of one batch write (and of resuming an interrupted read), first try included; then the cycle fails with its checkpoint kept. Default 5. */
  attempts: z.number().int().min(1).max(100).optional(),
  /** First back-off delay, doubled each retry, with jitter. Default 500ms. */
  initialDelay: duration.optional(),
  /** Longest back-off delay. Default 30s. */
  maxDelay: duration.optional(),
});

const onDelete = z.union([z.literal('hard'), z.literal('ignore'), z.strictObject({ soft: columnName })]);

const retryWithReferences = retry.extend({
  /** Cycles a record waits for a referenced record (`ref`) to reach the target before it is dead-lettered. Default 10. */
  references: z.number().int().min(1).max(1000).optional(),
});

const flow = z
  .strictObject({
    description: z.string().optional(),
    enabled: z.boolean().optional(),
    source: z.strictObject({
      connection: objectName,
      table: tableName,
      key: columnName,
      cursor: columnName,
      deleted: columnName.optional(),
      lookback: z.union([duration, z.number().nonnegative()]).optional(),
    }),
    target: z.strictObject({
      connection: objectName,
      table: tableName,
      key: columnName,
      onDelete: onDelete.optional(),
      /** Rises whenever a target row changes; required for `direction: both`. */
      cursor: columnName.optional(),
      /** The target's own id, generated by the target; read back after inserts for references and write-back. */
      id: columnName.optional(),
    }),
    direction: direction.optional(),
    conflict: conflictPolicy.optional(),
    writeBack: writeBack.optional(),
    dependsOn: z.array(objectName).optional(),
    reconcile: reconcileSchedule.optional(),
    batch: z.number().int().min(1).max(100_000).optional(),
    fields: z.record(columnName, z.union([columnName, fieldSpec])).refine((f) => Object.keys(f).length > 0, {
      message: 'map at least one target column',
    }),
    validate: z.record(columnName, validationRules).optional(),
    cadence: cadence.optional(),
    retry: retryWithReferences.optional(),
  })
  .superRefine((spec, context) => {
    checkDirection(spec, context);
    for (const column of Object.keys(spec.validate ?? {})) {
      if (!(column in spec.fields)) {
        context.addIssue({
          code: 'custom',
          path: ['validate', column],
          message: `"${column}" is not a mapped target column (validation rules apply to the target columns under "fields")`,
        });
      }
    }
    if (spec.target.key in spec.fields) {
      context.addIssue({
        code: 'custom',
        path: ['fields', spec.target.key],
        message: `"${spec.target.key}" is the target key; it receives the source key "${spec.source.key}" and cannot be mapped again`,
      });
    }
  });
export type FlowConfig = z.infer<typeof flow>;

const connection = z.looseObject({ type: z.string().min(1) });
export type ConnectionConfig = z.infer<typeof connection>;

export const syncConfigSchema = z
  .strictObject({
    /** State store URL: `sqlite:<path>` (default `sqlite:.syncline/state.db`) or `postgres://…`. */
    state: z.string().optional(),
    connections: z.record(objectName, connection),
    flows: z.record(objectName, flow),
  })
  .superRefine((config, context) => {
    checkFlowLinks(config, context);
    for (const [name, spec] of Object.entries(config.flows)) {
      for (const side of ['source', 'target'] as const) {
        const connectionName = spec[side].connection;
        if (!(connectionName in config.connections)) {
          context.addIssue({
            code: 'custom',
            path: ['flows', name, side, 'connection'],
            message: `no connection named "${connectionName}" under "connections" (have: ${Object.keys(config.connections).join(', ') || 'none'})`,
          });
        }
      }
    }
  });
export type SyncConfig = z.infer<typeof syncConfigSchema>;
