/**
 * One Syncline cycle in a child process, wired the way the CLI wires a config: the config object is
 * validated by the real schema, connectors are created from their definitions, the state lives in
 * SQLite, and `runCycle` does the work. Prints a ChildReport (cycle time, counts, peak RSS).
 */
import { syncConfigSchema, type SyncConfig } from '../src/config/config-schema.js';
import type { Connector, ConnectorDefinition } from '../src/core/connector.js';
import { runCycle } from '../src/core/cycle.js';
import { compileFlow } from '../src/core/flow.js';
import type { Logger, LogFields } from '../src/core/logger.js';
import { mysqlConnector } from '../src/connectors/mysql/index.js';
import { postgresConnector } from '../src/connectors/postgres/index.js';
import { SqliteStateStore } from '../src/state/sqlite/sqlite-state-store.js';
import { printChildReport, readChildArgument } from './child-process.js';
import { threadLaneRunner } from '../src/cli/lane-threads.js';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SynclineCycleArguments } from './syncline-cycle.js';

const definitions: Record<string, ConnectorDefinition> = {
  postgres: postgresConnector,
  mysql: mysqlConnector,
};

/** The cycle's `bulk path: …` info line (batches loaded in bulk and handed back), for the report. */
let bulkPathLine: string | undefined;
/** Lanes the backfill ran in, from its `backfill in N lanes: …` info line; 1 without that line. */
let lanesUsed = 1;
/** Where the lanes ran (`worker threads`), or `cycle thread`. */
let lanesWhere = 'cycle thread';

/** Warnings and errors to stderr (the parent passes them through); the rest is dropped. */
function stderrLogger(fields: LogFields = {}): Logger {
  const write = (level: string, message: string, extra?: LogFields): void => {
    process.stderr.write(`[syncline ${level}] ${message} ${JSON.stringify({ ...fields, ...extra })}\n`);
  };
  return {
    debug: () => undefined,
    info: (message) => {
      if (message.startsWith('bulk path:')) bulkPathLine = message;
      if (message.startsWith('backfill lanes run in'))
        lanesWhere = message.slice('backfill lanes run in '.length);
      const lanes = /^backfill in (\d+) lanes/.exec(message)?.[1];
      if (lanes !== undefined) lanesUsed = Number(lanes);
    },
    warn: (message, extra) => {
      write('warn', message, extra);
    },
    error: (message, extra) => {
      write('error', message, extra);
    },
    child: (more) => stderrLogger({ ...fields, ...more }),
  };
}

function createConnector(config: SyncConfig, name: string, logger: Logger): Connector {
  const entry = config.connections[name];
  const definition = entry === undefined ? undefined : definitions[entry.type];
  if (entry === undefined || definition === undefined)
    throw new Error(`no connector for connection "${name}"`);
  return definition.create(definition.configSchema.parse(entry), { name, logger });
}

async function main(): Promise<void> {
  const argument = readChildArgument() as SynclineCycleArguments;
  const written = {
    state: `sqlite:${argument.stateFile}`,
    connections: {
      crm: { type: 'postgres', url: argument.sourceUrl },
      erp: { type: argument.targetType, url: argument.targetUrl },
    },
    flows: { [argument.flowName]: argument.flow },
  };
  const config = syncConfigSchema.parse(written);
  // The config as a file too, as `syncline run` has it: backfill lanes run in worker threads that
  // open it (src/cli/lane-threads.ts).
  const configFile = join(dirname(argument.stateFile), `${argument.flowName}.json`);
  writeFileSync(configFile, JSON.stringify(written));
  const logger = stderrLogger();
  const flow = compileFlow(argument.flowName, config.flows[argument.flowName]!);
  const source = createConnector(config, flow.sourceConnection, logger);
  const target = createConnector(config, flow.targetConnection, logger);
  const state = new SqliteStateStore(argument.stateFile);
  await state.init();
  const signal = new AbortController().signal;
  // Open the pools first, as a long-running `syncline run` has them open before a cycle starts.
  for (const [name, connector] of [
    ['source', source],
    ['target', target],
  ] as const) {
    const probe = await connector.probe(signal);
    if (!probe.ok) throw new Error(`${name} is unreachable: ${probe.message ?? ''}`);
  }

  const started = performance.now();
  const lanes = threadLaneRunner(configFile, () => config, logger, state);
  const result = await runCycle(
    flow,
    { source, target, state, logger, ...(lanes === undefined ? {} : { lanes }) },
    { trigger: 'manual', signal },
  );
  const ms = performance.now() - started;

  if (result.status !== 'succeeded') {
    throw new Error(
      `cycle of flow "${flow.name}" ended ${result.status}: ${result.error?.message ?? 'no error recorded'}`,
    );
  }
  const { counts } = result;
  if (counts.quarantined > 0 || counts.failed > 0) {
    throw new Error(
      `cycle of flow "${flow.name}" quarantined ${counts.quarantined} and dead-lettered ${counts.failed} records`,
    );
  }
  printChildReport({
    rows: counts.read,
    ms,
    details: { ...counts, lanes: lanesUsed, lanesIn: lanesWhere, bulkPath: bulkPathLine ?? 'not used' },
  });
  await Promise.all([source.close(), target.close(), state.close()]);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `syncline cycle failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
