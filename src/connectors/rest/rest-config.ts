import { z } from 'zod';
import { positiveDurationMs } from '../../config/duration-schema.js';
import { secretString } from '../../config/secret.js';
import { secretUrl } from '../../config/url-password.js';

/** Limit per request when the config gives none. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Schema of a `connections:` entry of `type: rest` (a target only); unknown keys are errors. */
export const restConfigSchema = z
  .strictObject({
    /** Selects this connector. */
    type: z.literal('rest'),
    /**
     * Base URL of the API, `https://erp.example.com/api`; tables are paths below it. Kept as a
     * Secret: it may carry credentials or a token in its query.
     */
    url: secretUrl({
      protocols: ['http:', 'https:'],
      message: 'must be an http:// or https:// URL such as https://erp.example.com/api',
    }),
    /** Headers sent with every request (`Authorization: Bearer …`); values are Secrets. */
    headers: z.record(z.string(), secretString).optional(),
    /** Limit per request, a duration (`500ms`, `30s`); past it the write is retried as a timeout. Default 30s. */
    timeout: positiveDurationMs.optional(),
  })
  .transform(({ timeout, ...rest }) => ({
    ...rest,
    /** `timeout` in ms; default 30s. */
    timeoutMs: timeout ?? DEFAULT_TIMEOUT_MS,
  }));

/** A validated `connections:` entry of `type: rest`: defaults applied, URL and headers Secrets, timeout in ms. */
export type RestConfig = z.output<typeof restConfigSchema>;
