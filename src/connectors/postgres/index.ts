import type { ConnectorDefinition } from '../../core/connector.js';
import { postgresConfigSchema, type PostgresConfig } from './postgres-config.js';
import { PostgresConnector } from './postgres-connector.js';

/** The `type: postgres` connector: PostgreSQL tables as flow sources and targets. */
export const postgresConnector: ConnectorDefinition<PostgresConfig> = {
  type: 'postgres',
  configSchema: postgresConfigSchema,
  /** `postgres://` and `postgresql://` URLs, the URL kept as a secret. */
  entryFor: (location) =>
    /^postgres(ql)?:\/\//i.test(location)
      ? { entry: { type: 'postgres', url: location }, secretKey: 'url' }
      : undefined,
  create: (config, context) => new PostgresConnector(config, context),
};
