import { z } from 'zod';
import { durationMs } from './duration-schema.js';
import { hasUnencodedPasswordChars, UNENCODED_PASSWORD_MESSAGE } from './url-password.js';

/** Shortest scheduler leadership lease: shorter ones make renewals race Redis round trips. */
export const MIN_LEADER_LEASE_MS = 1_000;

const localRuntime = z.strictObject({
  /** Cycles run in the `syncline run` / `serve` process (the embedded default). */
  type: z.literal('local'),
});

const bullmqRuntime = z.strictObject({
  /**
   * Cycles run as jobs on `syncline worker` processes, planned by the one leading
   * `syncline scheduler` (docs/scale-out.md).
   */
  type: z.literal('bullmq'),
  /** Redis URL: `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. */
  redis: z
    .string()
    .regex(/^rediss?:\/\/./, { message: 'must be a redis:// or rediss:// URL' })
    .refine((url) => !hasUnencodedPasswordChars(url), { message: UNENCODED_PASSWORD_MESSAGE }),
  /**
   * Prefix of every Redis key and channel of this deployment, so several deployments can share
   * one Redis. Default `syncline`.
   */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'letters, digits, "_", "." and "-" only, at most 64' })
    .optional(),
  /**
   * How long a scheduler's leadership lasts without renewal (renewed every third of it); another
   * scheduler takes over within it when the leader dies. Default 15s.
   */
  leaderLease: durationMs.refine((ms) => ms >= MIN_LEADER_LEASE_MS, { message: 'at least 1s' }).optional(),
  /**
   * How long a worker's hold on a job lasts without renewal (renewed every half of it): a job
   * whose worker died is handed to another worker after about this. Default 30s.
   */
  jobLease: durationMs.refine((ms) => ms >= MIN_LEADER_LEASE_MS, { message: 'at least 1s' }).optional(),
  /**
   * Per target connection, shared by every worker: `{ erp: { cycles: 2 } }` lets at most two cycles
   * write to connection `erp` at once across the deployment; the others wait for a slot.
   */
  limits: z
    .record(z.string().min(1), z.strictObject({ cycles: z.number().int().min(1).max(1_000) }))
    .optional(),
  /** Cycles one `syncline worker` runs at once, unless `--concurrency` says otherwise. Default 4. */
  concurrency: z.number().int().min(1).max(256).optional(),
});

/** The `runtime:` section: who runs cycles where. Absent: `local`. */
export const runtimeSchema = z.discriminatedUnion('type', [localRuntime, bullmqRuntime]);

/** A validated `runtime:` section. */
export type RuntimeConfig = z.infer<typeof runtimeSchema>;
/** The `runtime:` section of a BullMQ deployment. */
export type BullmqRuntimeConfig = Extract<RuntimeConfig, { type: 'bullmq' }>;
