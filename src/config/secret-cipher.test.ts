import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, isEncryptedValue, parseMasterKey } from './secret-cipher.js';

const key = randomBytes(32);
const otherKey = randomBytes(32);

function decrypted(value: string, withKey: Buffer): string {
  const result = decryptSecret(value, withKey);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

describe('encryptSecret and decryptSecret', () => {
  it('round-trips a value, Unicode included', () => {
    const plain = 'p@ss:wörd/密码 🔑';
    const encrypted = encryptSecret(plain, key);
    expect(encrypted).toMatch(/^enc:v1:[A-Za-z0-9+/]+={0,2}$/);
    expect(isEncryptedValue(encrypted)).toBe(true);
    expect(decrypted(encrypted, key)).toBe(plain);
  });

  it('uses a fresh IV each time, so one value encrypts differently twice', () => {
    const first = encryptSecret('same', key);
    const second = encryptSecret('same', key);
    expect(first).not.toBe(second);
    const iv = (value: string): string =>
      Buffer.from(value.slice('enc:v1:'.length), 'base64').subarray(0, 12).toString('hex');
    expect(iv(first)).not.toBe(iv(second));
  });

  it('refuses a wrong key without echoing the value', () => {
    const result = decryptSecret(encryptSecret('hunter2-secret', key), otherKey);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/SYNCLINE_MASTER_KEY.*not the one it was encrypted with/);
      expect(result.reason).not.toContain('hunter2');
    }
  });

  it('refuses a tampered tag and a tampered ciphertext', () => {
    const encrypted = encryptSecret('hunter2-secret', key);
    const bytes = Buffer.from(encrypted.slice('enc:v1:'.length), 'base64');
    const flip = (index: number): string => {
      const copy = Buffer.from(bytes);
      copy[index] = (copy[index] ?? 0) ^ 0x01;
      return `enc:v1:${copy.toString('base64')}`;
    };
    expect(decryptSecret(flip(bytes.length - 1), key).ok).toBe(false);
    expect(decryptSecret(flip(12), key).ok).toBe(false);
    expect(decryptSecret(flip(0), key).ok).toBe(false);
  });

  it('refuses a value cut short, not base64, or of an unknown version', () => {
    expect(decryptSecret('enc:v1:AAAA', key)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/cut short/) as unknown,
    });
    expect(decryptSecret('enc:v1:not base64!', key).ok).toBe(false);
    const future = decryptSecret('enc:v9:AAAA', key);
    expect(future).toMatchObject({ ok: false, reason: expect.stringMatching(/version v9/) as unknown });
    expect(isEncryptedValue('enc:v9:AAAA')).toBe(true);
    expect(isEncryptedValue('encore')).toBe(false);
  });
});

describe('parseMasterKey', () => {
  it('accepts 32 bytes as base64 (padded or not, base64url too) or as 64 hex digits', () => {
    expect(parseMasterKey(key.toString('base64'))).toEqual({ ok: true, value: key });
    expect(parseMasterKey(key.toString('base64url'))).toEqual({ ok: true, value: key });
    expect(parseMasterKey(`  ${key.toString('hex')}\n`)).toEqual({ ok: true, value: key });
    expect(parseMasterKey(key.toString('hex').toUpperCase())).toEqual({ ok: true, value: key });
  });

  it('refuses anything else, saying how to make a key and never echoing the text', () => {
    for (const text of [
      'correct horse battery staple',
      randomBytes(16).toString('base64'),
      'ab'.repeat(31),
    ]) {
      const result = parseMasterKey(text);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason).toContain('openssl rand -base64 32');
        expect(result.reason).not.toContain(text);
      }
    }
    expect(parseMasterKey(undefined)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not set/) as unknown,
    });
    expect(parseMasterKey('')).toMatchObject({ ok: false });
  });
});
