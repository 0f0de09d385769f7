import { describe, expect, it } from 'vitest';
import type { TargetRecord } from './connector.js';
import { settleOutcomes } from './record-outcomes.js';

function records(...keys: string[]): TargetRecord[] {
  return keys.map((key) => ({ key, op: 'upsert', values: { code: key } }));
}

describe('settleOutcomes', () => {
  it('rejects exactly the refused records, with the system message and field, and keeps new ids', () => {
    const outcome = settleOutcomes('customers', records('1', '2', '3', '4'), {
      written: 3,
      outcomes: [
        { key: '3', status: 'unchanged', id: 30 },
        { key: '1', status: 'created', id: 10 },
        {
          key: '2',
          status: 'refused',
          error: {
            code: 'CONNECTOR_VALUE_REJECTED',
            message: 'The name is required',
            retryable: false,
            field: 'name',
          },
        },
        { key: '4', status: 'updated' },
      ],
    });
    expect(outcome.written.map((record) => record.key)).toEqual(['1', '3', '4']);
    expect(outcome.rejected).toHaveLength(1);
    const [rejected] = outcome.rejected;
    expect(rejected?.record.key).toBe('2');
    expect(rejected?.error).toMatchObject({
      code: 'CONNECTOR_VALUE_REJECTED',
      message: 'The name is required',
      field: 'name',
      flow: 'customers',
      key: '2',
      retryable: false,
    });
    expect([...outcome.targetIds]).toEqual([
      ['1', '10'],
      ['3', '30'],
    ]);
  });

  it('counts not-found and deleted as acknowledged', () => {
    const outcome = settleOutcomes('customers', records('1', '2'), {
      written: 1,
      outcomes: [
        { key: '1', status: 'deleted' },
        { key: '2', status: 'not-found' },
      ],
    });
    expect(outcome.written.map((record) => record.key)).toEqual(['1', '2']);
    expect(outcome.rejected).toEqual([]);
  });

  it('never marks synced a record the target gave no outcome for', () => {
    const outcome = settleOutcomes('customers', records('1', '2'), {
      written: 1,
      outcomes: [{ key: '1', status: 'created', id: 5 }],
    });
    expect(outcome.written.map((record) => record.key)).toEqual(['1']);
    expect(outcome.rejected.map((rejected) => rejected.record.key)).toEqual(['2']);
    expect(outcome.rejected[0]?.error.message).toMatch(/no outcome for record "2"/);
  });
});
