import { z } from 'zod';
import { positiveDurationMs } from '../../config/duration-schema.js';
import { secretUrl } from '../../config/url-password.js';

/** Schema of a `connections:` entry of `type: postgres`; unknown keys are errors. */
export const postgresConfigSchema = z
  .strictObject({
    /** Selects this connector. */
    type: z.literal('postgres'),
    /**
     * Connection URL, `postgres://user:password@host:5432/database`. It usually holds a password:
     * it is a Secret, revealed only where the driver connects, and masked in every message.
     */
    url: secretUrl({
      protocols: ['postgres:', 'postgresql:'],
      message: 'must be a URL like postgres://user:password@host:5432/database',
      checksPassword: true,
    }),
    /** Schema of table names without a `schema.` prefix. Default `public`. */
    schema: z.string().min(1).default('public'),
    /** Connections kept open to the server at most. Default 4. */
    poolSize: z.number().int().min(1).max(100).default(4),
    /**
     * Server-side limit per statement, a duration (`500ms`, `30s`, `5m`); a statement past it is
     * cancelled and retried as a timeout. Default: none (the server's own setting).
     */
    statementTimeout: positiveDurationMs.optional(),
    /**
     * How long opening a connection may take before it fails as a retryable timeout naming the
     * connection and host, a duration (`5s`). Default 10s.
     */
    connectTimeout: positiveDurationMs.optional(),
  })
  .transform(({ statementTimeout, connectTimeout, ...rest }) => ({
    ...rest,
    /** `statementTimeout` in ms; undefined: the server's own setting. */
    statementTimeoutMs: statementTimeout,
    /** `connectTimeout` in ms; undefined: 10 s. */
    connectTimeoutMs: connectTimeout,
  }));

/** A validated `connections:` entry of `type: postgres`: defaults applied, URL a Secret, timeout in ms. */
export type PostgresConfig = z.output<typeof postgresConfigSchema>;
