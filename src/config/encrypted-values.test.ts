import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { decryptedSecretsOf } from './encrypted-values.js';
import { parseConfig } from './load-config.js';
import { encryptSecret } from './secret-cipher.js';

const key = randomBytes(32);
const masterKey = key.toString('base64');
const PASSWORD = 'Tr0ub4dor-3-secret';
const encryptedUrl = encryptSecret(`postgres://crm:${PASSWORD}@127.0.0.1:5432/crm`, key);
const encryptedPath = encryptSecret('/srv/erp.db', key);

function config(crmUrl: string, erpPath = '/srv/erp.db'): string {
  return `
connections:
  crm: { type: postgres, url: ${crmUrl} }
  erp: { type: sqlite, path: ${JSON.stringify(erpPath)} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name }
`;
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('enc: values in the config', () => {
  it('decrypts them after ${ENV} references, and remembers them as secrets, also under keys not marked secret', () => {
    const parsed = parseConfig(config('${CRM_URL}', encryptedPath), {
      env: { CRM_URL: encryptedUrl, SYNCLINE_MASTER_KEY: masterKey },
    });
    expect(parsed.connections.crm).toMatchObject({ url: `postgres://crm:${PASSWORD}@127.0.0.1:5432/crm` });
    expect(parsed.connections.erp).toMatchObject({ path: '/srv/erp.db' });
    expect(decryptedSecretsOf(parsed)).toEqual([
      `postgres://crm:${PASSWORD}@127.0.0.1:5432/crm`,
      '/srv/erp.db',
    ]);
  });

  it('leaves a config without enc: values alone, and needs no key for it', () => {
    const parsed = parseConfig(config('postgres://crm@127.0.0.1/crm'), { env: {} });
    expect(decryptedSecretsOf(parsed)).toEqual([]);
  });

  it('names the first encrypted key when SYNCLINE_MASTER_KEY is missing', () => {
    const error = configError(() => parseConfig(config(encryptedUrl, encryptedPath), { env: {} }));
    expect(error.issues).toEqual([
      {
        path: 'connections.crm.url',
        message: expect.stringMatching(
          /this and 1 more values are encrypted \(enc:…\), but SYNCLINE_MASTER_KEY is not set; make one with: openssl rand -base64 32/,
        ) as unknown,
      },
    ]);
  });

  it('names the key path of a value the key cannot decrypt, and never the value', () => {
    const wrongKey = randomBytes(32).toString('hex');
    const error = configError(() =>
      parseConfig(config(encryptedUrl), { env: { SYNCLINE_MASTER_KEY: wrongKey } }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['connections.crm.url']);
    expect(error.message).toMatch(/cannot be decrypted with SYNCLINE_MASTER_KEY/);
    expect(error.message).not.toContain(encryptedUrl);
    expect(error.message).not.toContain(wrongKey);
  });

  it('refuses a malformed master key with how to make one', () => {
    const error = configError(() =>
      parseConfig(config(encryptedUrl), { env: { SYNCLINE_MASTER_KEY: 'not-a-key' } }),
    );
    expect(error.issues[0]?.path).toBe('connections.crm.url');
    expect(error.message).toContain('openssl rand -base64 32');
    expect(error.message).not.toContain('not-a-key');
  });

  it('does not echo a decrypted value that lands where the schema refuses it', () => {
    const text = config('postgres://crm@127.0.0.1/crm').replace(
      'fields: { name: name }',
      `fields: { name: name }\n    batch: ${encryptSecret('many-rows-please', key)}`,
    );
    const error = configError(() => parseConfig(text, { env: { SYNCLINE_MASTER_KEY: masterKey } }));
    expect(error.issues.map((issue) => issue.path)).toEqual(['flows.customers.batch']);
    expect(error.message).not.toContain('many-rows-please');
  });
});
