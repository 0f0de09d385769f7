import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.js';
import type { WebhookSignature } from '../config/webhooks-schema.js';
import { webhooksSchema } from '../config/webhooks-schema.js';
import { checkSignature, constantTimeEquals, hubspotSignedUri } from './webhook-signature.js';

const NOW = 1_767_225_600_000;

function schemeOf(signature: unknown): WebhookSignature {
  const parsed = webhooksSchema.parse({ hook: { signature } }).hook?.signature;
  if (parsed === undefined) throw new Error('no signature parsed');
  return parsed;
}

describe('HubSpot v3 signatures', () => {
  const scheme = schemeOf({ preset: 'hubspot-v3', secret: 'app-secret' });
  const uri = 'https://sync.example.com/hooks/hubspot?portal=62515&from=a%40b.com';
  const body = Buffer.from('[{"eventId":1,"objectId":17}]');
  // HubSpot's docs: base64 HMAC-SHA256 over method + URI (with %40 and friends decoded) + body + timestamp.
  const signed = (timestamp: number): string =>
    createHmac('sha256', 'app-secret')
      .update(
        `POSThttps://sync.example.com/hooks/hubspot?portal=62515&from=a@b.com${body.toString()}${timestamp}`,
      )
      .digest('base64');
  const headers = (timestamp: number, signature = signed(timestamp)) => ({
    'x-hubspot-signature-v3': signature,
    'x-hubspot-request-timestamp': String(timestamp),
  });

  it('accepts a request signed as HubSpot documents it', () => {
    expect(checkSignature(scheme, { method: 'POST', uri, body, headers: headers(NOW - 1000) }, NOW)).toEqual({
      ok: true,
      signature: signed(NOW - 1000),
    });
  });

  it('refuses a timestamp more than 5 minutes away, a changed body and a missing header', () => {
    const stale = NOW - 300_001;
    expect(checkSignature(scheme, { method: 'POST', uri, body, headers: headers(stale) }, NOW)).toMatchObject(
      {
        ok: false,
        reason: expect.stringContaining('stale or replayed') as unknown,
      },
    );
    const tampered = Buffer.from('[{"eventId":1,"objectId":18}]');
    expect(
      checkSignature(scheme, { method: 'POST', uri, body: tampered, headers: headers(NOW) }, NOW).ok,
    ).toBe(false);
    expect(
      checkSignature(
        scheme,
        { method: 'POST', uri, body, headers: { 'x-hubspot-request-timestamp': String(NOW) } },
        NOW,
      ),
    ).toEqual({ ok: false, reason: 'missing X-HubSpot-Signature-v3 header' });
  });

  it('decodes the characters HubSpot lists in the URI, and no others', () => {
    expect(hubspotSignedUri('https://h/p%3Fa%3Ab%2Fc%21%24%27%28%29%2A%2C%3B%40%20')).toBe(
      "https://h/p?a:b/c!$'()*,;@%20",
    );
  });
});

describe('signatures of a scheme of its own', () => {
  it('checks a hex digest with a prefix over the body (GitHub style)', () => {
    const scheme = schemeOf({ header: 'X-Hub-Signature-256', prefix: 'sha256=', secret: new Secret('gh') });
    const body = Buffer.from('{"action":"opened"}');
    const digest = createHmac('sha256', 'gh').update(body).digest('hex');
    const request = { method: 'POST', uri: 'http://x/hooks/gh', body };
    expect(
      checkSignature(scheme, { ...request, headers: { 'x-hub-signature-256': `sha256=${digest}` } }, NOW).ok,
    ).toBe(true);
    expect(checkSignature(scheme, { ...request, headers: { 'x-hub-signature-256': digest } }, NOW).ok).toBe(
      false,
    );
  });

  it('checks a timestamp in seconds signed with the body, within its tolerance', () => {
    const scheme = schemeOf({
      header: 'X-Signature',
      algorithm: 'sha512',
      encoding: 'base64',
      secret: 'k',
      timestampHeader: 'X-Timestamp',
      tolerance: '1m',
      signed: 'timestamp+body',
    });
    const body = Buffer.from('{}');
    const at = Math.floor(NOW / 1000) - 30;
    const digest = createHmac('sha512', 'k').update(`${at}{}`).digest('base64');
    const request = (timestamp: number) => ({
      method: 'POST',
      uri: 'http://x/hooks/app',
      body,
      headers: { 'x-signature': digest, 'x-timestamp': String(timestamp) },
    });
    expect(checkSignature(scheme, request(at), NOW).ok).toBe(true);
    expect(checkSignature(scheme, request(at), NOW + 60_000).ok).toBe(false);
  });

  it('compares texts of different lengths as unequal', () => {
    expect(constantTimeEquals('abc', 'abc')).toBe(true);
    expect(constantTimeEquals('abc', 'abcd')).toBe(false);
    expect(constantTimeEquals('abd', 'abc')).toBe(false);
  });
});
