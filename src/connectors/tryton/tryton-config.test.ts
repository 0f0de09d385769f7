import { describe, expect, it } from 'vitest';
import { Secret } from '../../config/secret.js';
import { trytonConfigSchema } from './tryton-config.js';

describe('Tryton connection entry', () => {
  it('applies defaults, keeps the password a Secret and ends the URL with a slash', () => {
    const config = trytonConfigSchema.parse({
      type: 'tryton',
      url: 'http://127.0.0.1:8000/erp',
      user: 'admin',
      password: 'admin',
      context: { locations: [5] },
    });
    expect(config).toMatchObject({
      url: 'http://127.0.0.1:8000/erp/',
      user: 'admin',
      context: { locations: [5] },
      timeoutMs: 60_000,
      batch: 100,
    });
    expect(config.password).toBeInstanceOf(Secret);
    expect(JSON.stringify(config.password)).toBe('"[redacted]"');
  });

  it('names what is wrong: a URL without a database, a batch of 0, an unknown key', () => {
    const result = trytonConfigSchema.safeParse({
      type: 'tryton',
      url: 'http://127.0.0.1:8000/',
      user: 'admin',
      password: 'x',
      batch: 0,
      pasword: 'typo',
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^url: must be the URL of a Tryton database/),
        expect.stringMatching(/^batch: batch must be at least 1/),
      ]),
    );
    expect(result.error?.issues.some((issue) => issue.code === 'unrecognized_keys')).toBe(true);
  });
});
