import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { hmacWithSecret } from '../config/secret-hmac.js';
import type { WebhookSignature } from '../config/webhooks-schema.js';

/** The parts of a request a signature may cover. */
export interface SignedRequest {
  /** `POST`. */
  readonly method: string;
  /** The URI as the sender called it: scheme, host, path and query. */
  readonly uri: string;
  /** The body exactly as received. */
  readonly body: Buffer;
  /** Request headers, names in lower case (as Node gives them). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Why a request was refused, or the signature it carried (the replay key when no event id is known). */
export type SignatureCheck =
  { readonly ok: true; readonly signature: string } | { readonly ok: false; readonly reason: string };

// HubSpot's docs list the characters to decode in the request URI before signing (v3).
const HUBSPOT_DECODED: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The request URI as HubSpot signs it: the listed URL-encoded characters decoded. */
export function hubspotSignedUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (match) => HUBSPOT_DECODED[match.toUpperCase()] ?? match,
  );
}

function headerValue(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Whether two texts are equal, in time that depends on their length only. */
export function constantTimeEquals(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // Compare against itself when the lengths differ, so the time taken does not tell how much matched.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b);
}

/** The bytes the sender signed, by `scheme.signed`. */
function signedBytes(scheme: WebhookSignature, request: SignedRequest, timestamp: string): Buffer {
  switch (scheme.signed) {
    case 'body':
      return request.body;
    case 'timestamp+body':
      return Buffer.concat([Buffer.from(timestamp, 'utf8'), request.body]);
    case 'method+uri+body+timestamp': {
      const uri = scheme.preset === 'hubspot-v3' ? hubspotSignedUri(request.uri) : request.uri;
      return Buffer.concat([
        Buffer.from(`${request.method}${uri}`, 'utf8'),
        request.body,
        Buffer.from(timestamp, 'utf8'),
      ]);
    }
  }
}

/**
 * Checks a request's HMAC signature and, when the scheme has a timestamp header, that the
 * timestamp is within `tolerance` of `nowMs` (a replay of an old request is refused). The digest
 * is compared in constant time; the secret never leaves `config/`.
 */
export function checkSignature(
  scheme: WebhookSignature,
  request: SignedRequest,
  nowMs: number,
): SignatureCheck {
  const given = headerValue(request, scheme.header);
  if (given === undefined || given === '') return { ok: false, reason: `missing ${scheme.header} header` };
  let timestamp = '';
  if (scheme.timestampHeader !== undefined) {
    timestamp = headerValue(request, scheme.timestampHeader) ?? '';
    if (!/^\d{1,16}$/.test(timestamp))
      return { ok: false, reason: `missing or malformed ${scheme.timestampHeader} header` };
    const signedAtMs = Number(timestamp) * (scheme.timestampUnit === 'ms' ? 1 : 1000);
    if (Math.abs(nowMs - signedAtMs) > scheme.tolerance)
      return {
        ok: false,
        reason: `${scheme.timestampHeader} is more than ${Math.round(scheme.tolerance / 1000)}s from now (a stale or replayed request)`,
      };
  }
  const digest = hmacWithSecret(scheme.secret, scheme.algorithm, signedBytes(scheme, request, timestamp));
  const expected = `${scheme.prefix}${digest.toString(scheme.encoding)}`;
  if (!constantTimeEquals(given.trim(), expected))
    return { ok: false, reason: `${scheme.header} does not match` };
  return { ok: true, signature: expected };
}

/** Whether the request carries `Authorization: Bearer <token>` (always true without a token). */
export function hasBearerToken(request: FastifyRequest, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
