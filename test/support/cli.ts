import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
// Absolute, so the CLI can run from any working directory (a temp workspace has no node_modules).
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** The outcome of one `syncline` invocation. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `syncline <args>` from the TypeScript sources (through tsx), as a user would run it. */
export function spawnCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): ChildProcess {
  return spawn(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts a TypeScript script of the repository (`test/support/…`) through tsx, in a process of its own. */
export function spawnScript(script: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', TSX_LOADER, join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Waits for a started CLI process to exit and collects its output. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `syncline <args>` to completion. */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  return collect(spawnCli(args, options));
}

/** A temporary working directory with a syncline.yaml; `remove()` deletes it. */
export interface Workspace {
  readonly dir: string;
  readonly configPath: string;
  writeConfig(yaml: string): void;
  remove(): void;
}

export function createWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'syncline-e2e-'));
  const configPath = join(dir, 'syncline.yaml');
  return {
    dir,
    configPath,
    writeConfig: (yaml) => {
      writeFileSync(configPath, yaml);
    },
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `syncline -c <workspace config> <args>`, run in the workspace with `env`. */
export type BoundCli = (...args: string[]) => Promise<CliResult>;

/** Binds `syncline` to a workspace's config and the env vars its config refers to. */
export function synclineIn(workspace: Workspace, env: Record<string, string>): BoundCli {
  return (...args) => runCli(['-c', workspace.configPath, ...args], { cwd: workspace.dir, env });
}

/** The JSON a `--json` command printed; throws with its stderr when it did not exit 0. */
export function jsonOutput(result: CliResult): unknown {
  if (result.code !== 0) throw new Error(`exit ${String(result.code)}: ${result.stderr}`);
  return JSON.parse(result.stdout) as unknown;
}
