import { existsSync, writeFileSync } from 'node:fs';
import type { Connector, TableSchema } from '../../core/connector.js';
import type { GlobalOptions } from '../cli-context.js';
import { connectorRegistry, proposeConnectionEntry } from '../connector-registry.js';
import { createConsoleLogger } from '../console-logger.js';
import { ExitCodes } from '../exit-codes.js';
import { EndpointError, isConnectionName, parseEndpoint, type InitEndpoint } from '../init/init-endpoints.js';
import { readExistingConfig } from '../init/init-existing-config.js';
import { proposeInit, type InitProposal } from '../init/init-proposal.js';
import { renderInitConfig } from '../init/init-yaml.js';

/** The commented starter config `syncline init` writes. */
export const STARTER_CONFIG = `# Syncline configuration. Every key is documented in docs/config.md.
# \${NAME} is replaced by the environment variable NAME (\${NAME:-default} gives a default).

# Where Syncline keeps checkpoints, the key map, run history and dead letters.
state: sqlite:.syncline/state.db

connections:
  crm: { type: postgres, url: \${CRM_DATABASE_URL} }      # postgres://user:password@host:5432/crm
  erp: { type: mysql, url: \${ERP_DATABASE_URL} }         # mysql://user:password@host:3306/erp
  # local: { type: sqlite, path: ./data/local.db }

flows:
  customers:
    source:
      connection: crm
      table: accounts          # may be schema-qualified: sales.accounts
      key: id                  # unique key of a record
      cursor: updated_at       # rises whenever a row changes (timestamp or version number)
      deleted: is_deleted      # optional: a soft-delete flag
      # lookback: 5m           # re-read this far behind the checkpoint (late commits); default 5m
    target:
      connection: erp
      table: customers
      key: crm_id              # receives the source key; needs a unique index
      onDelete: { soft: is_deleted }   # or hard | ignore (default)
    batch: 1000
    fields:                    # target column: source column, or { from, type, map, default }
      code: external_code
      name: name
      credit_limit: { from: credit_limit, type: decimal }
      status: { from: status, map: { active: A, inactive: I }, default: I }
    validate:                  # rules on the mapped (target) values; a record that breaks one is quarantined
      name: { required: true, maxLength: 255 }
    cadence: { every: 1h }     # or { cron: "0 2 * * *", timezone: Asia/Shanghai } | { realtime: true }
`;

/** Options of `syncline init`, as given on the command line. */
export interface InitCommandOptions {
  readonly force?: boolean;
  /** Source database: a postgres://, mysql:// URL or a SQLite file. */
  readonly from?: string;
  /** Target database, likewise. */
  readonly to?: string;
  /** Connection name of `--from` in the written file; default `crm`. */
  readonly fromName?: string;
  /** Connection name of `--to`; default `erp`. */
  readonly toName?: string;
}

/** Options of `syncline init`. */
export type InitOptions = GlobalOptions & InitCommandOptions;

/**
 * `syncline init`: writes a commented starter config; with `--from` and `--to`, reads both
 * databases' tables and writes flows proposed from them (see docs/config.md, "Start from your
 * databases").
 */
export async function initCommand(options: InitOptions): Promise<number> {
  if (options.from === undefined && options.to === undefined) return writeStarter(options);
  if (options.from === undefined || options.to === undefined) {
    process.stderr.write('init: --from and --to go together (syncline init --from <url> --to <url>)\n');
    return ExitCodes.badConfig;
  }
  try {
    return await initFromDatabases(options, options.from, options.to);
  } catch (error) {
    if (!(error instanceof EndpointError)) throw error;
    process.stderr.write(`init: ${error.message}\n`);
    return ExitCodes.badConfig;
  }
}

async function initFromDatabases(options: InitOptions, fromValue: string, toValue: string): Promise<number> {
  const byName = isConnectionName(fromValue) || isConnectionName(toValue);
  const existing = byName ? readExistingConfig(options.config) : undefined;
  if (byName && existing === undefined) {
    throw new EndpointError(
      `no ${options.config} to take connections from: write one with "connections:" only, or give database URLs`,
    );
  }
  // A file holding connections only is the one init completes; anything more needs --force.
  const isCompletable = existing !== undefined && !existing.hasFlows;
  if (!isCompletable && !mayWrite(options)) return ExitCodes.badConfig;
  const endpoint = (value: string, name: string): InitEndpoint =>
    existing !== undefined && isConnectionName(value)
      ? existing.endpoint(value)
      : parseEndpoint(value, name, proposeConnectionEntry);
  const from = endpoint(fromValue, options.fromName ?? 'crm');
  const to = endpoint(toValue, options.toName ?? 'erp');
  if (from.name === to.name) {
    throw new EndpointError(`both connections are named "${from.name}"; give --from-name or --to-name`);
  }
  const [sourceTables, targetTables] = await Promise.all([
    listTables(from, options),
    listTables(to, options),
  ]);
  const proposal = proposeInit(
    { connection: from.name, tables: sourceTables },
    { connection: to.name, tables: targetTables },
  );
  const env = [from.env, to.env].filter((variable) => variable !== undefined);
  const text = renderInitConfig(proposal, {
    command: `syncline init --from ${byName ? fromValue : `<${from.name}>`} --to ${byName ? toValue : `<${to.name}>`}`,
    connections: [from.line, to.line],
    env,
    ...(existing?.state === undefined ? {} : { state: existing.state }),
  });
  writeFileSync(options.config, text);
  process.stdout.write(
    summary(
      options.config,
      proposal,
      env.map((variable) => variable.name),
    ),
  );
  return ExitCodes.ok;
}

function mayWrite(options: InitOptions): boolean {
  if (!existsSync(options.config) || options.force === true) return true;
  process.stderr.write(`${options.config} already exists; pass --force to overwrite it\n`);
  return false;
}

function writeStarter(options: InitOptions): number {
  if (!mayWrite(options)) return ExitCodes.badConfig;
  writeFileSync(options.config, STARTER_CONFIG);
  process.stdout.write(`wrote ${options.config}; edit it, then run "syncline validate"\n`);
  return ExitCodes.ok;
}

/** Every table of one side; the connector is closed afterwards whatever happens. */
async function listTables(endpoint: InitEndpoint, options: InitOptions): Promise<TableSchema[]> {
  const type = typeof endpoint.entry.type === 'string' ? endpoint.entry.type : '';
  const registered = connectorRegistry.get(type);
  const parsed = registered?.parse(endpoint.entry, ['connections', endpoint.name]);
  if (parsed === undefined || !parsed.ok) {
    const reason =
      parsed?.ok === false ? parsed.issues.map((issue) => issue.message).join('; ') : 'unknown type';
    throw new EndpointError(`connection ${endpoint.name}: ${reason}`);
  }
  const logger = createConsoleLogger({
    format: options.logFormat,
    level: options.logLevel,
    secrets: parsed.secrets,
  });
  const connector: Connector = parsed.create({ name: endpoint.name, logger });
  try {
    if (connector.capabilities.listTables !== true || connector.listTables === undefined) {
      throw new EndpointError(`connection ${endpoint.name} (type ${type}) cannot list its tables`);
    }
    return await connector.listTables(new AbortController().signal);
  } finally {
    await connector.close();
  }
}

function summary(file: string, proposal: InitProposal, env: readonly string[]): string {
  const runnable = proposal.flows.filter((flow) => flow.isRunnable);
  const parked = proposal.flows.length - runnable.length;
  const checks = proposal.flows.reduce(
    (sum, flow) => sum + flow.checks.length + flow.fields.filter((field) => field.check !== undefined).length,
    0,
  );
  const gaps = proposal.flows.reduce((sum, flow) => sum + flow.gaps.length, 0);
  const lines = [
    `wrote ${file}: ${runnable.length} flow(s) proposed` +
      (runnable.length > 0 ? ` (${runnable.map((flow) => flow.name).join(', ')})` : '') +
      (parked > 0 ? `, ${parked} commented out until its GAP is fixed` : ''),
    `  ${checks} CHECK note(s) to confirm, ${gaps} GAP note(s) to cover; ` +
      `${proposal.unmatchedSource.length} table(s) of ${proposal.from} unmatched`,
  ];
  if (env.length > 0)
    lines.push(`set ${env.join(' and ')} (the URLs you gave; they are not written to the file)`);
  lines.push(`then run "syncline validate" and "syncline run --once"`);
  return `${lines.join('\n')}\n`;
}
