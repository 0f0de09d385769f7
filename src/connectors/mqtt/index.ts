import type { ConnectorDefinition } from '../../core/connector.js';
import { mqttConfigSchema, type MqttConfig } from './mqtt-config.js';
import { MqttConnector } from './mqtt-connector.js';

/** The `mqtt` connector: messages of subscribed topics, stored in an inbox before they are acknowledged, as a flow source. */
export const mqttConnector: ConnectorDefinition<MqttConfig> = {
  type: 'mqtt',
  configSchema: mqttConfigSchema,
  create: (config, context) => new MqttConnector(config, context),
};
