import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LineRow, LineTargetSpec, TargetRecord } from './connector.js';
import { contentHash, sourceRowHash } from './content-hash.js';
import { JSON_NULL, type Row } from './values.js';

// The hashes below were computed by the Syncline that first stored them. The key map keeps them:
// a new Syncline must compute the same hash for the same record, or it would write every record
// of every flow again after an upgrade. Never update these values to make a change pass.

/** Every kind of value a record can hold, with the characters JSON escapes. */
const values: Row = {
  id: 42,
  name: '张三 "quoted" \\ back\nline\u0001 👋',
  lone: '\ud800x',
  amount: '12.50',
  big: '9007199254740993',
  ratio: 0.1,
  neg: -0,
  flag: true,
  off: false,
  nothing: null,
  doc: JSON_NULL,
  bytes: new Uint8Array([0, 1, 254, 255]),
  buf: Buffer.from('hi'),
  list: [1, 'a', null, { b: true }],
  obj: { z: 1, a: ['x'] },
  empty: '',
  nan: Number.NaN,
};

describe('contentHash', () => {
  it('is the SHA-1 (base64url) of the operation and each column value after a NUL', () => {
    const expected = createHash('sha1').update('delete\u000042').digest('base64url');
    expect(contentHash({ key: '42', op: 'delete', values: { id: 42 } }, ['id'])).toBe(expected);
    expect(expected).toBe('WiwfjTam4mFNOjzlf-tWR8hC9Mo');
  });

  it('hashes every kind of value, and a column the record lacks, as the first Syncline did', () => {
    const columns = [...Object.keys(values), 'missing'];
    expect(contentHash({ key: '42', op: 'upsert', values }, columns)).toBe('i1mTB741kKaNW7y4nFkZUvh_biY');
  });

  it('hashes the lines of a record, in key order, as the first Syncline did', () => {
    const lines: LineTargetSpec[] = [{ name: 'lines', key: 'id', columns: ['qty', 'note'], types: {} }];
    const record: TargetRecord = {
      key: '42',
      op: 'upsert',
      values: { id: 42 },
      lines: {
        lines: [
          { key: '2', row: { qty: '2', note: null } },
          { key: '10', row: { qty: '1.5' } },
        ],
      },
    };
    expect(contentHash(record, ['id'], lines)).toBe('kT_LAJfv0KfuQCUgjGIlIzaGnS0');
  });
});

describe('sourceRowHash', () => {
  it('hashes a source row, and one with lines, as the first Syncline did', () => {
    expect(sourceRowHash('42', { b: 'x', a: 1 })).toBe('LKwfmyDEevVbwedkdeRcoYxPJQA');
    const lines: Record<string, LineRow[]> = {
      lines: [
        { key: '1', row: { q: 1, p: 'a' } },
        { key: '0', row: { r: true } },
      ],
    };
    expect(sourceRowHash('42', { b: 'x', a: 1 }, lines)).toBe('BAVPjP56SNdF4rmDycHxdHpF_8M');
  });
});
