import type { ConnectorDefinition } from '../../core/connector.js';
import { trytonConfigSchema, type TrytonConfig } from './tryton-config.js';
import { TrytonConnector } from './tryton-connector.js';

/** The `tryton` connector: a Tryton ERP over JSON-RPC, as a flow's source or target. */
export const trytonConnector: ConnectorDefinition<TrytonConfig> = {
  type: 'tryton',
  configSchema: trytonConfigSchema,
  create: (config, context) => new TrytonConnector(config, context),
};
