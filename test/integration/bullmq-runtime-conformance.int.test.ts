import { afterEach, beforeEach } from 'vitest';
import { BullmqRuntime } from '../../src/runtime/bullmq/bullmq-runtime.js';
import { LocalRuntime } from '../../src/runtime/local/local-runtime.js';
import { describeRuntimeConformance } from '../conformance/runtime-conformance.js';
import { dropPrefix, testSettings, uniquePrefix } from '../support/redis.js';

// Each case runs its runtimes (each a scheduler candidate with a worker of its own) on a Redis
// prefix of its own: cycles are BullMQ jobs, planned by the leading scheduler.
let prefix = uniquePrefix('conformance');

beforeEach(() => {
  prefix = uniquePrefix('conformance');
});

afterEach(async () => {
  await dropPrefix(prefix);
});

describeRuntimeConformance('bullmq', (context) =>
  BullmqRuntime.open(context, {
    settings: testSettings(prefix),
    scheduling: (scheduled, executor) => new LocalRuntime(scheduled, { eventDebounceMs: 5, executor }),
    schedules: true,
    worker: { concurrency: 4 },
  }),
);
