import { z } from 'zod';

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Schema of a `connections:` entry of `type: postgres`; unknown keys are errors. */
export const postgresConfigSchema = z.strictObject({
  /** Always `postgres`. */
  type: z.literal('postgres'),
  /** Connection URL, `postgres://user:password@host:5432/database`; a secret (it may hold a password). */
  url: z.string().min(1, 'url must not be empty'),
  /** Schema of unqualified table names. Default `public`. */
  schema: z.string().min(1).default('public'),
  /** Connections kept open at most. Default 4. */
  poolSize: z.number().int().min(1).max(100).default(4),
  /** Server-side limit per statement, a duration such as `30s`, `500ms`, `5m`. Default: none. */
  statementTimeout: z
    .string()
    .regex(DURATION, 'statementTimeout must be a duration such as 500ms, 30s, 5m or 1h')
    .optional(),
});

/** A validated `connections:` entry of `type: postgres`, defaults applied. */
export type PostgresConfig = z.infer<typeof postgresConfigSchema>;

/** Milliseconds of a duration string (`500ms`, `30s`, `5m`, `1h`), as validated by the schema. */
export function durationToMs(duration: string): number {
  const match = DURATION.exec(duration);
  if (match === null) throw new RangeError(`"${duration}" is not a duration such as 30s`);
  const [, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS];
  return Number(amount) * UNIT_MS[unit];
}
