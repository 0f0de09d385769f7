import { describe, expect, it } from 'vitest';
import { StateStoreError } from '../../core/errors.js';
import { isoTimestamp } from './postgres-state-connection.js';
import { toPostgresStateError } from './postgres-state-errors.js';
import { inRounds } from './postgres-state-rows.js';
import { parsePostgresStateUrl, quoteIdentifier } from './postgres-state-url.js';

describe('parsePostgresStateUrl', () => {
  it('takes the schema out of the URL and puts it first on the search_path', () => {
    const url = parsePostgresStateUrl(
      'postgres://sync:p%40ss@db:5433/state?schema=syncline_x&sslmode=disable',
    );
    expect(url.schema).toBe('syncline_x');
    expect(url.connectionString).toBe('postgres://sync:p%40ss@db:5433/state?sslmode=disable');
    expect(url.options).toBe('-c search_path="syncline_x" -c TimeZone=UTC -c DateStyle=ISO,YMD');
    expect(url.display).toBe('postgres://sync:***@db:5433/state?schema=syncline_x&sslmode=disable');
    expect(url.secrets).toEqual(['p@ss']);
  });

  it('defaults to the public schema and keeps the URL’s own options first', () => {
    const url = parsePostgresStateUrl('postgresql://db/state?options=-c%20statement_timeout%3D5000');
    expect(url.schema).toBe('public');
    expect(url.options).toMatch(/^-c statement_timeout=5000 -c search_path="public"/);
    expect(url.connectionString).toBe('postgresql://db/state');
  });

  it('quotes a schema name and escapes it for the session options', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    const url = parsePostgresStateUrl('postgres://db/state?schema=My%20"odd"%20schema');
    expect(url.options).toContain('-c search_path="My\\ ""odd""\\ schema"');
  });

  it('masks a password given as a query parameter', () => {
    const url = parsePostgresStateUrl('postgres://sync@db/state?password=hunter22');
    expect(url.display).not.toContain('hunter22');
    expect(url.secrets).toEqual(['hunter22']);
  });

  it('refuses another scheme, an empty schema and a schema name too long, without the password', () => {
    expect(() => parsePostgresStateUrl('mysql://u:secret1@db/x')).toThrow(StateStoreError);
    expect(() => parsePostgresStateUrl('mysql://u:secret1@db/x')).not.toThrow(/secret1/);
    expect(() => parsePostgresStateUrl('postgres://db/x?schema=')).toThrow(/not a PostgreSQL identifier/);
    expect(() => parsePostgresStateUrl(`postgres://db/x?schema=${'s'.repeat(64)}`)).toThrow(/1 to 63 bytes/);
  });
});

describe('isoTimestamp', () => {
  it('turns a UTC timestamptz into ISO 8601 with milliseconds, cutting microseconds', () => {
    expect(isoTimestamp('2024-05-01 08:00:00+00')).toBe('2024-05-01T08:00:00.000Z');
    expect(isoTimestamp('2024-05-01 08:00:00.5+00')).toBe('2024-05-01T08:00:00.500Z');
    expect(isoTimestamp('2024-05-01 08:00:00.123999+00')).toBe('2024-05-01T08:00:00.123Z');
    expect(isoTimestamp('infinity')).toBe('infinity');
  });
});

describe('inRounds', () => {
  it('puts each key once per round, in the order given', () => {
    const rounds = inRounds(['a1', 'b1', 'a2', 'a3', 'c1', 'b2'], (item) => item[0] ?? '');
    expect(rounds).toEqual([['a1', 'b1', 'c1'], ['a2', 'b2'], ['a3']]);
  });
});

describe('toPostgresStateError', () => {
  const context = {
    store: 'postgres://u:***@db/x',
    operation: 'commit a batch',
    flow: 'orders',
    secrets: ['pw-1'],
  };

  it('makes a lost connection retryable and masks the password the driver echoed', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1 (pw-1)'), {
      code: 'ECONNREFUSED',
    });
    const error = toPostgresStateError(refused, context);
    expect(error).toMatchObject({ code: 'STATE_STORE_FAILED', retryable: true, flow: 'orders' });
    expect(error.message).toContain('State store postgres://u:***@db/x: could not commit a batch');
    expect(error.message).not.toContain('pw-1');
  });

  it('tells retryable SQLSTATEs from final ones', () => {
    const withCode = (code: string) => Object.assign(new Error(code), { code });
    expect(toPostgresStateError(withCode('40P01'), context).retryable).toBe(true);
    expect(toPostgresStateError(withCode('08006'), context).retryable).toBe(true);
    expect(toPostgresStateError(withCode('28P01'), context).retryable).toBe(false);
    expect(toPostgresStateError(withCode('3D000'), context).message).toContain('the database does not exist');
  });

  it('names a value that is not JSON, and passes a StateStoreError through', () => {
    const bigint = new TypeError('Do not know how to serialize a BigInt');
    expect(toPostgresStateError(bigint, context).message).toContain('a value is not plain JSON');
    const lost = new StateStoreError('lease lost', { code: 'LEASE_LOST', retryable: false });
    expect(toPostgresStateError(lost, context)).toBe(lost);
  });
});
