import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../core/errors.js';
import { restConfigSchema } from './rest-config.js';
import {
  parseRetryAfter,
  refusalOf,
  restStatusCode,
  toRestNetworkError,
  toRestStatusError,
} from './rest-errors.js';
import { getJsonPath, setJsonPath } from './rest-json-path.js';
import { fieldNameProblem, objectNameProblem } from './rest-objects.js';
import { formatSince } from './rest-reader.js';

const context = { connection: 'erp', request: 'PUT /customers', secrets: ['s3cret-token'] };

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('1')).toBe(1);
    expect(parseRetryAfter(' 120 ')).toBe(120);
  });

  it('reads an HTTP date as seconds from now, never negative', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable header', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('HTTP status mapping', () => {
  it('maps each status family to its code', () => {
    expect(restStatusCode(200)).toBeUndefined();
    expect(restStatusCode(204)).toBeUndefined();
    expect(restStatusCode(429)).toBe('CONNECTOR_THROTTLED');
    expect(restStatusCode(408)).toBe('CONNECTOR_TIMEOUT');
    expect(restStatusCode(504)).toBe('CONNECTOR_TIMEOUT');
    expect(restStatusCode(502)).toBe('CONNECTOR_UNAVAILABLE');
    expect(restStatusCode(503)).toBe('CONNECTOR_UNAVAILABLE');
    expect(restStatusCode(401)).toBe('CONNECTOR_AUTH_FAILED');
    expect(restStatusCode(403)).toBe('CONNECTOR_AUTH_FAILED');
    expect(restStatusCode(404)).toBe('CONNECTOR_TABLE_NOT_FOUND');
    expect(restStatusCode(400)).toBe('CONNECTOR_VALUE_REJECTED');
    expect(restStatusCode(409)).toBe('CONNECTOR_VALUE_REJECTED');
    expect(restStatusCode(422)).toBe('CONNECTOR_VALUE_REJECTED');
  });

  it('makes 429 a retryable throttling error carrying Retry-After', () => {
    const error = toRestStatusError(429, 'slow down', '7', context);
    expect(error.code).toBe('CONNECTOR_THROTTLED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.message).toContain('Retry-After 7 s');
    expect(error.message).toContain('connection "erp"');
  });

  it('keeps a 503 retryable with its Retry-After', () => {
    const error = toRestStatusError(503, '', '3', context);
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(3);
  });

  it('makes a rejected record non-retryable and quotes at most 300 characters of the body, secrets masked', () => {
    const body = `{"error":"name too long","token":"s3cret-token"}${'x'.repeat(500)}`;
    const error = toRestStatusError(422, body, null, context);
    expect(error.code).toBe('CONNECTOR_VALUE_REJECTED');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('name too long');
    expect(error.message).not.toContain('s3cret-token');
    expect(error.message.length).toBeLessThan(400);
  });

  it('refuses credentials and unknown tables without retrying', () => {
    expect(toRestStatusError(401, '', null, context).retryable).toBe(false);
    expect(toRestStatusError(404, '', null, context).code).toBe('CONNECTOR_TABLE_NOT_FOUND');
  });

  it('makes network failures and request timeouts retryable', () => {
    const refused = toRestNetworkError(
      new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }),
      context,
      false,
      30_000,
    );
    expect(refused).toBeInstanceOf(ConnectorError);
    expect(refused).toMatchObject({ code: 'CONNECTOR_UNAVAILABLE', retryable: true });
    expect(refused.message).toContain('ECONNREFUSED');
    const timedOut = toRestNetworkError(new Error('timeout'), context, true, 500);
    expect(timedOut).toMatchObject({ code: 'CONNECTOR_TIMEOUT', retryable: true });
  });
});

describe('rest config', () => {
  it('keeps the URL and header values as redacted secrets and defaults the timeout', () => {
    const config = restConfigSchema.parse({
      type: 'rest',
      url: 'https://api.test',
      headers: { authorization: 'Bearer s3cret-token' },
    });
    expect(config.timeoutMs).toBe(30_000);
    expect(JSON.stringify(config)).not.toContain('s3cret-token');
    expect(config.headers?.authorization?.reveal()).toBe('Bearer s3cret-token');
  });

  it('refuses unknown keys and non-HTTP URLs', () => {
    expect(restConfigSchema.safeParse({ type: 'rest', url: 'https://api.test', verb: 'PATCH' }).success).toBe(
      false,
    );
    expect(restConfigSchema.safeParse({ type: 'rest', url: 'ftp://api.test' }).success).toBe(false);
  });

  it('compiles the timeout to ms and refuses one that is not a duration instead of defaulting it', () => {
    expect(restConfigSchema.parse({ type: 'rest', url: 'https://api.test', timeout: '5s' }).timeoutMs).toBe(
      5_000,
    );
    const bad = restConfigSchema.safeParse({ type: 'rest', url: 'https://api.test', timeout: 'soon' });
    expect(bad.error?.issues.map((issue) => issue.path)).toEqual([['timeout']]);
  });
});

describe('rest config: auth, rate limit, TLS, objects', () => {
  it('keeps every credential a redacted Secret and compiles durations', () => {
    const config = restConfigSchema.parse({
      type: 'rest',
      url: 'https://api.test',
      auth: {
        type: 'oauth2',
        tokenUrl: 'https://auth.test/token',
        clientId: 'id-1',
        clientSecret: 'cl-s3cret',
        scope: 'crm',
      },
      rateLimit: { requests: 10, per: '1s' },
    });
    expect(JSON.stringify(config)).not.toContain('cl-s3cret');
    expect(config.auth).toMatchObject({ type: 'oauth2', clientAuth: 'basic', refreshBeforeMs: 60_000 });
    expect(config.rateLimit).toEqual({ requests: 10, per: 1_000 });
    expect(config.tls).toEqual({ insecure: false });
  });

  it('names the bad key: an unreadable CA file, an unknown pagination style, a bad JSON path', () => {
    const paths = (entry: Record<string, unknown>): (string | number)[][] =>
      (
        restConfigSchema.safeParse({ type: 'rest', url: 'https://api.test', ...entry }).error?.issues ?? []
      ).map((issue) => issue.path as (string | number)[]);
    expect(paths({ tls: { ca: '/nonexistent/ca.pem' } })).toEqual([['tls', 'ca']]);
    expect(paths({ objects: { deals: { list: { pagination: { style: 'scroll' } } } } })).toEqual([
      ['objects', 'deals', 'list', 'pagination', 'style'],
    ]);
    expect(paths({ objects: { deals: { list: { records: 'results..x' } } } })).toEqual([
      ['objects', 'deals', 'list', 'records'],
    ]);
    expect(
      paths({
        objects: { deals: { write: { mode: 'single', upsert: { method: 'PUT', path: '/a/../b' } } } },
      }),
    ).toEqual([['objects', 'deals', 'write', 'upsert', 'path']]);
  });
});

describe('object and field names', () => {
  const objects = restConfigSchema.parse({
    type: 'rest',
    url: 'https://api.test',
    objects: { deals: { fields: { amount: 'properties.amount' } } },
  }).objects;

  it('accepts configured objects, URL paths and plain names; refuses the rest with the reason', () => {
    expect(objectNameProblem('deals', objects)).toBeUndefined();
    expect(objectNameProblem('/crm/v3/objects/deals', objects)).toBeUndefined();
    expect(objectNameProblem('customers', objects)).toBeUndefined();
    expect(objectNameProblem('/crm/../admin', objects)).toMatch(/not a URL path/);
    expect(objectNameProblem('/deals?limit=1', objects)).toMatch(/not a URL path/);
    expect(objectNameProblem('customers; drop', objects)).toMatch(/neither an object/);
  });

  it('accepts dotted JSON paths and aliases as field names', () => {
    expect(fieldNameProblem('properties.amount', objects)).toBeUndefined();
    expect(fieldNameProblem('amount', objects)).toBeUndefined();
    expect(fieldNameProblem('lines[0].sku', objects)).toBeUndefined();
    expect(fieldNameProblem('properties..amount', objects)).toMatch(/is not a JSON path/);
  });

  it('refuses an empty field name and one holding a line break or another control character', () => {
    expect(fieldNameProblem('', objects)).toMatch(/must not be empty/);
    expect(fieldNameProblem('bad\nname; drop table x', objects)).toMatch(/control character/);
    expect(fieldNameProblem('properties.a\tb', objects)).toMatch(/control character/);
    expect(fieldNameProblem('properties.deal name; note', objects)).toBeUndefined();
  });
});

describe('JSON paths and refusals', () => {
  it('gets and sets nested values', () => {
    const body: Record<string, unknown> = {};
    setJsonPath(body, 'properties.amount', '1.50');
    setJsonPath(body, 'id', 'D1');
    expect(body).toEqual({ properties: { amount: '1.50' }, id: 'D1' });
    expect(getJsonPath({ paging: { next: { after: '42' } } }, 'paging.next.after')).toBe('42');
    expect(getJsonPath({ errors: [{ in: 'amount' }] }, 'errors[0].in')).toBe('amount');
    expect(getJsonPath({ a: 1 }, 'a.b.c')).toBeUndefined();
  });

  it("reads the system's message and field from common error bodies, secrets masked", () => {
    expect(
      refusalOf({ detail: 'price must be a decimal', 'invalid-params': [{ name: 'price' }] }, '', {}, []),
    ).toEqual({
      message: 'price must be a decimal',
      field: 'price',
    });
    expect(
      refusalOf({ error: { message: 'bad s3cret-token' } }, '', {}, ['s3cret-token']).message,
    ).not.toContain('s3cret');
    expect(refusalOf(undefined, 'plain text refusal', {}, [])).toEqual({ message: 'plain text refusal' });
    expect(
      refusalOf({ msg: 'x', where: { col: 'qty' } }, '', { message: 'msg', field: 'where.col' }, []),
    ).toEqual({ message: 'x', field: 'qty' });
  });

  it('writes the modified-since value in the format the API wants', () => {
    expect(formatSince('2026-12-01T08:00:00.000Z', 'iso')).toBe('2026-12-01T08:00:00.000Z');
    expect(formatSince('2026-12-01T08:00:00.000Z', 'epochMs')).toBe('1796112000000');
    expect(formatSince('2026-12-01T08:00:00.000Z', 'epochSeconds')).toBe('1796112000');
  });
});
