import { decryptedSecretsOf } from '../config/encrypted-values.js';
import { loadConfig } from '../config/load-config.js';
import { redactText, Secret, secretValues } from '../config/secret.js';
import { MASTER_KEY_VARIABLE } from '../config/secret-cipher.js';
import { ConfigError, type ConfigIssue } from '../config/config-error.js';
import type { SyncConfig } from '../config/config-schema.js';
import type { Connector } from '../core/connector.js';
import type { Logger } from '../core/logger.js';
import type { InboxStore } from '../core/inbox.js';
import { alertSecretValues } from '../alerts/alert-secrets.js';
import { connectorRegistry } from './connector-registry.js';

// The config file as the engine needs it, without the engine: also what a backfill lane's worker
// thread loads (lane-worker.ts), so it stays light.

/** Loads and checks the config file; throws one ConfigError listing every problem. */
export function loadEngineConfig(configPath: string): {
  config: SyncConfig;
  /** Creates a connection's connector; connectors that receive or read pushed events get the inbox. */
  factories: Map<string, (logger: Logger, inbox: InboxStore) => Connector>;
  /**
   * The secret values of every connection (its parsed `Secret`s), every value decrypted from
   * `enc:` and the master key, for loggers to redact.
   */
  secrets: readonly string[];
} {
  const config = loadConfig(configPath);
  const issues: ConfigIssue[] = [];
  const factories = new Map<string, (logger: Logger, inbox: InboxStore) => Connector>();
  // Values decrypted from `enc:` are secrets under any key, marked secret by a schema or not.
  const secrets = new Set<string>(secretValues(decryptedSecretsOf(config).map((value) => new Secret(value))));
  const masterKey = process.env[MASTER_KEY_VARIABLE]?.trim();
  if (masterKey !== undefined && masterKey !== '') secrets.add(masterKey);
  for (const [name, raw] of Object.entries(config.connections)) {
    const registered = connectorRegistry.get(raw.type);
    if (registered === undefined) {
      issues.push({
        path: `connections.${name}.type`,
        message: `unknown connector type "${raw.type}" (available: ${[...connectorRegistry.keys()].join(', ')})`,
      });
      continue;
    }
    const parsed = registered.parse(raw, ['connections', name]);
    if (parsed.ok) {
      for (const secret of parsed.secrets) secrets.add(secret);
      factories.set(name, (logger, inbox) =>
        parsed.create({ name, logger: logger.child({ connection: name }), inbox }),
      );
    } else issues.push(...parsed.issues);
  }
  if (config.alerts !== undefined) for (const secret of alertSecretValues(config.alerts)) secrets.add(secret);
  for (const secret of secretValues(config.webhooks ?? {})) secrets.add(secret);
  if (issues.length > 0) {
    const masked = issues.map((issue) => ({ ...issue, message: redactText(issue.message, [...secrets]) }));
    throw new ConfigError(masked, { file: configPath });
  }
  return { config, factories, secrets: [...secrets] };
}
