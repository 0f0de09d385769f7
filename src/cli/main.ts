import { ConfigError } from '../config/config-error.js';
import { SyncError } from '../core/errors.js';
import { ExitCodes } from './exit-codes.js';
import { buildProgram } from './program.js';
import { exitQuietlyOnBrokenPipe } from './broken-pipe.js';
import { redactForOutput } from './output-redaction.js';

/** Errors that mean the request itself was wrong (a name, an id, an option): exit code 2. */
const USAGE_ERRORS: ReadonlySet<string> = new Set([
  'FLOW_UNKNOWN',
  'STATE_STORE_UNSUPPORTED',
  'REQUEST_INVALID',
  'DEAD_LETTER_NOT_FOUND',
  'CONFLICT_NOT_FOUND',
  'FLOW_NOT_TWO_WAY',
  'TOKEN_NOT_FOUND',
]);

/** Runs a command and turns what it threw into a message and an exit code. */
async function execute(work: () => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await work();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${redactForOutput(error.message)}\n`);
      process.exitCode = ExitCodes.badConfig;
    } else if (error instanceof SyncError) {
      const where = [
        error.flow === undefined ? '' : `flow ${error.flow}`,
        error.key === undefined ? '' : `key ${error.key}`,
      ]
        .filter(Boolean)
        .join(', ');
      process.stderr.write(
        `${error.code}${where === '' ? '' : ` (${where})`}: ${redactForOutput(error.message)}\n`,
      );
      process.exitCode = USAGE_ERRORS.has(error.code) ? ExitCodes.badConfig : ExitCodes.flowFailed;
    } else {
      process.stderr.write(
        `Unexpected error: ${redactForOutput(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`,
      );
      process.exitCode = ExitCodes.flowFailed;
    }
  }
}

exitQuietlyOnBrokenPipe();
await buildProgram(execute).parseAsync(process.argv);
