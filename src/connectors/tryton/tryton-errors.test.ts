import { describe, expect, it } from 'vitest';
import { isRecordError, toTrytonHttpError, toTrytonRpcError } from './tryton-errors.js';

const context = { connection: 'erp', method: 'model.party.party.create', secrets: ['s3cret'] };

describe('Tryton errors', () => {
  it('makes a UserError the record’s, keeping Tryton’s message and the field its label names', () => {
    const error = toTrytonRpcError(
      ['UserError', ['A value is required for field "Party" in "Address".', '', null]],
      context,
      new Map([['Party', 'party']]),
    );
    expect(isRecordError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONNECTOR_VALUE_REJECTED', retryable: false, field: 'party' });
    expect(error.message).toBe('A value is required for field "Party" in "Address".');
    expect(
      toTrytonRpcError(['UserError', ['The code on party must be unique.', '', null]], context).code,
    ).toBe('CONNECTOR_CONSTRAINT_VIOLATION');
  });

  it('tells an unknown field (the record’s) from an unknown model', () => {
    const field = toTrytonRpcError(["'nam'", ''], context);
    expect(field).toMatchObject({ code: 'CONNECTOR_COLUMN_NOT_FOUND', field: 'nam' });
    expect(isRecordError(field)).toBe(true);
    const model = toTrytonRpcError(["'foo.bar'", ''], { ...context, method: 'model.foo.bar.create' });
    expect(model.code).toBe('CONNECTOR_TABLE_NOT_FOUND');
    expect(isRecordError(model)).toBe(false);
  });

  it('makes concurrency, throttling and server trouble retryable, never the record’s', () => {
    const concurrency = toTrytonRpcError(
      ['ConcurrencyException', 'Records were modified in the meanwhile'],
      context,
    );
    expect(concurrency.retryable).toBe(true);
    expect(isRecordError(concurrency)).toBe(false);
    const throttled = toTrytonHttpError(429, '7', context);
    expect(throttled).toMatchObject({ code: 'CONNECTOR_THROTTLED', retryable: true, retryAfterSeconds: 7 });
    expect(toTrytonHttpError(503, null, context)).toMatchObject({
      code: 'CONNECTOR_THROTTLED',
      retryable: true,
    });
    expect(toTrytonHttpError(500, null, context)).toMatchObject({
      code: 'CONNECTOR_UNAVAILABLE',
      retryable: true,
    });
    expect(toTrytonHttpError(401, null, context)).toMatchObject({
      code: 'CONNECTOR_AUTH_FAILED',
      retryable: false,
    });
  });

  it('masks secrets a server message echoes', () => {
    expect(toTrytonRpcError(['boom s3cret', ''], context).message).not.toContain('s3cret');
  });
});
