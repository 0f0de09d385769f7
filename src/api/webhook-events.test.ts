import { describe, expect, it } from 'vitest';
import { bodyAsJson, keptHeaders, webhookEvents } from './webhook-events.js';

const request = { headers: { 'content-type': 'application/json' }, receivedAt: '2026-05-01T08:00:00.000Z' };

describe('webhook events', () => {
  it('splits a JSON array into events keyed by the sender event id', () => {
    const events = webhookEvents(
      'hubspot',
      { split: true, eventKey: 'eventId' },
      [{ eventId: 1 }, { eventId: 'b' }, {}],
      {
        ...request,
        signature: 'sig',
      },
    );
    expect(events.map((event) => event.eventKey)).toEqual(['id:1', 'id:b', 'sig:sig#2']);
    expect(events[0]).toEqual({
      inbox: 'hubspot',
      receivedAt: request.receivedAt,
      payload: { eventId: 1 },
      headers: request.headers,
      eventKey: 'id:1',
    });
  });

  it('keeps an array whole without split, keyed by the signature; no key without either', () => {
    expect(webhookEvents('a', { split: false }, [1, 2], { ...request, signature: 's' })).toMatchObject([
      { payload: [1, 2], eventKey: 'sig:s' },
    ]);
    expect(webhookEvents('a', { split: true }, { n: 1 }, request)[0]).not.toHaveProperty('eventKey');
  });

  it('never keeps credentials or signatures among the headers', () => {
    expect(
      keptHeaders({
        authorization: 'Bearer x',
        cookie: 'a=b',
        'x-hubspot-signature-v3': 's',
        'x-api-key': 'k',
        'x-hubspot-request-timestamp': '1',
        'user-agent': 'HubSpot Webhooks',
        accept: ['a', 'b'],
      }),
    ).toEqual({ 'x-hubspot-request-timestamp': '1', 'user-agent': 'HubSpot Webhooks', accept: 'a, b' });
  });

  it('reads JSON bodies, keeps other content types as text, and refuses broken JSON', () => {
    expect(bodyAsJson(Buffer.from('{"a":1}'), 'application/json; charset=utf-8')).toEqual({ a: 1 });
    expect(bodyAsJson(Buffer.from('a=1'), 'application/x-www-form-urlencoded')).toBe('a=1');
    expect(bodyAsJson(Buffer.from('{"a":'), 'application/json')).toBeUndefined();
  });
});
