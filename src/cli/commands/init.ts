import { existsSync, writeFileSync } from 'node:fs';
import type { GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';

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

/** `syncline init`: writes a commented starter config. */
export function initCommand(options: Pick<GlobalOptions, 'config'> & { force?: boolean }): number {
  if (existsSync(options.config) && options.force !== true) {
    process.stderr.write(`${options.config} already exists; pass --force to overwrite it\n`);
    return ExitCodes.badConfig;
  }
  writeFileSync(options.config, STARTER_CONFIG);
  process.stdout.write(`wrote ${options.config}; edit it, then run "syncline validate"\n`);
  return ExitCodes.ok;
}
