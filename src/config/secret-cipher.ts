import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The environment variable holding the master key of values encrypted at rest. */
export const MASTER_KEY_VARIABLE = 'SYNCLINE_MASTER_KEY';
/** What an encrypted value starts with; the rest is base64 of IV, ciphertext and tag. */
export const ENCRYPTED_PREFIX = 'enc:v1:';
/** Any version of an encrypted value (`enc:v1:…`, and versions a later Syncline may write). */
const ANY_VERSION = /^enc:v\d+:/;

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HOW_TO_MAKE_ONE = 'make one with: openssl rand -base64 32';

/** A result that is either a value or the reason there is none (never an echo of a secret). */
export type CipherResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Whether a config string is an encrypted value (any version) and must be decrypted before use. */
export function isEncryptedValue(text: string): boolean {
  return ANY_VERSION.test(text);
}

/**
 * The 32-byte master key from the text of SYNCLINE_MASTER_KEY: base64 (44 characters, or 43
 * unpadded; base64url too) or 64 hex digits. The reason names the variable and how to make a
 * key, never the text given.
 */
export function parseMasterKey(text: string | undefined): CipherResult<Buffer> {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return { ok: false, reason: `${MASTER_KEY_VARIABLE} is not set; ${HOW_TO_MAKE_ONE}` };
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return { ok: true, value: Buffer.from(trimmed, 'hex') };
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === KEY_BYTES) return { ok: true, value: key };
  }
  return {
    ok: false,
    reason: `${MASTER_KEY_VARIABLE} must be 32 bytes written as base64 (44 characters) or hex (64 characters); ${HOW_TO_MAKE_ONE}`,
  };
}

/** Encrypts a value with AES-256-GCM under a fresh random 12-byte IV: `enc:v1:<base64 of iv|ciphertext|tag>`. */
export function encryptSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${ENCRYPTED_PREFIX}${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64')}`;
}

/**
 * Decrypts an `enc:v1:` value. A wrong key and a changed byte both fail the GCM tag check; the
 * reason says so without echoing the value.
 */
export function decryptSecret(value: string, key: Buffer): CipherResult<string> {
  if (!value.startsWith(ENCRYPTED_PREFIX)) {
    const version = /^enc:(v\d+):/.exec(value)?.[1] ?? 'unknown';
    return {
      ok: false,
      reason: `is encrypted with version ${version}, which this Syncline cannot read (it reads ${ENCRYPTED_PREFIX}…)`,
    };
  }
  const body = value.slice(ENCRYPTED_PREFIX.length);
  const bytes = Buffer.from(body, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || bytes.length < IV_BYTES + TAG_BYTES)
    return { ok: false, reason: 'is not a whole encrypted value (damaged or cut short); encrypt it again' };
  const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return { ok: true, value: plain.toString('utf8') };
  } catch {
    return {
      ok: false,
      reason: `cannot be decrypted with ${MASTER_KEY_VARIABLE}: the key is not the one it was encrypted with, or the value was changed`,
    };
  }
}
