import { describe, expect, it } from 'vitest';
import { connectionFingerprint, connectionFingerprints } from './connection-fingerprint.js';
import { Secret } from './secret.js';

describe('connectionFingerprint', () => {
  it('is equal for the same settings in any key order', () => {
    expect(connectionFingerprint({ type: 'sqlite', path: 'a.db' })).toBe(
      connectionFingerprint({ path: 'a.db', type: 'sqlite' }),
    );
  });

  it('differs when only a secret differs, and never contains the secret', () => {
    const one = connectionFingerprint({ type: 'postgres', url: new Secret('postgres://u:pw1@h/db') });
    const two = connectionFingerprint({ type: 'postgres', url: new Secret('postgres://u:pw2@h/db') });
    expect(one).not.toBe(two);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fingerprints every connection by name', () => {
    const prints = connectionFingerprints({
      crm: { type: 'sqlite', path: 'a' },
      erp: { type: 'sqlite', path: 'b' },
    });
    expect(Object.keys(prints)).toEqual(['crm', 'erp']);
    expect(prints.crm).not.toBe(prints.erp);
  });
});
