import { decryptedSecretsOf } from '../config/encrypted-values.js';
import { loadConfig } from '../config/load-config.js';
import { redactText, Secret, secretValues } from '../config/secret.js';
import { MASTER_KEY_VARIABLE } from '../config/secret-cipher.js';
import { ConfigError, type ConfigIssue } from '../config/config-error.js';
import type { SyncConfig } from '../config/config-schema.js';
import type { Connector } from '../core/connector.js';
import type { CyclePorts } from '../core/cycle-ports.js';
import { compileFlow, type Flow } from '../core/flow.js';
import type { Logger } from '../core/logger.js';
import type { StateStore } from '../core/state-store.js';
import type { OperationsContext } from '../operations/operations-context.js';
import type { EngineContext } from '../runtime/runtime.js';
import { alertSecretValues } from '../alerts/alert-secrets.js';
import { connectorRegistry } from './connector-registry.js';
import { DEFAULT_STATE_URL, openStateStore } from './state-store-factory.js';

/** The wired engine: config, compiled flows, lazily created connectors and the state store. */
export interface Engine {
  readonly config: SyncConfig;
  readonly flows: readonly Flow[];
  readonly state: StateStore;
  readonly context: EngineContext;
  /** What the operations (status, resync, replay, …) work with; no runtime runs in it. */
  readonly operations: OperationsContext;
  /** Every secret value of the config (its parsed `Secret`s), for redaction wherever text leaves. */
  readonly secrets: readonly string[];
  /** The connector of a connection, created on first use. */
  connector(name: string): Connector;
  flow(name: string): Flow;
  close(): Promise<void>;
}

/** Loads and checks the config file; throws one ConfigError listing every problem. */
export function loadEngineConfig(configPath: string): {
  config: SyncConfig;
  factories: Map<string, (logger: Logger) => Connector>;
  /**
   * The secret values of every connection (its parsed `Secret`s), every value decrypted from
   * `enc:` and the master key, for loggers to redact.
   */
  secrets: readonly string[];
} {
  const config = loadConfig(configPath);
  const issues: ConfigIssue[] = [];
  const factories = new Map<string, (logger: Logger) => Connector>();
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
      factories.set(name, (logger) => parsed.create({ name, logger: logger.child({ connection: name }) }));
    } else issues.push(...parsed.issues);
  }
  if (config.alerts !== undefined) for (const secret of alertSecretValues(config.alerts)) secrets.add(secret);
  if (issues.length > 0) {
    const masked = issues.map((issue) => ({ ...issue, message: redactText(issue.message, [...secrets]) }));
    throw new ConfigError(masked, { file: configPath });
  }
  return { config, factories, secrets: [...secrets] };
}

/**
 * Opens the engine for a config file. Connectors connect lazily, on first use. The logger is
 * made once the connections are parsed, so it can redact their `Secret`s.
 */
export async function openEngine(
  configPath: string,
  makeLogger: (secrets: readonly string[]) => Logger,
): Promise<Engine & { logger: Logger }> {
  const { config, factories, secrets } = loadEngineConfig(configPath);
  const logger = makeLogger(secrets);
  const flows = Object.entries(config.flows).map(([name, spec]) => compileFlow(name, spec));
  const state = await openStateStore(config.state ?? DEFAULT_STATE_URL);
  const connectors = new Map<string, Connector>();
  const connector = (name: string): Connector => {
    let instance = connectors.get(name);
    if (instance === undefined) {
      const factory = factories.get(name);
      if (factory === undefined)
        throw new ConfigError([{ path: `connections.${name}`, message: 'no such connection' }]);
      instance = factory(logger);
      connectors.set(name, instance);
    }
    return instance;
  };
  const flow = (name: string): Flow => {
    const found = flows.find((candidate) => candidate.name === name);
    if (found === undefined) {
      throw new ConfigError([
        {
          path: `flows.${name}`,
          message: `no flow named "${name}" (flows: ${flows.map((f) => f.name).join(', ')})`,
        },
      ]);
    }
    return found;
  };
  const portsFor = (target: Flow): CyclePorts => ({
    source: connector(target.sourceConnection),
    target: connector(target.targetConnection),
    state,
    logger,
  });
  return {
    logger,
    config,
    flows,
    state,
    context: { flows, state, logger, portsFor },
    operations: { flows, state, logger, portsFor, connector },
    secrets,
    connector,
    flow,
    close: async () => {
      await Promise.allSettled([...connectors.values()].map((instance) => instance.close()));
      await state.close();
    },
  };
}
