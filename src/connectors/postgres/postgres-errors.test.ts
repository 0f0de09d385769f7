import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../core/errors.js';
import {
  classifyDriverError,
  classifySqlState,
  parseKeyDetail,
  toConnectorError,
} from './postgres-errors.js';

function pgError(code: string, message: string, fields: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { code, ...fields });
}

describe('classifySqlState', () => {
  it.each([
    ['40P01', 'CONNECTOR_DEADLOCK'],
    ['40001', 'CONNECTOR_SERIALIZATION_FAILURE'],
    ['55P03', 'CONNECTOR_LOCK_TIMEOUT'],
    ['57014', 'CONNECTOR_TIMEOUT'],
    ['53300', 'CONNECTOR_TOO_MANY_CONNECTIONS'],
    ['08006', 'CONNECTOR_UNAVAILABLE'],
    ['57P01', 'CONNECTOR_UNAVAILABLE'],
  ])('treats %s as retryable %s', (state, code) => {
    expect(classifySqlState(state)).toEqual({ code, retryable: true });
  });

  it.each([
    ['28P01', 'CONNECTOR_AUTH_FAILED'],
    ['42P01', 'CONNECTOR_TABLE_NOT_FOUND'],
    ['42703', 'CONNECTOR_COLUMN_NOT_FOUND'],
    ['23505', 'CONNECTOR_CONSTRAINT_VIOLATION'],
    ['23502', 'CONNECTOR_CONSTRAINT_VIOLATION'],
    ['22001', 'CONNECTOR_VALUE_REJECTED'],
    ['22003', 'CONNECTOR_VALUE_REJECTED'],
    ['22P02', 'CONNECTOR_VALUE_REJECTED'],
    ['42601', 'CONNECTOR_QUERY_FAILED'],
  ])('treats %s as final %s', (state, code) => {
    expect(classifySqlState(state)).toEqual({ code, retryable: false });
  });
});

describe('classifyDriverError', () => {
  it('treats network failures and lost connections as retryable', () => {
    expect(classifyDriverError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toEqual({
      code: 'CONNECTOR_UNAVAILABLE',
      retryable: true,
    });
    expect(
      classifyDriverError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toEqual({ code: 'CONNECTOR_UNAVAILABLE', retryable: true });
    expect(classifyDriverError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }))).toEqual(
      { code: 'CONNECTOR_TIMEOUT', retryable: true },
    );
    expect(classifyDriverError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toEqual({
      code: 'CONNECTOR_UNAVAILABLE',
      retryable: true,
    });
    const refused = Object.assign(
      new AggregateError(
        [new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')],
        '',
      ),
      {
        code: 'ECONNREFUSED',
      },
    );
    expect(classifyDriverError(refused)).toEqual({ code: 'CONNECTOR_UNAVAILABLE', retryable: true });
    expect(toConnectorError(refused, { operation: 'connecting', secrets: [] }).message).toContain(
      'connect ECONNREFUSED 127.0.0.1:5432',
    );
    expect(classifyDriverError(new Error('Connection terminated unexpectedly'))).toEqual({
      code: 'CONNECTOR_UNAVAILABLE',
      retryable: true,
    });
    expect(classifyDriverError(new Error('timeout exceeded when trying to connect'))).toEqual({
      code: 'CONNECTOR_TIMEOUT',
      retryable: true,
    });
  });

  it('treats anything unknown as a final query failure', () => {
    expect(classifyDriverError(new Error('something odd'))).toEqual({
      code: 'CONNECTOR_QUERY_FAILED',
      retryable: false,
    });
    expect(classifyDriverError('a string')).toEqual({ code: 'CONNECTOR_QUERY_FAILED', retryable: false });
  });
});

describe('toConnectorError', () => {
  it('names the operation, the record and what PostgreSQL said', () => {
    const error = toConnectorError(
      pgError('23505', 'duplicate key value violates unique constraint "customers_pkey"', {
        detail: 'Key (id)=(42) already exists.',
      }),
      { operation: 'writing public.customers', flow: 'customers', key: '42', secrets: [] },
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({
      code: 'CONNECTOR_CONSTRAINT_VIOLATION',
      retryable: false,
      flow: 'customers',
      key: '42',
    });
    expect(error.message).toBe(
      'PostgreSQL failed writing public.customers (record "42"): duplicate key value violates unique constraint "customers_pkey"; Key (id)=(42) already exists. [23505]',
    );
  });

  it('masks the URL and password should the driver echo them', () => {
    const url = 'postgres://sync:pa55word@db:5432/crm';
    const error = toConnectorError(new Error(`could not use ${url} (password pa55word)`), {
      operation: 'connecting',
      secrets: [url, 'pa55word'],
    });
    expect(error.message).not.toContain('pa55word');
  });

  it('passes SyncErrors through unchanged', () => {
    const original = new ConnectorError('SCHEMA_MISMATCH', 'x');
    expect(toConnectorError(original, { operation: 'reading', secrets: [] })).toBe(original);
  });

  it('reads the column and value of a key detail', () => {
    expect(parseKeyDetail('Key (email)=(a@b.c) already exists.')).toEqual({
      column: 'email',
      value: 'a@b.c',
    });
    expect(parseKeyDetail('Failing row contains (1, null).')).toBeUndefined();
  });
});

describe('the column at fault', () => {
  it('is the field of the error: the column PostgreSQL names, or the one column of a key detail', () => {
    const context = { operation: 'writing', key: '1', secrets: [] };
    const notNull = pgError('23502', 'null value in column "name" violates not-null constraint', {
      column: 'name',
    });
    expect(toConnectorError(notNull, context).field).toBe('name');
    const unique = pgError('23505', 'duplicate key value violates unique constraint "customers_code_key"', {
      detail: 'Key (code)=(A-1) already exists.',
    });
    expect(toConnectorError(unique, context).field).toBe('code');
    const composite = pgError('23505', 'duplicate key', { detail: 'Key (a, b)=(1, 2) already exists.' });
    expect(toConnectorError(composite, context).field).toBeUndefined();
  });
});

describe('a connection that fails as a whole', () => {
  it('names the connection and its host; an error about one record does not', () => {
    const context = { operation: 'connecting', secrets: [], server: 'connection "crm" at db.local:5432' };
    expect(toConnectorError(pgError('ECONNREFUSED', 'connect ECONNREFUSED'), context).message).toMatch(
      /^PostgreSQL connection "crm" at db\.local:5432 failed connecting: connect ECONNREFUSED/,
    );
    expect(toConnectorError(pgError('23505', 'duplicate key'), context).message).not.toContain('"crm"');
  });
});
