import { z } from 'zod';
import { FieldTypes } from './field-types.js';
import { checkObjectKeys, fieldName, objectName as systemObjectName, objectOf } from './names-schema.js';
import { cadenceSchema } from './cadence-schema.js';
import { serverSchema } from './server-schema.js';
import { runtimeSchema } from './runtime-schema.js';
import { alertsSchema } from './alerts-schema.js';
import { webhooksSchema } from './webhooks-schema.js';
import { parseDurationMs } from './duration.js';
import { durationMs } from './duration-schema.js';
import { expressionSchema } from './expression-schema.js';
import { crossReferenceIssues } from './cross-references.js';
import { hasUnencodedPasswordChars, UNENCODED_PASSWORD_MESSAGE } from './url-password.js';
import { checkDirection, checkFlowLinks } from './sync-direction-checks.js';
import { conflictPolicy, direction, reconcileSchedule, writeBack } from './sync-direction-schema.js';

/** A column or field name: plain, or a dotted path (`properties.amount`); each connector applies its own rules. */
const columnName = fieldName;

/** The most lanes a backfill may use (`backfill.lanes`): each holds a source and a target connection. */
export const MAX_BACKFILL_LANES = 16;
/** A name of a connection or flow, used in CLI flags and URLs. */
const objectName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "_" and "-", starting with a letter');

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const fieldSpec = z
  .strictObject({
    /** Source column read into this target column. */
    from: columnName.optional(),
    /** Constant written into this target column (instead of `from`). */
    value: scalar.nullable().optional(),
    /** Expression computed from source columns (instead of `from`); see docs/expressions.md. */
    expr: expressionSchema.optional(),
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
  .refine((spec) => [spec.from, spec.value, spec.expr].filter((part) => part !== undefined).length === 1, {
    message: 'give exactly one of "from" (a source column), "value" (a constant) or "expr" (an expression)',
  })
  .refine((spec) => spec.ref === undefined || spec.from !== undefined, {
    message: '"ref" translates a source column\'s value: give it with "from", not "value" or "expr"',
    path: ['ref'],
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

/** Retry of a batch write, compiled: delays in ms. */
const retry = z
  .strictObject({
    /** Tries of one batch write (and of resuming an interrupted read), first try included; then the cycle fails with its checkpoint kept. Default 5. */
    attempts: z.number().int().min(1).max(100).optional(),
    /** First back-off delay, doubled each retry, with jitter. Default 500ms. */
    initialDelay: durationMs.optional(),
    /** Longest back-off delay. Default 30s. */
    maxDelay: durationMs.optional(),
    /** Cycles a record waits for a referenced record (`ref`) to reach the target before it is dead-lettered. Default 10. */
    references: z.number().int().min(1).max(1000).optional(),
  })
  .transform(({ initialDelay, maxDelay, ...rest }) => ({
    ...rest,
    ...(initialDelay === undefined ? {} : { initialDelayMs: initialDelay }),
    ...(maxDelay === undefined ? {} : { maxDelayMs: maxDelay }),
  }));

/** Retry settings, compiled: delays in ms. */
export type RetryConfig = z.output<typeof retry>;

/**
 * How far behind the checkpoint a read starts, compiled: a number (in the cursor's own units)
 * applies to any cursor; a duration (in ms) only to time cursors.
 */
export interface Lookback {
  /** Milliseconds for a duration; the cursor's units for a number. */
  readonly ms: number;
  /** `any`: written as a number; `time`: written as a duration, so it skips numeric cursors. */
  readonly appliesTo: 'any' | 'time';
}

const lookback = z.union([z.number(), z.string()]).transform((value, context): Lookback => {
  const ms = typeof value === 'number' ? value : parseDurationMs(value);
  if (ms === undefined || ms < 0) {
    context.addIssue({
      code: 'custom',
      message: 'expected a duration such as 5m, or a number of at least 0',
    });
    return z.NEVER;
  }
  return { ms, appliesTo: typeof value === 'number' ? 'any' : 'time' };
});

const onDelete = z.union([z.literal('hard'), z.literal('ignore'), z.strictObject({ soft: columnName })]);

/** Names the object of a flow's side: exactly one of `table`, `model` or `object` (see names-schema.ts). */
const objectKeys = {
  /** A database table or view; may be schema-qualified (`sales.accounts`). */
  table: systemObjectName.optional(),
  /** An ERP model (`party.party`, `sale.sale`). */
  model: systemObjectName.optional(),
  /** Any other system's object (an API path such as `/crm/v3/objects/deals`). */
  object: systemObjectName.optional(),
};

const flowSource = z
  .strictObject({
    connection: objectName,
    ...objectKeys,
    key: columnName,
    /** Required by a connector that reads from a cursor (every SQL one); see `capabilities.cursor`. */
    cursor: columnName.optional(),
    deleted: columnName.optional(),
    lookback: lookback.optional(),
  })
  .superRefine(checkObjectKeys)
  .transform(({ table, model, object, ...rest }) => ({ ...rest, ...objectOf({ table, model, object }) }));

const flowTarget = z
  .strictObject({
    connection: objectName,
    ...objectKeys,
    key: columnName,
    onDelete: onDelete.optional(),
    /** Rises whenever a target row changes; required for `direction: both`. */
    cursor: columnName.optional(),
    /** The target's own id, generated by the target; read back after inserts for references and write-back. */
    id: columnName.optional(),
  })
  .superRefine(checkObjectKeys)
  .transform(({ table, model, object, ...rest }) => ({ ...rest, ...objectOf({ table, model, object }) }));

/** Target field → its source column, or how it is computed (shared by a flow's fields and its lines). */
const fieldMappings = z
  .record(columnName, z.union([columnName, fieldSpec]))
  .refine((f) => Object.keys(f).length > 0, { message: 'map at least one target column' });

/** Validation rules of mapped target fields that are not mapped (`validate` under a flow or a line entry). */
function checkValidatedFields(
  spec: {
    readonly fields: Readonly<Record<string, unknown>>;
    readonly validate?: Readonly<Record<string, unknown>> | undefined;
  },
  context: z.RefinementCtx,
): void {
  for (const column of Object.keys(spec.validate ?? {})) {
    if (!(column in spec.fields)) {
      context.addIssue({
        code: 'custom',
        path: ['validate', column],
        message: `"${column}" is not a mapped target column (validation rules apply to the target columns under "fields")`,
      });
    }
  }
}

/**
 * One relation of a record with lines (`lines.<name>`, the relation's name at the target): where
 * the lines are read at the source, and how each is mapped. See docs/lines.md.
 */
const lineEntry = z
  .strictObject({
    source: z
      .strictObject({
        ...objectKeys,
        /** Column identifying a line; unique and not null. */
        key: columnName,
        /** Column of a line holding its parent record's source key. */
        parent: columnName,
      })
      .superRefine(checkObjectKeys)
      .transform(({ table, model, object, ...rest }) => ({ ...rest, ...objectOf({ table, model, object }) })),
    target: z
      .strictObject({
        /** Target field of a line that keeps its source key, so lines are matched in place. */
        key: columnName.optional(),
      })
      .optional(),
    fields: fieldMappings,
    validate: z.record(columnName, validationRules).optional(),
  })
  .superRefine(checkValidatedFields);
export type LineConfig = z.output<typeof lineEntry>;

const flow = z
  .strictObject({
    description: z.string().optional(),
    enabled: z.boolean().optional(),
    source: flowSource,
    target: flowTarget,
    direction: direction.optional(),
    conflict: conflictPolicy.optional(),
    writeBack: writeBack.optional(),
    dependsOn: z.array(objectName).optional(),
    reconcile: reconcileSchedule.optional(),
    batch: z.number().int().min(1).max(100_000).optional(),
    /**
     * The initial load (docs/backfill.md): `bulk: false` keeps every batch on the upsert path;
     * `lanes: N` splits a new flow's initial scan into N key ranges written concurrently.
     */
    backfill: z
      .strictObject({
        bulk: z.boolean().optional(),
        lanes: z.number().int().min(1).max(MAX_BACKFILL_LANES).optional(),
      })
      .optional(),
    fields: fieldMappings,
    validate: z.record(columnName, validationRules).optional(),
    /** Records with lines: relation name at the target → how its lines are read and mapped (docs/lines.md). */
    lines: z.record(columnName, lineEntry).optional(),
    /** Only source rows for which this expression is true are synced; see docs/expressions.md. */
    filter: expressionSchema.optional(),
    cadence: cadenceSchema.optional(),
    retry: retry.optional(),
    /** Ids of schema-check warnings taken note of (`W-LENGTH customers.name`): not repeated. */
    acknowledge: z
      .array(z.string().regex(/^W-[A-Z-]+ \S+$/, 'expected a warning id such as "W-LENGTH customers.name"'))
      .optional(),
  })
  .superRefine((spec, context) => {
    checkDirection(spec, context);
    checkValidatedFields(spec, context);
    for (const name of Object.keys(spec.lines ?? {})) {
      if (name in spec.fields || name === spec.target.key)
        context.addIssue({
          code: 'custom',
          path: ['lines', name],
          message: `"${name}" is already a field of the record; a relation of lines needs a name of its own`,
        });
    }
    if (spec.target.key in spec.fields) {
      context.addIssue({
        code: 'custom',
        path: ['fields', spec.target.key],
        message: `"${spec.target.key}" is the target key; it receives the source key "${spec.source.key}" and cannot be mapped again`,
      });
    }
  });
/** A parsed flow entry: durations in ms, cadence compiled. */
export type FlowConfig = z.output<typeof flow>;
/** A flow entry as written in YAML. */
export type FlowConfigInput = z.input<typeof flow>;

const connection = z.looseObject({ type: z.string().min(1) });
export type ConnectionConfig = z.infer<typeof connection>;

export const syncConfigSchema = z
  .strictObject({
    /** State store URL: `sqlite:<path>` (default `sqlite:.syncline/state.db`) or `postgres://…`. */
    state: z
      .string()
      .refine((url) => !hasUnencodedPasswordChars(url), { message: UNENCODED_PASSWORD_MESSAGE })
      .optional(),
    /** Who runs cycles where: `local` (default) or `bullmq` workers (docs/scale-out.md). */
    runtime: runtimeSchema.optional(),
    /** Where `syncline serve` listens (docs/api.md). */
    server: serverSchema.optional(),
    /** Alert rules and the channels they notify (docs/alerts.md). */
    alerts: alertsSchema.optional(),
    /** Inboxes fed by `POST /hooks/<name>`: signature, body limit, flows woken (docs/webhooks.md). */
    webhooks: webhooksSchema.optional(),
    connections: z.record(objectName, connection),
    flows: z.record(objectName, flow),
  })
  .superRefine((config, context) => {
    checkFlowLinks(config, context);
    if (config.runtime?.type === 'bullmq')
      for (const name of Object.keys(config.runtime.limits ?? {}))
        if (!(name in config.connections))
          context.addIssue({
            code: 'custom',
            path: ['runtime', 'limits', name],
            message: `no connection named "${name}" (connections: ${Object.keys(config.connections).join(', ')})`,
          });
    for (const [name, hook] of Object.entries(config.webhooks ?? {})) {
      hook.wakes.forEach((flowName, index) => {
        if (!(flowName in config.flows))
          context.addIssue({
            code: 'custom',
            path: ['webhooks', name, 'wakes', index],
            message: `no flow named "${flowName}" (flows: ${Object.keys(config.flows).join(', ')})`,
          });
      });
    }
    // Run again on the raw tree by parseConfig when the schema failed, so nothing hides them.
    for (const { path, message } of crossReferenceIssues(config)) {
      if (path[2] === 'source' || path[2] === 'target') context.addIssue({ code: 'custom', path, message });
    }
  });
/** The parsed config: durations in ms, cadences and schedules compiled (what the engine uses). */
export type SyncConfig = z.output<typeof syncConfigSchema>;
/** The config as written in YAML (starter configs, docs). */
export type SyncConfigInput = z.input<typeof syncConfigSchema>;
