import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIsolatingFailures } from '../../src/core/batch-writer.js';
import { createRetryPolicy } from '../../src/core/retry-policy.js';
import { createPostgresHarness, type PostgresHarness } from './harness/postgres-harness.js';
import { liveSignal, targetSpec, upsert } from './harness/postgres-specs.js';

// Issue 15: PostgreSQL as a target refuses text holding a NUL character. The connector refuses
// that record alone, naming the column, before any statement; the rest of the batch is written.

let h: PostgresHarness;
const signal = liveSignal();
const policy = createRetryPolicy({ attempts: 2, initialDelayMs: 1, maxDelayMs: 5 });

beforeAll(async () => {
  h = await createPostgresHarness('pgunstorable');
  await h.execute('CREATE TABLE notes (id integer PRIMARY KEY, name text, score double precision)');
});

afterAll(async () => {
  await h.close();
});

describe('values PostgreSQL cannot store', () => {
  it('dead-letters a record with a NUL character or invalid Unicode in text, naming the column, and writes the rest', async () => {
    const records = [
      upsert({ id: 1, name: 'plain', score: NaN }),
      upsert({ id: 2, name: 'nul\u0000inside', score: 1 }),
      upsert({ id: 3, name: 'also plain', score: -Infinity }),
      upsert({ id: 4, name: 'lone \ud800 surrogate', score: 2 }),
    ];
    const outcome = await writeIsolatingFailures(
      h.connector,
      targetSpec('notes', ['id', 'name', 'score']),
      records,
      policy,
      signal,
    );
    expect(outcome.written.map((record) => record.key)).toEqual(['1', '3']);
    expect(outcome.rejected.map(({ record, error }) => [record.key, error.code, error.field])).toEqual([
      ['2', 'CONNECTOR_VALUE_REJECTED', 'name'],
      ['4', 'CONNECTOR_VALUE_REJECTED', 'name'],
    ]);
    // Non-finite doubles are exact in a PostgreSQL float column.
    expect(await h.selectAll('notes', 'id')).toEqual([
      { id: 1, name: 'plain', score: NaN },
      { id: 3, name: 'also plain', score: -Infinity },
    ]);
  });
});
