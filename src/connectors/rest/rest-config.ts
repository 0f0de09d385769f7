import { z } from 'zod';
import { parseDurationMs } from '../../config/duration.js';
import { Secret } from '../../config/secret.js';

const DEFAULT_TIMEOUT_MS = 30_000;

function isHttpUrl(url: string): boolean {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** Schema of a `connections:` entry of `type: rest` (a target only); unknown keys are errors. */
export const restConfigSchema = z.strictObject({
  /** Selects this connector. */
  type: z.literal('rest'),
  /**
   * Base URL of the API, `https://erp.example.com/api`; tables are paths below it. Kept as a
   * Secret: it may carry credentials or a token in its query.
   */
  url: z
    .union([z.string(), z.instanceof(Secret)])
    .transform((value) => (value instanceof Secret ? value : new Secret(value)))
    .refine((secret) => isHttpUrl(secret.reveal()), {
      message: 'must be an http:// or https:// URL such as https://erp.example.com/api',
    }),
  /** Headers sent with every request (`Authorization: Bearer …`); values are Secrets. */
  headers: z
    .record(
      z.string(),
      z
        .union([z.string(), z.instanceof(Secret)])
        .transform((value) => (value instanceof Secret ? value : new Secret(value))),
    )
    .optional(),
  /** Limit per request, a duration (`500ms`, `30s`); past it the write is retried as a timeout. Default 30s. */
  timeout: z
    .string()
    .refine((text) => (parseDurationMs(text) ?? 0) > 0, {
      message: 'must be a duration such as 500ms, 30s or 5m',
    })
    .default('30s'),
});

/** A validated `connections:` entry of `type: rest`, defaults applied. */
export type RestConfig = z.infer<typeof restConfigSchema>;

/** The request limit of a config, in milliseconds. */
export function restTimeoutMs(config: RestConfig): number {
  return parseDurationMs(config.timeout) ?? DEFAULT_TIMEOUT_MS;
}
