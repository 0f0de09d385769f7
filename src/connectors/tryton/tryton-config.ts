import { z } from 'zod';
import { positiveDurationMs } from '../../config/duration-schema.js';
import { secretString } from '../../config/secret.js';

/** Limit per JSON-RPC call when the config gives none. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Records per `create`/`write` call when the config gives none (Tryton's throughput levels off near 100). */
export const DEFAULT_BATCH = 100;

const JSON_VALUE: z.ZodType = z.unknown();

/** Schema of a `connections:` entry of `type: tryton` (a Tryton ERP over JSON-RPC); unknown keys are errors. */
export const trytonConfigSchema = z
  .strictObject({
    /** Selects this connector. */
    type: z.literal('tryton'),
    /**
     * The database's JSON-RPC URL, `http://erp.example.com:8000/erp/` (the path ends with the
     * database name). Server calls (`common.server.version`) go to its root.
     */
    url: z.string().refine((text) => /^https?:\/\/[^/]+\/[^/?#]+\/?$/.test(text), {
      message: 'must be the URL of a Tryton database, such as http://127.0.0.1:8000/erp/',
    }),
    /** The login of the Tryton user Syncline acts as. */
    user: z.string().min(1, 'user must name a Tryton login'),
    /** That user's password; a Secret (write it as `${TRYTON_PASSWORD}`). */
    password: secretString,
    /**
     * Context merged into every call's context, over the user's preferences (`company`,
     * `employee`), e.g. `{ locations: [5] }` so `quantity` of `product.product` counts stock in
     * the warehouse 5. Default none.
     */
    context: z.record(z.string(), JSON_VALUE).optional(),
    /** Limit per call, a duration (`30s`); past it the call is retried as a timeout. Default 60s. */
    timeout: positiveDurationMs.optional(),
    /** Records per `create`/`write`/`delete` call; a flow's batch is split into calls this size. Default 100. */
    batch: z.number().int().min(1, 'batch must be at least 1').max(10_000).optional(),
  })
  .transform(({ timeout, batch, context, url, ...rest }) => ({
    ...rest,
    url: url.endsWith('/') ? url : `${url}/`,
    /** Extra context of every call. */
    context: context ?? {},
    /** `timeout` in ms; default 60s. */
    timeoutMs: timeout ?? DEFAULT_TIMEOUT_MS,
    /** Records per call; default 100. */
    batch: batch ?? DEFAULT_BATCH,
  }));

/** A validated `connections:` entry of `type: tryton`: password a Secret, defaults applied, timeout in ms. */
export type TrytonConfig = z.output<typeof trytonConfigSchema>;
