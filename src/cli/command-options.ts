import { type Command, InvalidArgumentError } from 'commander';
import type { GlobalOptions } from './cli-context.js';

/** Runs a command's work and turns what it returns or throws into an exit code (see main.ts). */
export type CommandRunner = (work: () => Promise<number> | number) => Promise<void>;

/** Collects a repeatable option's values (`--key 1 --key 2`) into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses a positive whole number option, or refuses it with a usage error. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError('expected a positive whole number');
  return parsed;
}

/** The global options (`--config`, `--log-format`, `--log-level`) as a command sees them. */
export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** The text shown after a command's help: `Examples:` and one command line each. */
export function examples(...lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
