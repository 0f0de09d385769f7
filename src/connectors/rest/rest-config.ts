import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { positiveDurationMs } from '../../config/duration-schema.js';
import { secretString } from '../../config/secret.js';
import { secretUrl } from '../../config/url-password.js';
import { restObjectSchema } from './rest-object-config.js';

/** Limit per request when the config gives none. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** How long before its expiry an OAuth2 token is renewed when the config gives no `refreshBefore`. */
export const DEFAULT_REFRESH_BEFORE_MS = 60_000;

const httpUrl = z.string().refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
  message: 'must be an http:// or https:// URL',
});

/** How requests authenticate; every credential is a Secret. */
const authSchema = z.discriminatedUnion('type', [
  /** `Authorization: Bearer <token>`. */
  z.strictObject({ type: z.literal('bearer'), token: secretString }),
  /** `Authorization: Basic base64(username:password)`. */
  z.strictObject({ type: z.literal('basic'), username: z.string().min(1), password: secretString }),
  /** OAuth 2.0 client credentials (RFC 6749 §4.4): a token fetched, cached and renewed before expiry. */
  z.strictObject({
    type: z.literal('oauth2'),
    tokenUrl: httpUrl,
    clientId: secretString,
    clientSecret: secretString,
    scope: z.string().optional(),
    /** `basic` (default, RFC 6749 §2.3.1): client id and secret in an Authorization header; `body`: as form fields. */
    clientAuth: z.enum(['basic', 'body']).default('basic'),
    /** Renew the token this long before it expires (a duration); default 60s. */
    refreshBefore: positiveDurationMs.optional(),
  }),
]);

/** Schema of a `connections:` entry of `type: rest`; unknown keys are errors. */
export const restConfigSchema = z
  .strictObject({
    /** Selects this connector. */
    type: z.literal('rest'),
    /**
     * Base URL of the API, `https://erp.example.com/api`; objects are paths below it. Kept as a
     * Secret: it may carry credentials or a token in its query.
     */
    url: secretUrl({
      protocols: ['http:', 'https:'],
      message: 'must be an http:// or https:// URL such as https://erp.example.com/api',
    }),
    /** Headers sent with every request (`Authorization: Bearer …`); values are Secrets. */
    headers: z.record(z.string(), secretString).optional(),
    auth: authSchema.optional(),
    /** Limit per request, a duration (`500ms`, `30s`); past it the request is retried as a timeout. Default 30s. */
    timeout: positiveDurationMs.optional(),
    /** At most `requests` requests per `per` (a duration) on this connection, shared by every flow using it. */
    rateLimit: z
      .strictObject({ requests: z.number().int().min(1).max(100_000), per: positiveDurationMs })
      .optional(),
    /** TLS of https URLs: verification is on unless `insecure: true` says otherwise. */
    tls: z
      .strictObject({
        /** File of PEM certificates to trust (a private CA), in addition to the system's. */
        ca: z.string().min(1).optional(),
        /** Skip certificate verification (never in production). Default false. */
        insecure: z.boolean().default(false),
      })
      .optional(),
    /** The API's objects by the name flows use (`source.table`, `target.table`). */
    objects: z.record(z.string().min(1), restObjectSchema).optional(),
  })
  .transform(({ timeout, tls, auth, ...rest }, context) => {
    let ca: string | undefined;
    if (tls?.ca !== undefined) {
      try {
        ca = readFileSync(tls.ca, 'utf8');
      } catch (error) {
        context.addIssue({
          code: 'custom',
          path: ['tls', 'ca'],
          message: `cannot read the CA file ${JSON.stringify(tls.ca)}: ${error instanceof Error ? error.message : String(error)}`,
        });
        return z.NEVER;
      }
    }
    return {
      ...rest,
      ...(auth === undefined
        ? {}
        : {
            auth:
              auth.type === 'oauth2'
                ? { ...auth, refreshBeforeMs: auth.refreshBefore ?? DEFAULT_REFRESH_BEFORE_MS }
                : auth,
          }),
      /** `timeout` in ms; default 30s. */
      timeoutMs: timeout ?? DEFAULT_TIMEOUT_MS,
      /** TLS settings, the CA file read. */
      tls: { ...(ca === undefined ? {} : { ca }), insecure: tls?.insecure ?? false },
    };
  });

/** A validated `connections:` entry of `type: rest`: defaults applied, credentials Secrets, durations in ms. */
export type RestConfig = z.output<typeof restConfigSchema>;
export type RestAuthConfig = NonNullable<RestConfig['auth']>;
