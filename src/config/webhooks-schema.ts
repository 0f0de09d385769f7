import { z } from 'zod';
import { positiveDurationMs } from './duration-schema.js';
import { secretString } from './secret.js';

/** An inbox (and URL path) name: letters, digits, `_` and `-`. */
const inboxName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "_" and "-", starting with a letter');

const BYTE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** A size: a number of bytes, or text such as `256kb`, `1mb` (units of 1,024). Compiled to bytes. */
export const byteSize = z.union([z.number(), z.string()]).transform((value, context) => {
  let bytes = NaN;
  if (typeof value === 'number') bytes = value;
  else {
    const match = /^\s*(\d+)\s*(b|kb|mb)\s*$/i.exec(value);
    const unit = BYTE_UNITS[match?.[2]?.toLowerCase() ?? ''];
    if (match !== null && unit !== undefined) bytes = Number(match[1]) * unit;
  }
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 104_857_600) {
    context.addIssue({
      code: 'custom',
      message: 'expected a size such as 256kb or 1mb (at most 100mb), or a number of bytes',
    });
    return z.NEVER;
  }
  return bytes;
});

/** What the signature covers, in this order, concatenated without separators. */
export const SignedParts = ['body', 'timestamp+body', 'method+uri+body+timestamp'] as const;
export type SignedPart = (typeof SignedParts)[number];

/**
 * HubSpot webhooks, signature v3, as HubSpot documents it
 * (https://developers.hubspot.com/docs/api/webhooks/validating-requests): base64 HMAC-SHA256, keyed
 * with the app's client secret, of method + URI + body + timestamp; the signature in
 * `X-HubSpot-Signature-v3`, the timestamp (epoch ms) in `X-HubSpot-Request-Timestamp`; requests
 * older than 5 minutes are refused.
 */
const HUBSPOT_V3 = {
  header: 'X-HubSpot-Signature-v3',
  algorithm: 'sha256',
  encoding: 'base64',
  prefix: '',
  timestampHeader: 'X-HubSpot-Request-Timestamp',
  timestampUnit: 'ms',
  tolerance: 300_000,
  signed: 'method+uri+body+timestamp',
} as const;

/** How requests are signed: `preset: hubspot-v3` with its `secret`, or a scheme of its own. */
const signature = z
  .strictObject({
    /** `hubspot-v3`: HubSpot's signature v3; give only `secret` with it. */
    preset: z.literal('hubspot-v3').optional(),
    /** Request header holding the signature, e.g. `X-Signature`. */
    header: z.string().min(1).optional(),
    /** HMAC hash. Default `sha256`. */
    algorithm: z.enum(['sha1', 'sha256', 'sha512']).optional(),
    /** How the header writes the digest. Default `hex`. */
    encoding: z.enum(['hex', 'base64']).optional(),
    /** Text before the digest in the header, e.g. `sha256=` (GitHub). Default none. */
    prefix: z.string().optional(),
    /** The shared secret the sender signs with. */
    secret: secretString,
    /** Request header holding when the sender signed (epoch), checked against `tolerance`. */
    timestampHeader: z.string().min(1).optional(),
    /** Unit of the timestamp header: `s` (default) or `ms`. */
    timestampUnit: z.enum(['s', 'ms']).optional(),
    /** How far the timestamp may be from now, either way. Default 5m. */
    tolerance: positiveDurationMs.optional(),
    /** What is signed: `body` (default), `timestamp+body` or `method+uri+body+timestamp`. */
    signed: z.enum(SignedParts).optional(),
  })
  .superRefine((scheme, context) => {
    const own = Object.keys(scheme).filter((key) => key !== 'preset' && key !== 'secret');
    if (scheme.preset !== undefined && own.length > 0)
      context.addIssue({
        code: 'custom',
        path: [own[0] ?? 'preset'],
        message: `with preset: ${scheme.preset}, give only secret (the preset sets ${own.join(', ')})`,
      });
    if (scheme.preset === undefined && scheme.header === undefined)
      context.addIssue({
        code: 'custom',
        path: ['header'],
        message: 'give the header that holds the signature (or preset: hubspot-v3)',
      });
  })
  .transform((scheme) =>
    scheme.preset === 'hubspot-v3'
      ? { ...HUBSPOT_V3, secret: scheme.secret, preset: scheme.preset }
      : {
          header: scheme.header ?? '',
          algorithm: scheme.algorithm ?? 'sha256',
          encoding: scheme.encoding ?? 'hex',
          prefix: scheme.prefix ?? '',
          secret: scheme.secret,
          timestampHeader: scheme.timestampHeader,
          timestampUnit: scheme.timestampUnit ?? 's',
          tolerance: scheme.tolerance ?? 300_000,
          signed: scheme.signed ?? 'body',
          preset: undefined,
        },
  );

/** A compiled signature scheme: tolerance in ms, the secret a `Secret`. */
export type WebhookSignature = z.output<typeof signature>;

/** One entry of `webhooks:`: an inbox fed by `POST /hooks/<name>`. */
const webhook = z
  .strictObject({
    /** How requests are authenticated; without it, the bearer token SYNCLINE_WEBHOOK_TOKEN (if set). */
    signature: signature.optional(),
    /** Largest body accepted (413 above). Default 256kb. */
    maxBody: byteSize.default(262_144),
    /** Flows woken once an event is stored. */
    wakes: z.array(inboxName).default([]),
    /** JSON path (dots) into each event of the event's id at the sender, to store a redelivered event once. */
    eventKey: z.string().min(1).optional(),
    /** A JSON array body is one event per element. Default true. */
    split: z.boolean().default(true),
    /** Scheme, host and any path prefix the sender calls, for a signature over the URI behind a proxy. */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** How long consumed events are kept (and their event keys remembered). Default 7d. */
    retain: positiveDurationMs.default(604_800_000),
  })
  .transform(({ signature: scheme, ...rest }) => ({
    ...rest,
    ...(scheme === undefined ? {} : { signature: scheme }),
  }));

/** The `webhooks:` section: inbox name → how its requests are checked and what they wake. */
export const webhooksSchema = z.record(inboxName, webhook);
/** A compiled `webhooks:` entry: sizes in bytes, durations in ms, the secret a `Secret`. */
export type WebhookConfig = z.output<typeof webhook>;
