import { describe, expect, it } from 'vitest';
import type { Connector, TargetRecord, TargetSpec, WriteResult } from './connector.js';
import { ConnectorError } from './errors.js';
import { createRetryPolicy } from './retry-policy.js';
import { writeIsolatingFailures, type WriteSample } from './batch-writer.js';

const spec = { flow: 'orders', table: 'orders', key: 'crm_id' } as unknown as TargetSpec;
/** A target that writes a batch all or nothing and reports no per-record outcomes. */
const TRANSACTIONAL = { source: false, target: true, transactions: true, describe: false };
const noRetry = createRetryPolicy({ attempts: 1, initialDelayMs: 1, maxDelayMs: 1 });

function records(...keys: string[]): TargetRecord[] {
  return keys.map((key) => ({ key, op: 'upsert', values: { crm_id: key } }));
}

/** A target that refuses every batch holding key `bad` (a CHECK constraint) and writes the rest. */
function checkingTarget(written: string[]): Connector {
  const writeBatch = (_spec: TargetSpec, batch: readonly TargetRecord[]): Promise<WriteResult> => {
    if (batch.some((record) => record.key === 'bad'))
      return Promise.reject(
        new ConnectorError('CONNECTOR_CONSTRAINT_VIOLATION', 'CONSTRAINT `qty_positive` failed'),
      );
    written.push(...batch.map((record) => record.key));
    return Promise.resolve({ written: batch.length });
  };
  return { capabilities: TRANSACTIONAL, writeBatch } as unknown as Connector;
}

describe('writeIsolatingFailures', () => {
  it('reports the halves the target refused for a bad record as refused, never as target errors', async () => {
    const written: string[] = [];
    const samples: WriteSample[] = [];
    const outcome = await writeIsolatingFailures(
      checkingTarget(written),
      spec,
      records('1', '2', 'bad', '4'),
      noRetry,
      new AbortController().signal,
      (sample) => samples.push(sample),
    );
    expect(outcome.rejected.map((rejected) => rejected.record.key)).toEqual(['bad']);
    expect(written).toEqual(['1', '2', '4']);
    expect(samples.map((sample) => sample.outcome)).toEqual(['refused', 'ok', 'refused', 'refused', 'ok']);
    expect(samples.filter((sample) => sample.outcome === 'error')).toEqual([]);
    expect(samples.find((sample) => sample.outcome === 'refused')?.code).toBe(
      'CONNECTOR_CONSTRAINT_VIOLATION',
    );
  });

  it('reports a retryable failure (a lock wait timeout) as target trouble', async () => {
    const samples: WriteSample[] = [];
    const target = {
      capabilities: TRANSACTIONAL,
      writeBatch: () =>
        Promise.reject(new ConnectorError('CONNECTOR_LOCK_TIMEOUT', 'Lock wait timeout exceeded')),
    } as unknown as Connector;
    await expect(
      writeIsolatingFailures(target, spec, records('1'), noRetry, new AbortController().signal, (sample) =>
        samples.push(sample),
      ),
    ).rejects.toThrow('Lock wait timeout');
    expect(samples).toMatchObject([{ outcome: 'error', code: 'CONNECTOR_LOCK_TIMEOUT', rows: 1 }]);
  });
});
