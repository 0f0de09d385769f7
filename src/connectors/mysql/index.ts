import type { ConnectorDefinition } from '../../core/connector.js';
import { mysqlConfigSchema, type MysqlConfig } from './mysql-config.js';
import { MysqlConnector } from './mysql-connector.js';

/** The `mysql` connector type: MySQL 8 and MariaDB 10.5+ as a source and a target. */
export const mysqlConnector: ConnectorDefinition<MysqlConfig> = {
  type: 'mysql',
  configSchema: mysqlConfigSchema,
  /** `mysql://` and `mariadb://` URLs, the URL kept as a secret. */
  entryFor: (location) =>
    /^(mysql|mariadb):\/\//i.test(location)
      ? { entry: { type: 'mysql', url: location }, secretKey: 'url' }
      : undefined,
  create: (config, context) => new MysqlConnector(config, context),
};
