import type { Command } from 'commander';
import { demoCommand } from './commands/demo.js';
import { initCommand, type InitCommandOptions } from './commands/init.js';
import { planCommand } from './commands/plan.js';
import { probeCommand } from './commands/probe.js';
import { realtimeCommand } from './commands/realtime.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { schedulerCommand, workerCommand } from './commands/scale-out.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { collect, type CommandRunner, examples, globals, port, positiveInteger } from './command-options.js';

/**
 * Adds the commands that set Syncline up and keep flows running: `init`, `validate`, `run`,
 * `status`, `realtime install|remove`, `probe`, `plan` and `demo`.
 */
export function addSyncCommands(program: Command, execute: CommandRunner): void {
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
    .addHelpText(
      'after',
      examples(
        'syncline init',
        'syncline init --force -c erp-sync.yaml',
        'syncline init --from postgres://sync:pw@crm-db/crm --to mysql://sync:pw@erp-db/erp',
        'syncline init --from crm --to erp   # connections: of an existing syncline.yaml',
      ),
    )
    .action((options: InitCommandOptions, command: Command) =>
      execute(() => initCommand({ ...globals(command), ...options })),
    );

  program
    .command('validate')
    .description('check the config, then every flow against the live schemas (exit 2 on errors)')
    .option('--offline', 'check the config file only, without connecting')
    .addHelpText('after', examples('syncline validate', 'syncline validate --offline -c prod/syncline.yaml'))
    .action((options: { offline?: boolean }, command: Command) =>
      execute(() => validateCommand({ ...globals(command), ...options })),
    );

  program
    .command('run')
    .description('run flows on their cadences until stopped (Ctrl-C stops cleanly)')
    .option('--once', 'run each flow one cycle, then exit')
    .option(
      '--flow <name>',
      'only this flow, even if disabled (repeatable; default: every enabled flow)',
      collect,
    )
    .option('--concurrency <n>', 'flows running at the same time', positiveInteger, 4)
    .option(
      '--webhook <[host:]port>',
      'listen for POST /hooks/<inbox> (the webhooks: inboxes) and POST /hooks/<flow> to wake realtime flows (token: SYNCLINE_WEBHOOK_TOKEN; default: no listener)',
    )
    .addHelpText(
      'after',
      examples(
        'syncline run',
        'syncline run --once --flow customers',
        'SYNCLINE_WEBHOOK_TOKEN=s3cret syncline run --webhook 127.0.0.1:8080',
      ),
    )
    .action(
      (
        options: { once?: boolean; flow?: string[]; concurrency?: number; webhook?: string },
        command: Command,
      ) => execute(() => runCommand({ ...globals(command), ...options })),
    );

  program
    .command('serve')
    .description('run the flows (as run does) and serve the admin API, /metrics, /healthz and /readyz')
    .option('--host <host>', 'interface to bind (default: server.host, else 127.0.0.1)')
    .option('--port <port>', 'TCP port; 0 picks a free one (default: server.port, else 8080)', port)
    .option('--concurrency <n>', 'flows running at the same time', positiveInteger, 4)
    .addHelpText(
      'after',
      examples(
        'syncline serve',
        'syncline serve --host 0.0.0.0 --port 8443',
        'syncline token create --name ops-alice --role operator && syncline serve',
      ),
    )
    .action((options: { host?: string; port?: number; concurrency?: number }, command: Command) =>
      execute(() => serveCommand({ ...globals(command), ...options })),
    );

  program
    .command('scheduler')
    .description(
      "BullMQ runtime: plan every flow's cycles as the one leading scheduler (a standby takes over when it dies)",
    )
    .addHelpText('after', examples('syncline scheduler -c /etc/syncline/syncline.yaml'))
    .action((_options: object, command: Command) => execute(() => schedulerCommand(globals(command))));

  program
    .command('worker')
    .description('BullMQ runtime: run the cycle jobs the scheduler queues (any number, on any machine)')
    .option('--concurrency <n>', 'cycles at once (default: runtime.concurrency, else 4)', positiveInteger)
    .addHelpText(
      'after',
      examples('syncline worker -c /etc/syncline/syncline.yaml', 'syncline worker --concurrency 8'),
    )
    .action((options: { concurrency?: number }, command: Command) =>
      execute(() => workerCommand({ ...globals(command), ...options })),
    );

  program
    .command('status')
    .description('per flow: last cycle, staleness, open dead letters, the cadence in force, next run and why')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      examples(
        'syncline status',
        "syncline status --json | jq '.flows[] | {flow, nextRunAt, effectiveCadence}'",
      ),
    )
    .action((options: { json?: boolean }, command: Command) =>
      execute(() => statusCommand({ ...globals(command), ...options })),
    );

  const realtime = program
    .command('realtime')
    .description('change events that wake realtime flows at once (PostgreSQL: a NOTIFY trigger)')
    .addHelpText(
      'after',
      examples('syncline realtime install --flow orders', 'syncline realtime remove --flow orders'),
    );
  for (const action of ['install', 'remove'] as const) {
    realtime
      .command(action)
      .description(
        action === 'install'
          ? "create the flow's source trigger and function (idempotent)"
          : "drop the flow's source trigger, and the function once unused (idempotent)",
      )
      .requiredOption('--flow <name>', 'the flow')
      .addHelpText('after', examples(`syncline realtime ${action} --flow orders`))
      .action((options: { flow: string }, command: Command) =>
        execute(() => realtimeCommand(action, { ...globals(command), ...options })),
      );
  }

  program
    .command('probe')
    .description('load-test a target connection in a scratch table it creates and drops; stores the curve')
    .requiredOption('--connection <name>', 'the target connection')
    .option('--max-seconds <n>', 'upper bound of the write time (at most 600)', positiveInteger, 20)
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      examples('syncline probe --connection erp', 'syncline probe --connection erp --max-seconds 60 --json'),
    )
    .action((options: { connection: string; maxSeconds: number; json?: boolean }, command: Command) =>
      execute(() => probeCommand({ ...globals(command), ...options })),
    );

  program
    .command('plan')
    .description('per flow: the interval and batch size that meet its freshness objective, or why none can')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      examples('syncline plan', 'syncline probe --connection erp && syncline plan --json'),
    )
    .action((options: { json?: boolean }, command: Command) =>
      execute(() => planCommand({ ...globals(command), ...options })),
    );

  program
    .command('demo')
    .description('sync a sample CRM into a sample ERP (SQLite files), with live changes, in four tiers')
    .option('--duration <duration>', 'stop after this long, e.g. 30s (default: until Ctrl-C)')
    .option('--dir <path>', 'where the demo databases and config go', '.syncline/demo')
    .option('--api-port <port>', "port of the demo's admin API and /metrics; 0 picks a free one", port, 8080)
    .option('--no-api', 'do not serve the admin API')
    .addHelpText(
      'after',
      examples('syncline demo', 'syncline demo --duration 30s --dir /tmp/syncline-demo --no-api'),
    )
    .action((options: { duration?: string; dir: string; apiPort: number; api: boolean }, command: Command) =>
      execute(() =>
        demoCommand({
          ...globals(command),
          ...(options.duration === undefined ? {} : { duration: options.duration }),
          dir: options.dir,
          api: options.api ? options.apiPort : false,
        }),
      ),
    );
}
