import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { SyncError } from '../core/errors.js';
import { redactUrl } from '../config/secret.js';
import type { GlobalOptions } from './cli-context.js';
import { auditCommand } from './commands/audit.js';
import { conflictsListCommand, conflictsResolveCommand } from './commands/conflicts.js';
import { dlqListCommand, dlqReplayCommand } from './commands/dlq.js';
import { initCommand, type InitCommandOptions } from './commands/init.js';
import { pauseCommand } from './commands/pause.js';
import { planCommand } from './commands/plan.js';
import { probeCommand } from './commands/probe.js';
import { reconcileCommand } from './commands/reconcile.js';
import { realtimeCommand } from './commands/realtime.js';
import { resyncCommand } from './commands/resync.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { demoCommand } from './commands/demo.js';
import { ExitCodes } from './exit-codes.js';

/** Errors that mean the request itself was wrong (a name, an id, an option): exit code 2. */
const USAGE_ERRORS: ReadonlySet<string> = new Set([
  'FLOW_UNKNOWN',
  'STATE_STORE_UNSUPPORTED',
  'REQUEST_INVALID',
  'DEAD_LETTER_NOT_FOUND',
  'CONFLICT_NOT_FOUND',
  'FLOW_NOT_TWO_WAY',
]);

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError('expected a positive whole number');
  return parsed;
}

function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Runs a command and turns what it threw into a message and an exit code. */
async function execute(work: () => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await work();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = ExitCodes.badConfig;
    } else if (error instanceof SyncError) {
      const where = [
        error.flow === undefined ? '' : `flow ${error.flow}`,
        error.key === undefined ? '' : `key ${error.key}`,
      ]
        .filter(Boolean)
        .join(', ');
      process.stderr.write(
        `${error.code}${where === '' ? '' : ` (${where})`}: ${redactUrl(error.message)}\n`,
      );
      process.exitCode = USAGE_ERRORS.has(error.code) ? ExitCodes.badConfig : ExitCodes.flowFailed;
    } else {
      process.stderr.write(
        `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = ExitCodes.flowFailed;
    }
  }
}

const program = new Command('syncline')
  .description('Keeps a CRM, an ERP and other business systems in step, each object on its own cadence.')
  .option('-c, --config <path>', 'config file', 'syncline.yaml')
  .addOption(new Option('--log-format <format>', 'log line format').choices(['text', 'json']).default('text'))
  .addOption(
    new Option('--log-level <level>', 'lowest level logged')
      .choices(['debug', 'info', 'warn', 'error'])
      .default('info'),
  )
  .showHelpAfterError()
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : ExitCodes.badConfig);
  });

program
  .command('init')
  .description(
    'write a commented starter syncline.yaml; with --from and --to, flows proposed from both databases',
  )
  .option('--force', 'overwrite an existing file')
  .option(
    '--from <url|name>',
    'source: a database URL (postgres://…, mysql://…), a SQLite file, or a connection of the -c file',
  )
  .option('--to <url|name>', 'target, likewise')
  .option('--from-name <name>', 'connection name of --from in the file', 'crm')
  .option('--to-name <name>', 'connection name of --to in the file', 'erp')
  .action((options: InitCommandOptions, command: Command) =>
    execute(() => initCommand({ ...globals(command), ...options })),
  );

program
  .command('validate')
  .description('check the config, then every flow against the live schemas (exit 2 on errors)')
  .option('--offline', 'check the config file only, without connecting')
  .action((options: { offline?: boolean }, command: Command) =>
    execute(() => validateCommand({ ...globals(command), ...options })),
  );

program
  .command('run')
  .description('run flows on their cadences until stopped (Ctrl-C stops cleanly)')
  .option('--once', 'run each flow one cycle, then exit')
  .option('--flow <name>', 'only this flow (repeatable)', collect)
  .option('--concurrency <n>', 'flows running at the same time', positiveInteger)
  .option(
    '--webhook <[host:]port>',
    'listen for POST /hooks/<flow> to wake realtime flows (token: SYNCLINE_WEBHOOK_TOKEN)',
  )
  .action(
    (
      options: { once?: boolean; flow?: string[]; concurrency?: number; webhook?: string },
      command: Command,
    ) => execute(() => runCommand({ ...globals(command), ...options })),
  );

program
  .command('status')
  .description('per flow: last cycle, staleness, next run, open dead letters')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }, command: Command) =>
    execute(() => statusCommand({ ...globals(command), ...options })),
  );

program
  .command('resync')
  .description('write records again from the source by key, even when unchanged')
  .requiredOption('--flow <name>', 'the flow')
  .option('--key <key>', 'source key (repeatable)', collect)
  .option('--from-key <key>', 'first key of a key range (inclusive)')
  .option('--to-key <key>', 'last key of a key range (inclusive)')
  .option('--since <cursor>', 'rows whose cursor is at least this (e.g. 2026-11-11T00:00:00+08:00)')
  .option('--until <cursor>', 'rows whose cursor is at most this')
  .option('--all', 'reset the checkpoint so the next cycle reads the whole source again')
  .action(
    (
      options: {
        flow: string;
        key?: string[];
        all?: boolean;
        fromKey?: string;
        toKey?: string;
        since?: string;
        until?: string;
      },
      command: Command,
    ) => execute(() => resyncCommand({ ...globals(command), ...options })),
  );

program
  .command('pause')
  .description('stop starting cycles of a flow, in every process, until resumed (audited)')
  .requiredOption('--flow <name>', 'the flow')
  .option('--reason <text>', 'why, for the audit log and status')
  .action((options: { flow: string; reason?: string }, command: Command) =>
    execute(() => pauseCommand('pause', { ...globals(command), ...options })),
  );

program
  .command('resume')
  .description('let a paused flow run on its cadence again (audited)')
  .requiredOption('--flow <name>', 'the flow')
  .action((options: { flow: string }, command: Command) =>
    execute(() => pauseCommand('resume', { ...globals(command), ...options })),
  );

const conflicts = program
  .command('conflicts')
  .description('two-way flows: records both sides changed, parked for a decision');
conflicts
  .command('list')
  .description('list conflicts with both versions, newest first')
  .option('--flow <name>', 'only this flow')
  .addOption(new Option('--status <status>', 'which ones').choices(['open', 'resolved']).default('open'))
  .option('--limit <n>', 'at most this many', positiveInteger)
  .option('--json', 'machine-readable output')
  .action(
    (
      options: { flow?: string; status?: 'open' | 'resolved'; limit?: number; json?: boolean },
      command: Command,
    ) => execute(() => conflictsListCommand({ ...globals(command), ...options })),
  );
conflicts
  .command('resolve')
  .description('write the chosen version to the other side and close the conflict (audited)')
  .requiredOption('--flow <name>', 'the flow')
  .requiredOption('--key <key>', 'the source key of the record')
  .requiredOption(
    '--take <side>',
    'source, target (or their connection names), or merge (each field from the side that changed it)',
  )
  .action((options: { flow: string; key: string; take: string }, command: Command) =>
    execute(() => conflictsResolveCommand({ ...globals(command), ...options })),
  );

program
  .command('reconcile')
  .description('compare source and target by key and content; report missing, extra and different records')
  .requiredOption('--flow <name>', 'the flow')
  .option('--repair', 'apply the compensating changes (validated and audited), then compare again')
  .option('--full', 'read every row instead of comparing checksums in the databases')
  .option('--json', 'print the report as JSON')
  .option('--report <file>', 'also write the JSON report to this file')
  .option('--limit <n>', 'differences listed (all are counted)', positiveInteger)
  .action(
    (
      options: {
        flow: string;
        repair?: boolean;
        full?: boolean;
        json?: boolean;
        report?: string;
        limit?: number;
      },
      command: Command,
    ) => execute(() => reconcileCommand({ ...globals(command), ...options })),
  );

program
  .command('audit')
  .description('manual actions (resync, replay, conflict resolution, reconcile): who, when, what, result')
  .option('--flow <name>', 'only this flow')
  .option('--action <action>', 'only this action, e.g. resync or conflict.resolve')
  .option('--limit <n>', 'at most this many', positiveInteger)
  .option('--json', 'machine-readable output')
  .action((options: { flow?: string; action?: string; limit?: number; json?: boolean }, command: Command) =>
    execute(() => auditCommand({ ...globals(command), ...options })),
  );

const dlq = program.command('dlq').description('dead letters: records that could not be synced');
dlq
  .command('list')
  .description('list dead letters, newest first')
  .option('--flow <name>', 'only this flow')
  .addOption(
    new Option('--status <status>', 'which ones').choices(['open', 'replayed', 'discarded']).default('open'),
  )
  .option('--limit <n>', 'at most this many', positiveInteger)
  .option('--json', 'machine-readable output')
  .action((options: { flow?: string; status?: 'open'; limit?: number; json?: boolean }, command: Command) =>
    execute(() => dlqListCommand({ ...globals(command), ...options })),
  );
dlq
  .command('replay')
  .description('write open dead letters again from the current source rows')
  .option('--flow <name>', 'only this flow')
  .option(
    '--id <id>',
    'only this dead letter (repeatable)',
    (value: string, previous: number[] | undefined) => [...(previous ?? []), positiveInteger(value)],
  )
  .action((options: { flow?: string; id?: number[] }, command: Command) =>
    execute(() => dlqReplayCommand({ ...globals(command), ...options })),
  );

const realtime = program
  .command('realtime')
  .description('change events that wake realtime flows at once (PostgreSQL: a NOTIFY trigger)');
for (const action of ['install', 'remove'] as const) {
  realtime
    .command(action)
    .description(
      action === 'install'
        ? "create the flow's source trigger and function (idempotent)"
        : "drop the flow's source trigger, and the function once unused (idempotent)",
    )
    .requiredOption('--flow <name>', 'the flow')
    .action((options: { flow: string }, command: Command) =>
      execute(() => realtimeCommand(action, { ...globals(command), ...options })),
    );
}

program
  .command('probe')
  .description('load-test a target connection in a scratch table it creates and drops; stores the curve')
  .requiredOption('--connection <name>', 'the target connection')
  .option('--max-seconds <n>', 'upper bound of the write time', positiveInteger, 20)
  .option('--json', 'machine-readable output')
  .action((options: { connection: string; maxSeconds: number; json?: boolean }, command: Command) =>
    execute(() => probeCommand({ ...globals(command), ...options })),
  );

program
  .command('plan')
  .description('per flow: the interval and batch size that meet its freshness objective, or why none can')
  .option('--json', 'machine-readable output')
  .action((options: { json?: boolean }, command: Command) =>
    execute(() => planCommand({ ...globals(command), ...options })),
  );

program
  .command('demo')
  .description('sync a sample CRM into a sample ERP (SQLite files), with live changes, in four tiers')
  .option('--duration <duration>', 'stop after this long, e.g. 30s (default: until Ctrl-C)')
  .option('--dir <path>', 'where the demo databases and config go', '.syncline/demo')
  .action((options: { duration?: string; dir: string }, command: Command) =>
    execute(() => demoCommand({ ...globals(command), ...options })),
  );

await program.parseAsync(process.argv);
