import type { ConnectorDefinition } from '../../core/connector.js';
import { sqliteConfigSchema, type SqliteConfig } from './sqlite-config.js';
import { SqliteConnector } from './sqlite-connector.js';

/** The `sqlite` connector: a SQLite database file, as a source and (unless `readonly`) a target. */
export const sqliteConnector: ConnectorDefinition<SqliteConfig> = {
  type: 'sqlite',
  configSchema: sqliteConfigSchema,
  create: (config, context) => new SqliteConnector(config, context),
};
