import { createHmac } from 'node:crypto';
import type { Secret } from './secret.js';

/**
 * The HMAC of `data` keyed with a `Secret`, so a part that checks signatures (the webhook inbox in
 * `api/`) never holds the secret itself: it compares digests.
 */
export function hmacWithSecret(
  secret: Secret,
  algorithm: 'sha1' | 'sha256' | 'sha512',
  data: Buffer,
): Buffer {
  return createHmac(algorithm, secret.reveal()).update(data).digest();
}
