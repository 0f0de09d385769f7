import { Cron } from 'croner';
import { z } from 'zod';
import { FieldTypes } from '../core/connector.js';
import { describeIdentifierRule, isPlainIdentifier } from '../core/identifiers.js';
import { parseDurationMs } from './duration.js';

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

const cadence = z
  .strictObject({
    /** Run each flow this long after its previous cycle ended. */
    every: duration.optional(),
    /** Five-field cron expression (six with seconds). */
    cron: z.string().optional(),
    /** IANA zone of `cron`, default the machine's zone. */
    timezone: z.string().optional(),
    /** Sync as soon as possible: poll every `pollInterval` (default 1s). */
    realtime: z.literal(true).optional(),
    pollInterval: duration.optional(),
  })
  .refine((spec) => [spec.every, spec.cron, spec.realtime].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of "every", "cron" or "realtime"',
  })
  .refine((spec) => spec.timezone === undefined || spec.cron !== undefined, {
    message: '"timezone" applies to "cron" only',
    path: ['timezone'],
  })
  .refine((spec) => spec.cron === undefined || isValidCron(spec.cron), {
    message:
      'not a valid cron expression; use five fields "minute hour day-of-month month day-of-week", e.g. "0 2 * * *"',
    path: ['cron'],
  })
  .refine((spec) => spec.timezone === undefined || isKnownTimeZone(spec.timezone), {
    message: 'unknown time zone; use an IANA name such as Asia/Shanghai or UTC',
    path: ['timezone'],
  });
export type CadenceConfig = z.infer<typeof cadence>;

function isValidCron(expression: string): boolean {
  try {
    new Cron(expression, { paused: true });
    return true;
  } catch {
    return false;
  }
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const retry = z.strictObject({
  /** Tries of one batch before its records are dead-lettered, first try included. Default 5. */
  attempts: z.number().int().min(1).max(100).optional(),
  /** First back-off delay, doubled each retry, with jitter. Default 500ms. */
  initialDelay: duration.optional(),
  /** Longest back-off delay. Default 30s. */
  maxDelay: duration.optional(),
});

const onDelete = z.union([z.literal('hard'), z.literal('ignore'), z.strictObject({ soft: columnName })]);

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
    }),
    batch: z.number().int().min(1).max(100_000).optional(),
    fields: z.record(columnName, z.union([columnName, fieldSpec])).refine((f) => Object.keys(f).length > 0, {
      message: 'map at least one target column',
    }),
    validate: z.record(columnName, validationRules).optional(),
    cadence: cadence.optional(),
    retry: retry.optional(),
  })
  .superRefine((spec, context) => {
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
