import type { ConnectorDefinition } from '../../core/connector.js';
import { sqliteConfigSchema, type SqliteConfig } from './sqlite-config.js';
import { SqliteConnector } from './sqlite-connector.js';

/** The `sqlite` connector: a SQLite database file, as a source and (unless `readonly`) a target. */
export const sqliteConnector: ConnectorDefinition<SqliteConfig> = {
  type: 'sqlite',
  configSchema: sqliteConfigSchema,
  /** `sqlite:path`, or a path ending in `.db`, `.sqlite` or `.sqlite3`. */
  entryFor: (location) => {
    if (location.startsWith('sqlite:')) return { entry: { type: 'sqlite', path: location.slice(7) } };
    return /\.(db|sqlite|sqlite3)$/i.test(location)
      ? { entry: { type: 'sqlite', path: location } }
      : undefined;
  },
  create: (config, context) => new SqliteConnector(config, context),
};
