import { Command, Help, Option } from 'commander';
import { type CommandRunner, examples } from './command-options.js';
import { ExitCodes } from './exit-codes.js';
import { addOperationCommands } from './operation-commands.js';
import { addSyncCommands } from './sync-commands.js';

export type { CommandRunner };

const plainHelp = new Help();

/** An option's help text as commander writes it (choices, default), with `(required)` where it is. */
function optionDescription(option: Option): string {
  const text = plainHelp.optionDescription(option);
  return option.mandatory ? `${text} (required)` : text;
}

/** `syncline resync --flow <name> [options]`: the usage line names the required options. */
function commandUsage(command: Command): string {
  const usage = plainHelp.commandUsage(command);
  const required = command.options.filter((option) => option.mandatory).map((option) => option.flags);
  return required.length === 0 ? usage : usage.replace('[options]', `${required.join(' ')} [options]`);
}

/**
 * The `syncline` program with every command, without parsing anything: `main.ts` parses
 * `process.argv` with it, tests read its commands and their help. `execute` runs a command's work
 * and sets the exit code from its result or error.
 */
export function buildProgram(execute: CommandRunner): Command {
  const program = new Command('syncline')
    .description('Keeps a CRM, an ERP and other business systems in step, each object on its own cadence.')
    .option('-c, --config <path>', 'config file', 'syncline.yaml')
    .addOption(
      new Option('--log-format <format>', 'log line format').choices(['text', 'json']).default('text'),
    )
    .addOption(
      new Option('--log-level <level>', 'lowest level logged')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    // Set before the commands are added: each copies the root's help settings when created.
    .configureHelp({ commandUsage, optionDescription, showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? 0 : ExitCodes.badConfig);
    })
    .addHelpText(
      'after',
      examples(
        'syncline init && syncline validate',
        'syncline run --once',
        'syncline status -c /etc/syncline/syncline.yaml',
        'syncline <command> --help',
      ),
    );
  addSyncCommands(program, execute);
  addOperationCommands(program, execute);
  return program;
}
