import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { BullmqRuntime } from '../../src/runtime/bullmq/bullmq-runtime.js';
import type { EngineContext } from '../../src/runtime/runtime.js';
import { LocalRuntime } from '../../src/runtime/local/local-runtime.js';
import { PostgresStateStore } from '../../src/state/postgres/postgres-state-store.js';
import { describeRuntimeConformance } from '../conformance/runtime-conformance.js';
import { createPostgresDatabase, postgresTestPool, type TestDatabase } from '../support/databases.js';
import { dropPrefix, testSettings, uniquePrefix } from '../support/redis.js';
import type { StateStorage } from '../support/sqlite-flow-fixture.js';

// Each case runs its runtimes (each a scheduler candidate with a worker of its own) on a Redis
// prefix of its own: cycles are BullMQ jobs, planned by the leading scheduler. Once with the
// fixture's SQLite state file, once with the state in PostgreSQL (a schema per case).
let prefix = uniquePrefix('conformance');
let database: TestDatabase;
let admin: pg.Pool;

beforeAll(async () => {
  database = await createPostgresDatabase('bullmqstate');
  admin = postgresTestPool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await admin.end();
  await database.drop();
});

beforeEach(() => {
  prefix = uniquePrefix('conformance');
});

afterEach(async () => {
  await dropPrefix(prefix);
});

function bullmq(context: EngineContext): Promise<BullmqRuntime> {
  return BullmqRuntime.open(context, {
    settings: testSettings(prefix),
    scheduling: (scheduled, executor) => new LocalRuntime(scheduled, { eventDebounceMs: 5, executor }),
    schedules: true,
    worker: { concurrency: 4 },
  });
}

/** A fresh PostgreSQL schema per case, dropped with the fixture. */
function postgresStorage(): Promise<StateStorage> {
  const schema = `runtime_${randomBytes(4).toString('hex')}`;
  const url = new URL(database.url);
  url.searchParams.set('schema', schema);
  return Promise.resolve({
    open: () => new PostgresStateStore(url.toString(), { poolSize: 2 }),
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  });
}

describeRuntimeConformance('bullmq, SQLite state', bullmq);
describeRuntimeConformance('bullmq, PostgreSQL state', bullmq, postgresStorage);
