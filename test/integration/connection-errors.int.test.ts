import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

// A server that accepts connections and never answers: the connect timeout is what ends the wait.

let server: Server;
let port: number;
let dir: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-connection-errors-'));
  const crm = new Database(join(dir, 'crm.db'));
  crm.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, version INTEGER NOT NULL)');
  crm.close();
  server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function config(type: 'mysql' | 'postgres'): string {
  return `
state: sqlite:${join(dir, 'state.db')}
connections:
  crm: { type: sqlite, path: ${join(dir, 'crm.db')} }
  erp: { type: ${type}, url: "${type}://sync:s3cretPW@127.0.0.1:${port}/erp", connectTimeout: 1s }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name }
  orders:
    source: { connection: crm, table: accounts, key: id, cursor: version }
    target: { connection: erp, table: orders, key: crm_id }
    fields: { name: name }
`;
}

describe.each(['mysql', 'postgres'] as const)('a %s connection that does not answer', (type) => {
  it('times out after connectTimeout, once for the flows sharing it, naming the connection and host, never the password', async () => {
    writeFileSync(join(dir, 'syncline.yaml'), config(type));
    const started = Date.now();
    const result = await runCli(['validate'], { cwd: dir });
    const output = `${result.stdout}${result.stderr}`;
    expect(result.code, output).toBe(2);
    expect(Date.now() - started).toBeLessThan(9_000);
    const errors = result.stdout.split('\n').filter((line) => line.trim().startsWith('error'));
    expect(errors, output).toHaveLength(1);
    expect(errors[0]).toMatch(
      /connections\.erp: cannot connect \(not checked: flows\.customers, flows\.orders\)/,
    );
    expect(errors[0]).toContain(`connection "erp" at 127.0.0.1:${port}`);
    expect(output).not.toContain('s3cretPW');
  });
});
