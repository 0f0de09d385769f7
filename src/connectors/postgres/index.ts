import type { ConnectorDefinition } from '../../core/connector.js';
import { postgresConfigSchema, type PostgresConfig } from './postgres-config.js';
import { PostgresConnector } from './postgres-connector.js';

/** The `type: postgres` connector: PostgreSQL tables as flow sources and targets. */
export const postgresConnector: ConnectorDefinition<PostgresConfig> = {
  type: 'postgres',
  configSchema: postgresConfigSchema,
  create: (config, context) => new PostgresConnector(config, context),
};
