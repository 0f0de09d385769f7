import { describe, expect, it } from 'vitest';
import { syncConfigSchema } from './config-schema.js';
import { Secret } from './secret.js';
import { webhooksSchema } from './webhooks-schema.js';

const base = {
  connections: { hooks: { type: 'webhook' }, erp: { type: 'sqlite', path: 'erp.db' } },
  flows: {
    deals: {
      source: { connection: 'hooks', table: 'hubspot', key: 'objectId', cursor: 'occurredAt' },
      target: { connection: 'erp', table: 'deals', key: 'hubspot_id' },
      fields: { stage: 'propertyValue' },
    },
  },
};

function issuesOf(webhooks: unknown): { path: string; message: string }[] {
  const parsed = syncConfigSchema.safeParse({ ...base, webhooks });
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('webhooks:', () => {
  it('compiles the HubSpot preset, sizes and durations', () => {
    const parsed = webhooksSchema.parse({
      hubspot: {
        signature: { preset: 'hubspot-v3', secret: 's3cret' },
        maxBody: '64kb',
        wakes: ['deals'],
        retain: '1d',
      },
    }).hubspot;
    expect(parsed).toMatchObject({
      maxBody: 65_536,
      wakes: ['deals'],
      split: true,
      retain: 86_400_000,
      signature: {
        header: 'X-HubSpot-Signature-v3',
        timestampHeader: 'X-HubSpot-Request-Timestamp',
        timestampUnit: 'ms',
        tolerance: 300_000,
        signed: 'method+uri+body+timestamp',
        encoding: 'base64',
      },
    });
    expect(parsed?.signature?.secret).toBeInstanceOf(Secret);
    expect(JSON.stringify(parsed)).not.toContain('s3cret');
  });

  it('defaults a scheme of its own to a hex HMAC-SHA256 of the body with a 5-minute tolerance', () => {
    expect(
      webhooksSchema.parse({ shop: { signature: { header: 'X-Signature', secret: 'k' } } }).shop,
    ).toMatchObject({
      maxBody: 262_144,
      retain: 604_800_000,
      signature: { algorithm: 'sha256', encoding: 'hex', prefix: '', signed: 'body', tolerance: 300_000 },
    });
  });

  it('names each bad key with its path', () => {
    expect(
      issuesOf({
        hubspot: {
          maxBody: '2gb',
          wakes: ['nope'],
          signature: { header: 'X-Sig', secret: 'k', tolerance: 5 },
        },
      }),
    ).toEqual(
      expect.arrayContaining([
        { path: 'webhooks.hubspot.maxBody', message: expect.stringContaining('256kb') as unknown },
        { path: 'webhooks.hubspot.signature.tolerance', message: expect.stringContaining('5s') as unknown },
      ]),
    );
    expect(issuesOf({ hubspot: { wakes: ['nope'] } })).toEqual([
      { path: 'webhooks.hubspot.wakes.0', message: 'no flow named "nope" (flows: deals)' },
    ]);
    expect(
      issuesOf({ hubspot: { signature: { preset: 'hubspot-v3', secret: 'k', tolerance: '10m' } } }),
    ).toEqual([
      {
        path: 'webhooks.hubspot.signature.tolerance',
        message: 'with preset: hubspot-v3, give only secret (the preset sets tolerance)',
      },
    ]);
    expect(issuesOf({ hubspot: { signature: { secret: 'k' } } })).toEqual([
      {
        path: 'webhooks.hubspot.signature.header',
        message: 'give the header that holds the signature (or preset: hubspot-v3)',
      },
    ]);
    expect(issuesOf({ 'bad name': {} }).map((issue) => issue.path)).toEqual(['webhooks.bad name']);
  });
});
