import type { ChildProcess } from 'node:child_process';
import { spawnCli, synclineIn, type Workspace } from './cli.js';
import { eventually } from './eventually.js';

/** A running `syncline serve` of a workspace. */
export interface RunningServe {
  /** `http://127.0.0.1:PORT`. */
  readonly base: string;
  /** Everything it wrote to stdout and stderr so far. */
  log(): string;
  /** SIGTERM, then waits for it to exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: nothing runs on the way out), then waits for it to exit. */
  kill(): Promise<void>;
}

/** Creates a token with `syncline token create` and returns it (the last line of its output). */
export async function createToken(
  workspace: Workspace,
  env: Record<string, string>,
  name: string,
  role: 'viewer' | 'operator' | 'admin',
): Promise<string> {
  const created = await synclineIn(workspace, env)('token', 'create', '--name', name, '--role', role);
  if (created.code !== 0) throw new Error(`token create exited ${String(created.code)}: ${created.stderr}`);
  return created.stdout.trim().split('\n').at(-1) ?? '';
}

/** Starts `syncline serve --port 0` in the workspace and waits until it listens. */
export async function startServe(workspace: Workspace, env: Record<string, string>): Promise<RunningServe> {
  const server: ChildProcess = spawnCli(['-c', workspace.configPath, 'serve', '--port', '0'], {
    cwd: workspace.dir,
    env,
  });
  let output = '';
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const listening = /serving on http:\/\/127\.0\.0\.1:(\d+)/;
  await eventually(() => listening.test(output) || server.exitCode !== null, 'serve listens');
  const port = listening.exec(output)?.[1];
  if (port === undefined) throw new Error(`serve did not start:\n${output}`);
  return {
    base: `http://127.0.0.1:${port}`,
    log: () => output,
    stop: async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    },
  };
}
