import { ConfigError } from '../config/config-error.js';
import type { SyncConfig } from '../config/config-schema.js';
import type { Connector } from '../core/connector.js';
import { connectionFingerprints } from '../config/connection-fingerprint.js';
import { diffConfig, flowsToRestart } from '../core/config-diff.js';
import { compileFlow, type Flow } from '../core/flow.js';
import { flowContractIssues, referenceIssues } from '../core/flow-contract.js';
import type { Logger } from '../core/logger.js';
import type { InboxStore } from '../core/inbox.js';
import type { StateStore } from '../core/state-store.js';
import type { ConfigReloader } from '../operations/config-reloader.js';
import type { OperationsContext } from '../operations/operations-context.js';
import type { EngineContext } from '../runtime/runtime.js';
import { loadEngineConfig } from './engine-config.js';
import { checkSchemas } from './schema-report.js';
import { threadLaneRunner } from './lane-threads.js';
import { DEFAULT_STATE_URL, openStateStore } from './state-store-factory.js';
import { bullmqSettings } from './bullmq-config.js';
import { JobLaneRunner } from '../runtime/bullmq/job-lanes.js';

export { loadEngineConfig } from './engine-config.js';

/**
 * The wired engine: config, compiled flows, lazily created connectors and the state store.
 * `config`, `flows`, `context` and `operations` are those of the config in use: a reload
 * (`reloader`, then `PreparedConfig.commit`) replaces them.
 */
export interface Engine {
  readonly config: SyncConfig;
  readonly flows: readonly Flow[];
  readonly state: StateStore;
  readonly context: EngineContext;
  /**
   * What the operations (status, resync, replay, …) work with; no runtime runs in it. After a
   * reload it describes the new config: read it again rather than keep it.
   */
  readonly operations: OperationsContext;
  /** Every secret value of the config (its parsed `Secret`s), for redaction wherever text leaves. */
  readonly secrets: readonly string[];
  /** Reads the config file again for `reloadConfig` (`run` on a change of the file or SIGHUP). */
  readonly reloader: ConfigReloader;
  /** The connector of a connection, created on first use. */
  connector(name: string): Connector;
  flow(name: string): Flow;
  close(): Promise<void>;
}

/** One config as the engine runs it: its compiled flows and the connectors made for it. */
interface Generation {
  readonly config: SyncConfig;
  readonly flows: readonly Flow[];
  readonly fingerprints: Readonly<Record<string, string>>;
  readonly connectors: Map<string, Connector>;
  readonly connector: (name: string) => Connector;
  readonly context: EngineContext;
}

/**
 * Opens the engine for a config file. Connectors connect lazily, on first use. The logger is
 * made once the connections are parsed, so it can redact their `Secret`s; its list of secrets
 * grows when a reload brings new ones.
 */
export async function openEngine(
  configPath: string,
  makeLogger: (secrets: readonly string[]) => Logger,
): Promise<Engine & { logger: Logger }> {
  const loaded = loadEngineConfig(configPath);
  const secrets = [...loaded.secrets];
  const logger = makeLogger(secrets);
  const state = await openStateStore(loaded.config.state ?? DEFAULT_STATE_URL, logger);
  /** Every connector not closed yet, of the config in use and of replaced ones still running cycles. */
  const open = new Set<Connector>();
  let current: Generation;
  /** A reloaded config between its check and its commit: its connectors are in use too. */
  let pending: Generation | undefined;
  // On a BullMQ deployment, lanes of a partitioned backfill are jobs for any worker (one runner,
  // connected on first use); otherwise they run in worker threads of this process.
  const bullmq = bullmqSettings(loaded.config);
  const jobLanes = bullmq === undefined ? undefined : new JobLaneRunner(bullmq, logger);

  const generation = (
    config: SyncConfig,
    factories: ReadonlyMap<string, (logger: Logger, inbox: InboxStore) => Connector>,
    connectors: Map<string, Connector>,
  ): Generation => {
    const flows = Object.entries(config.flows).map(([name, spec]) => compileFlow(name, spec));
    const connector = (name: string): Connector => {
      let instance = connectors.get(name);
      if (instance === undefined) {
        const factory = factories.get(name);
        if (factory === undefined)
          throw new ConfigError([{ path: `connections.${name}`, message: 'no such connection' }]);
        instance = factory(logger, state);
        connectors.set(name, instance);
        open.add(instance);
      }
      return instance;
    };
    const fingerprints = connectionFingerprints(config.connections);
    // Lanes of a partitioned backfill run in worker threads that open this config file themselves.
    const lanes = jobLanes ?? threadLaneRunner(configPath, () => config, logger, state);
    const made: Generation = {
      config,
      flows,
      fingerprints,
      connectors,
      connector,
      context: {
        flows,
        state,
        logger,
        connections: fingerprints,
        webhooks: connectionFingerprints(config.webhooks ?? {}),
        portsFor: (target) => ({
          source: connector(target.sourceConnection),
          target: connector(target.targetConnection),
          state,
          logger,
          ...(lanes === undefined ? {} : { lanes }),
        }),
        retire: () => closeUnused(made.connectors),
      },
    };
    return made;
  };
  /** Closes the connectors of `connectors` the config in use does not share. */
  const closeUnused = async (connectors: ReadonlyMap<string, Connector>): Promise<void> => {
    const inUse = new Set([...current.connectors.values(), ...(pending?.connectors.values() ?? [])]);
    const unused = [...connectors.values()].filter((instance) => !inUse.has(instance) && open.has(instance));
    for (const instance of unused) open.delete(instance);
    await Promise.allSettled(unused.map((instance) => instance.close()));
  };
  /**
   * What the flows of a generation ask of their connectors that they cannot do (names by each
   * system's rules, capabilities): errors refuse the config before anything is read or written,
   * warnings are logged.
   */
  const checkContracts = (made: Generation, file: string): void => {
    const flows = made.config.flows;
    const issues = [
      ...Object.entries(flows).flatMap(([name, flow]) =>
        flowContractIssues(name, flow, {
          source: made.connector(flow.source.connection),
          target: made.connector(flow.target.connection),
        }),
      ),
      ...referenceIssues(flows, (name) => made.connector(flows[name]?.target.connection ?? '')),
    ];
    for (const issue of issues.filter((entry) => entry.severity === 'warning'))
      logger.warn(`${issue.path}: ${issue.message}`);
    const errors = issues.filter((entry) => entry.severity === undefined);
    if (errors.length > 0)
      throw new ConfigError(
        errors.map(({ path, message }) => ({ path, message })),
        { file },
      );
  };
  current = generation(loaded.config, loaded.factories, new Map());
  try {
    checkContracts(current, configPath);
  } catch (error) {
    await Promise.allSettled([...open].map((instance) => instance.close()));
    await state.close();
    throw error;
  }

  const reloader: ConfigReloader = {
    source: configPath,
    prepareReload: async (signal) => {
      const next = loadEngineConfig(configPath);
      for (const secret of next.secrets) if (!secrets.includes(secret)) secrets.push(secret);
      if ((next.config.state ?? DEFAULT_STATE_URL) !== (current.config.state ?? DEFAULT_STATE_URL))
        logger.warn('state: changed in the config; the new state store is used after a restart');
      const fingerprints = connectionFingerprints(next.config.connections);
      // Connections whose settings did not change keep their connectors.
      const kept = new Map(
        [...current.connectors].filter(([name]) => fingerprints[name] === current.fingerprints[name]),
      );
      const candidate = generation(next.config, next.factories, kept);
      const summary = diffConfig(current.context, candidate.context);
      const discard = (): Promise<void> => {
        if (pending === candidate) pending = undefined;
        return closeUnused(candidate.connectors);
      };
      try {
        checkContracts(candidate, configPath);
      } catch (error) {
        await discard();
        throw error;
      }
      const toCheck = flowsToRestart(summary, candidate.flows);
      for (const name of summary.addedFlows) toCheck.add(name);
      const findings = await checkSchemas(
        candidate,
        candidate.flows.filter((flow) => flow.enabled && toCheck.has(flow.name)),
        signal,
      );
      for (const finding of findings.filter((entry) => entry.severity === 'warning'))
        logger.warn(`${finding.path}: ${finding.message}`);
      const errors = findings.filter((finding) => finding.severity === 'error');
      if (errors.length > 0) {
        await discard();
        throw new ConfigError(
          errors.map((finding) => ({ path: finding.path, message: finding.message })),
          { file: configPath },
        );
      }
      pending = candidate;
      return {
        context: candidate.context,
        summary,
        commit: () => {
          current = candidate;
          if (pending === candidate) pending = undefined;
        },
        discard,
      };
    },
  };

  const flow = (name: string): Flow => {
    const found = current.flows.find((candidate) => candidate.name === name);
    if (found === undefined) {
      throw new ConfigError([
        {
          path: `flows.${name}`,
          message: `no flow named "${name}" (flows: ${current.flows.map((f) => f.name).join(', ')})`,
        },
      ]);
    }
    return found;
  };
  return {
    logger,
    state,
    secrets,
    get config() {
      return current.config;
    },
    get flows() {
      return current.flows;
    },
    get context() {
      return current.context;
    },
    get operations(): OperationsContext {
      const { context, connector } = current;
      return {
        flows: context.flows,
        state,
        logger,
        portsFor: (flow) => context.portsFor(flow),
        connector,
        reloader,
      };
    },
    connector: (name) => current.connector(name),
    flow,
    reloader,
    close: async () => {
      await Promise.allSettled([...open].map((instance) => instance.close()));
      open.clear();
      await jobLanes?.close();
      await state.close();
    },
  };
}
