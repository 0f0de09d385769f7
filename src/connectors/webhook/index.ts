import type { ConnectorDefinition } from '../../core/connector.js';
import { webhookConfigSchema, type WebhookConnectionConfig } from './webhook-config.js';
import { WebhookConnector } from './webhook-connector.js';

/** The `webhook` connector: the `webhooks:` inboxes as a flow source (never a target). */
export const webhookConnector: ConnectorDefinition<WebhookConnectionConfig> = {
  type: 'webhook',
  configSchema: webhookConfigSchema,
  create: (config, context) => new WebhookConnector(config, context),
};
