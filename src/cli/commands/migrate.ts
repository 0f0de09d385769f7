import { loadConfig } from '../../config/load-config.js';
import type { GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';
import { DEFAULT_STATE_URL, migrateStateStore } from '../state-store-factory.js';

/** Options of `syncline migrate`. */
export interface MigrateOptions extends GlobalOptions {
  /** Print the result as JSON (`{ from, to, applied }`). */
  readonly json?: boolean;
}

/**
 * `syncline migrate`: brings the schema of the config's state store (`state:`, SQLite or
 * PostgreSQL) up to this version of Syncline, without starting anything else. Every other
 * command migrates on start too; this one lets a deployment do it once, before its processes start.
 */
export async function migrateCommand(options: MigrateOptions): Promise<number> {
  const config = loadConfig(options.config);
  const result = await migrateStateStore(config.state ?? DEFAULT_STATE_URL);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.applied.length === 0) {
    process.stdout.write(`state schema up to date at version ${result.to}\n`);
  } else {
    const count = `${result.applied.length} migration${result.applied.length === 1 ? '' : 's'}`;
    process.stdout.write(
      `state schema at version ${result.to} (applied: ${count} from version ${result.from})\n` +
        result.applied.map((name) => `  - ${name}\n`).join(''),
    );
  }
  return ExitCodes.ok;
}
