import { resolve } from 'node:path';
import { z } from 'zod';

/** The `connections:` entry of a SQLite database file. Unknown keys are errors. */
export const sqliteConfigSchema = z.strictObject({
  /** Always `sqlite`. */
  type: z.literal('sqlite'),
  /**
   * Path of the database file, relative to the working directory of the process (not of the
   * config file); `:memory:` opens a private in-memory database. The file must already exist.
   */
  path: z.string().min(1, 'path must name a database file'),
  /** Opens the file read-only: the connection can be the source of a flow but not its target. Default false. */
  readonly: z.boolean().optional(),
});

/** A validated `connections:` entry of type `sqlite`. */
export type SqliteConfig = z.infer<typeof sqliteConfigSchema>;

/** The in-memory database name that better-sqlite3 understands. */
export const MEMORY_DATABASE = ':memory:';

/** The absolute path the connector opens: `path` resolved against the process's working directory. */
export function resolveDatabasePath(config: SqliteConfig, cwd: string = process.cwd()): string {
  return config.path === MEMORY_DATABASE ? MEMORY_DATABASE : resolve(cwd, config.path);
}
