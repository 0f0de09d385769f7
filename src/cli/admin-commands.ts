import { type Command, Option } from 'commander';
import { ROLES } from '../operations/tokens.js';
import { migrateCommand } from './commands/migrate.js';
import { secretEncryptCommand } from './commands/secret.js';
import { tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from './commands/token.js';
import { type CommandRunner, examples, globals } from './command-options.js';

/**
 * Adds the commands that guard the admin API and the config and keep the state store:
 * `token create|list|revoke`, `secret encrypt`, `migrate`.
 */
export function addAdminCommands(program: Command, execute: CommandRunner): void {
  const token = program
    .command('token')
    .description('API tokens for the admin API of serve (see docs/security.md)')
    .addHelpText(
      'after',
      examples('syncline token create --name grafana --role viewer --expires 90d', 'syncline token list'),
    );
  token
    .command('create')
    .description('create a token and print it once, as the last line (audited)')
    .requiredOption('--name <name>', 'its name: the actor of its requests in the audit log')
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory())
    .option('--expires <duration>', 'it stops working after this long, e.g. 90d (default: never)')
    .addHelpText(
      'after',
      examples(
        'syncline token create --name ops-alice --role operator',
        'TOKEN=$(syncline token create --name ci --role viewer --expires 30d | tail -1)',
      ),
    )
    .action((options: { name: string; role: string; expires?: string }, command: Command) =>
      execute(() => tokenCreateCommand({ ...globals(command), ...options })),
    );
  token
    .command('list')
    .description('list tokens with role, prefix, expiry and last use; never the token itself')
    .option('--json', 'machine-readable output')
    .addHelpText('after', examples('syncline token list', 'syncline token list --json'))
    .action((options: { json?: boolean }, command: Command) =>
      execute(() => tokenListCommand({ ...globals(command), ...options })),
    );
  token
    .command('revoke')
    .description('refuse requests made with the token from now on (audited)')
    .argument('<name>', 'the token name')
    .addHelpText('after', examples('syncline token revoke ops-alice'))
    .action((name: string, _options: object, command: Command) =>
      execute(() => tokenRevokeCommand({ ...globals(command), name })),
    );
  program
    .command('secret')
    .description('values encrypted at rest in syncline.yaml, with the key in SYNCLINE_MASTER_KEY')
    .addHelpText('after', examples('syncline secret encrypt'))
    .command('encrypt')
    .description('encrypt a value read from stdin (not echoed) and print enc:v1:… for the config')
    .option('--value <value>', 'the value, for scripts (it may land in shell history)')
    .addHelpText(
      'after',
      examples(
        'SYNCLINE_MASTER_KEY=$(openssl rand -base64 32) syncline secret encrypt',
        'printf %s "$ERP_PASSWORD" | syncline secret encrypt',
      ),
    )
    .action((options: { value?: string }) => execute(() => secretEncryptCommand(options)));
  program
    .command('migrate')
    .description("bring the state store's schema (state:, SQLite or PostgreSQL) up to this version")
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      examples('syncline migrate', 'syncline migrate -c /etc/syncline/syncline.yaml --json'),
    )
    .action((options: { json?: boolean }, command: Command) =>
      execute(() => migrateCommand({ ...globals(command), ...options })),
    );
}
