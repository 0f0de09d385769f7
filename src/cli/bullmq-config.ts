import type { SyncConfig } from '../config/config-schema.js';
import { BULLMQ_DEFAULTS, type BullmqSettings } from '../runtime/bullmq/bullmq-settings.js';

/** The BullMQ settings of the config's `runtime:`, or undefined for the local runtime. */
export function bullmqSettings(config: SyncConfig): BullmqSettings | undefined {
  const runtime = config.runtime;
  if (runtime?.type !== 'bullmq') return undefined;
  return {
    redis: runtime.redis,
    prefix: runtime.prefix ?? BULLMQ_DEFAULTS.prefix,
    leaderLeaseMs: runtime.leaderLease ?? BULLMQ_DEFAULTS.leaderLeaseMs,
    jobLeaseMs: runtime.jobLease ?? BULLMQ_DEFAULTS.jobLeaseMs,
    concurrency: runtime.concurrency ?? BULLMQ_DEFAULTS.concurrency,
    ...(runtime.limits === undefined ? {} : { limits: runtime.limits }),
  };
}
