import { type Command, Option } from 'commander';
import { auditCommand } from './commands/audit.js';
import { conflictsListCommand, conflictsResolveCommand } from './commands/conflicts.js';
import { dlqListCommand, dlqReplayCommand } from './commands/dlq.js';
import { pauseCommand } from './commands/pause.js';
import { reconcileCommand } from './commands/reconcile.js';
import { resyncCommand } from './commands/resync.js';
import { collect, type CommandRunner, examples, globals, positiveInteger } from './command-options.js';

/**
 * Adds the commands a person uses to act on flows and their records: `resync`, `pause`, `resume`,
 * `conflicts list|resolve`, `reconcile`, `audit` and `dlq list|replay`.
 */
export function addOperationCommands(program: Command, execute: CommandRunner): void {
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
    .addHelpText(
      'after',
      examples(
        'syncline resync --flow customers --key 1042 --key 1043',
        'syncline resync --flow customers --since 2026-11-11T00:00:00+08:00 --until 2026-11-11T06:00:00+08:00',
        'syncline resync --flow customers --all',
      ),
    )
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
    .addHelpText('after', examples('syncline pause --flow customers --reason "ERP upgrade"'))
    .action((options: { flow: string; reason?: string }, command: Command) =>
      execute(() => pauseCommand('pause', { ...globals(command), ...options })),
    );

  program
    .command('resume')
    .description('let a paused flow run on its cadence again (audited)')
    .requiredOption('--flow <name>', 'the flow')
    .addHelpText('after', examples('syncline resume --flow customers'))
    .action((options: { flow: string }, command: Command) =>
      execute(() => pauseCommand('resume', { ...globals(command), ...options })),
    );

  const conflicts = program
    .command('conflicts')
    .description('two-way flows: records both sides changed, parked for a decision')
    .addHelpText(
      'after',
      examples(
        'syncline conflicts list --flow contacts',
        'syncline conflicts resolve --flow contacts --key 17 --take merge',
      ),
    );
  conflicts
    .command('list')
    .description('list conflicts with both versions, newest first')
    .option('--flow <name>', 'only this flow')
    .addOption(new Option('--status <status>', 'which ones').choices(['open', 'resolved']).default('open'))
    .option('--limit <n>', 'at most this many', positiveInteger, 100)
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      examples('syncline conflicts list', 'syncline conflicts list --flow contacts --status resolved --json'),
    )
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
    .addHelpText(
      'after',
      examples(
        'syncline conflicts resolve --flow contacts --key 17 --take source',
        'syncline conflicts resolve --flow contacts --key 17 --take merge',
      ),
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
    .option('--limit <n>', 'differences listed (all are counted)', positiveInteger, 20)
    .addHelpText(
      'after',
      examples(
        'syncline reconcile --flow customers',
        'syncline reconcile --flow customers --repair',
        'syncline reconcile --flow customers --full --report drift.json',
      ),
    )
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
    .option('--limit <n>', 'at most this many', positiveInteger, 50)
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      examples('syncline audit', 'syncline audit --flow customers --action resync --limit 10'),
    )
    .action((options: { flow?: string; action?: string; limit?: number; json?: boolean }, command: Command) =>
      execute(() => auditCommand({ ...globals(command), ...options })),
    );

  const dlq = program
    .command('dlq')
    .description('dead letters: records that could not be synced')
    .addHelpText(
      'after',
      examples('syncline dlq list --flow customers', 'syncline dlq replay --flow customers'),
    );
  dlq
    .command('list')
    .description('list dead letters, newest first')
    .option('--flow <name>', 'only this flow')
    .addOption(
      new Option('--status <status>', 'which ones')
        .choices(['open', 'replayed', 'discarded'])
        .default('open'),
    )
    .option('--limit <n>', 'at most this many', positiveInteger, 100)
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      examples('syncline dlq list', 'syncline dlq list --flow customers --status replayed --json'),
    )
    .action((options: { flow?: string; status?: 'open'; limit?: number; json?: boolean }, command: Command) =>
      execute(() => dlqListCommand({ ...globals(command), ...options })),
    );
  dlq
    .command('replay')
    .description('write open dead letters again from the current source rows')
    .option('--flow <name>', 'only this flow (default: every flow)')
    .option(
      '--id <id>',
      'only this dead letter (repeatable)',
      (value: string, previous: number[] | undefined) => [...(previous ?? []), positiveInteger(value)],
    )
    .addHelpText(
      'after',
      examples('syncline dlq replay --flow customers', 'syncline dlq replay --id 12 --id 13'),
    )
    .action((options: { flow?: string; id?: number[] }, command: Command) =>
      execute(() => dlqReplayCommand({ ...globals(command), ...options })),
    );
}
