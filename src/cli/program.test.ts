import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';

const program = buildProgram(() => Promise.resolve());

/** Every command a user can run, as its words: `status`, `dlq list`, `realtime install`. */
function commandPaths(command: Command, prefix: readonly string[] = []): string[] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return sub.commands.length === 0 ? [path.join(' ')] : commandPaths(sub, path);
  });
}

/** Every command object, groups (`dlq`) included, with the program itself. */
function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/** `syncline dlq list`. */
function fullName(command: Command): string {
  return command.parent === null ? command.name() : `${fullName(command.parent)} ${command.name()}`;
}

/** A command's help as `syncline … --help` prints it, text after the options included. */
function helpOf(command: Command): string {
  command.configureHelp({ ...command.configureHelp(), helpWidth: 1_000 });
  let text = '';
  command.configureOutput({
    writeOut: (chunk) => {
      text += chunk;
    },
  });
  command.outputHelp();
  return text;
}

/**
 * The commands in a README's command table: the leading words of each backticked command in the
 * table's first column (`pause --flow F [--reason TEXT]` / `resume --flow F` → pause, resume).
 */
function readmeCommands(file: string, header: string): Set<string> {
  const lines = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').split('\n');
  const start = lines.findIndex((line) => new RegExp(`^\\|\\s*${header}\\s*\\|`).test(line));
  expect(start, `${file} has a command table`).toBeGreaterThanOrEqual(0);
  const commands = new Set<string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const firstCell = /^\|((?:[^|\\]|\\.)*)\|/.exec(line)?.[1] ?? '';
    for (const [, code = ''] of firstCell.matchAll(/`([^`]+)`/g)) {
      const words: string[] = [];
      for (const word of code.trim().split(/\s+/)) {
        if (!/^[a-z][a-z-]*$/.test(word)) break;
        words.push(word);
      }
      if (words.length > 0) commands.add(words.join(' '));
    }
  }
  return commands;
}

describe('the README command tables', () => {
  const commands = commandPaths(program).filter((path) => path !== 'help');

  it.each([
    ['README.md', 'command'],
    ['README.zh-CN.md', '命令'],
  ])('%s lists every command syncline knows, and no other', (file, header) => {
    expect([...readmeCommands(file, header)].sort()).toEqual([...commands].sort());
  });
});

describe('syncline --help', () => {
  it.each(allCommands(program).map((command) => [fullName(command), command] as const))(
    '%s --help ends with examples of real command lines',
    (_name, command) => {
      const help = helpOf(command);
      expect(help).toMatch(/\nExamples:\n(?: {2}\$ .*syncline .+\n)+\s*$/);
    },
  );

  it('marks required options as required, in the usage line and beside the option', () => {
    const resolve = allCommands(program).find((command) => command.name() === 'resolve');
    const help = resolve === undefined ? '' : helpOf(resolve);
    expect(help).toContain(
      'Usage: syncline conflicts resolve --flow <name> --key <key> --take <side> [options]',
    );
    expect(help).toMatch(/--flow <name>\s+the flow \(required\)/);
    expect(help).toMatch(/--take <side>\s+source, target[^]*\(required\)/);
  });

  it('shows the defaults', () => {
    const byName = (name: string): string => {
      const command = program.commands.find((candidate) => candidate.name() === name);
      return command === undefined ? '' : helpOf(command);
    };
    expect(byName('run')).toMatch(/--concurrency <n>\s+flows running at the same time \(default: 4\)/);
    expect(byName('audit')).toMatch(/--limit <n>\s+at most this many \(default: 50\)/);
    expect(byName('reconcile')).toMatch(/\(default: 20\)/);
    expect(byName('probe')).toMatch(/\(default: 20\)/);
    expect(byName('demo')).toMatch(/\(default: until Ctrl-C\)/);
    expect(byName('status')).toMatch(/-c, --config <path>\s+config file \(default: "syncline.yaml"\)/);
  });
});
