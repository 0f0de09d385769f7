import type { GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';

/** `syncline demo` — placeholder until the demo lands in this commit series. */
export function demoCommand(_options: GlobalOptions & { duration?: string; dir: string }): number {
  process.stderr.write('the demo is not built yet\n');
  return ExitCodes.flowFailed;
}
