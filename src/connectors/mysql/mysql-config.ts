import { z } from 'zod';
import { durationMs, positiveDurationMs } from '../../config/duration-schema.js';
import { secretUrl } from '../../config/url-password.js';

const OFFSET = /^[+-](?:0\d|1[0-4]):[0-5]\d$/;

/** Whether a zone is a fixed offset (`+08:00`) or an IANA name this runtime knows (`Asia/Shanghai`). */
export function isValidTimeZone(zone: string): boolean {
  if (OFFSET.test(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The `connections:` entry of a MySQL or MariaDB database. Unknown keys are errors. */
export const mysqlConfigSchema = z.strictObject({
  /** Selects this connector. */
  type: z.literal('mysql'),
  /**
   * Connection URL, `mysql://user:password@host:3306/database`. The database named here is used
   * for table names without a `database.` prefix. Kept as a Secret: it usually holds a password.
   */
  url: secretUrl({
    protocols: ['mysql:', 'mariadb:'],
    message: 'must be a URL like mysql://user:password@host:3306/database',
    checksPassword: true,
  }),
  /**
   * How long a write waits for a row lock held by another session before it fails with a
   * retryable lock-wait timeout (`innodb_lock_wait_timeout`, whole seconds, at least 1s), so a
   * locked ERP table slows Syncline down instead of stalling it. Default: the server's (50s).
   */
  lockWaitTimeout: durationMs.optional(),
  /**
   * How long opening a connection may take before it fails as a retryable timeout naming the
   * connection and host, a duration (`5s`). Default 10s.
   */
  connectTimeout: positiveDurationMs.optional(),
  /** Connections kept open to the server. Default 4. */
  poolSize: z.number().int().min(1).max(100).default(4),
  /**
   * The zone DATETIME columns are written in when a source timestamp carries an offset: a fixed
   * offset (`+08:00`) or an IANA name (`Asia/Shanghai`). TIMESTAMP columns are always written in
   * UTC. Default `+00:00`.
   */
  timezone: z
    .string()
    .refine(isValidTimeZone, { message: 'must be an offset like +08:00 or a time zone like Asia/Shanghai' })
    .default('+00:00'),
});

/** A validated `connections:` entry of type `mysql`. */
export type MysqlConfig = z.infer<typeof mysqlConfigSchema>;
