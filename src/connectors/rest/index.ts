import type { ConnectorDefinition } from '../../core/connector.js';
import { restConfigSchema, type RestConfig } from './rest-config.js';
import { RestConnector } from './rest-connector.js';

/** The `rest` connector: a generic REST/JSON API as a flow's source and target (docs/rest.md). */
export const restConnector: ConnectorDefinition<RestConfig> = {
  type: 'rest',
  configSchema: restConfigSchema,
  create: (config, context) => new RestConnector(config, context),
};
