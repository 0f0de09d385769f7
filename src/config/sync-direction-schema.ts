import { z } from 'zod';
import { isKnownTimeZone, isValidCron } from './schedule-checks.js';
import { fieldName } from './names-schema.js';
import { positiveDurationMs } from './duration-schema.js';

/** A column or field name (see names-schema.ts). */
const columnName = fieldName;

/** Which way a flow syncs: `one-way` (source → target, the default) or `both`. */
export const direction = z.enum(['one-way', 'both']);

/** Conflict policies that settle a whole record. */
export const RECORD_POLICIES = ['source-wins', 'target-wins', 'newest-wins', 'manual'] as const;
const recordPolicy = z.enum(RECORD_POLICIES);

/**
 * What a two-way flow does when both sides changed a record since they last agreed: one of the
 * record policies, or an owner per field (`source`, `target`, or a connection's name) with a
 * record policy for the fields that have no owner.
 */
export const conflictPolicy = z.union([
  recordPolicy,
  z.strictObject({
    /** Target column (a key of `fields`) → the side that owns it: `source`, `target` or a connection name. */
    fields: z.record(columnName, z.string().min(1)).refine((owners) => Object.keys(owners).length > 0, {
      message: 'name at least one field and its owner',
    }),
    /** Policy for changed fields without an owner. Default `newest-wins`. */
    otherwise: recordPolicy.optional(),
  }),
]);
export type ConflictPolicyConfig = z.infer<typeof conflictPolicy>;

/** Source column ← target column, written back to the source once the target has a value (ERP numbers). */
export const writeBack = z
  .record(columnName, columnName)
  .refine((columns) => Object.keys(columns).length > 0, { message: 'name at least one source column' });

/** A scheduled reconciliation of a flow. */
export const reconcileSchedule = z
  .strictObject({
    /** Five-field cron expression of when to reconcile, e.g. "0 3 * * *". */
    cron: z
      .string()
      .refine(isValidCron, {
        message: 'not a valid cron expression; use five fields, e.g. "0 3 * * *"',
      })
      .optional(),
    /** Or: reconcile this long after the last reconciliation ended. */
    every: positiveDurationMs.optional(),
    /** IANA zone of `cron`; default the machine's zone. */
    timezone: z
      .string()
      .refine(isKnownTimeZone, {
        message: 'unknown time zone; use an IANA name such as Asia/Shanghai or UTC',
      })
      .optional(),
    /** Apply the compensating changes too (validated and audited like `reconcile --repair`). Default false. */
    repair: z.boolean().optional(),
    /** `checksum` (default): compare bucket checksums in the databases; `full`: read every row. */
    mode: z.enum(['checksum', 'full']).optional(),
  })
  .refine((spec) => (spec.cron === undefined) !== (spec.every === undefined), {
    message: 'give exactly one of "cron" or "every"',
  })
  .transform(({ every, ...rest }) => ({ ...rest, ...(every === undefined ? {} : { everyMs: every }) }));
/** A parsed `reconcile:` schedule: `cron` (with `timezone`) or `everyMs`. */
export type ReconcileScheduleConfig = z.output<typeof reconcileSchedule>;
