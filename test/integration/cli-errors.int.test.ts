import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, runCli, type CliResult } from '../support/cli.js';
import { plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// Errors that used to mislead (issue 9, item 3), through the real CLI on the embedded stack.

let fixture: SqliteFlowFixture;
let configPath: string;

function config(options: { fields?: string; extra?: string; crm?: string; flowExtra?: string } = {}): string {
  return `
state: sqlite:${fixture.statePath}
connections:
  crm: ${options.crm ?? `{ type: sqlite, path: ${join(fixture.dir, 'crm.db')} }`}
  erp: { type: sqlite, path: ${join(fixture.dir, 'erp.db')} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: customers, key: crm_id }
    fields: ${options.fields ?? '{ name: name, qty: qty }'}
    retry: { attempts: 1, initialDelay: 1ms, maxDelay: 5ms }
    cadence: { every: 1h }
    ${options.flowExtra ?? ''}
${options.extra ?? ''}`;
}

function syncline(...args: string[]): Promise<CliResult> {
  return runCli(['-c', configPath, ...args], { cwd: fixture.dir });
}

const ROOT = resolve(import.meta.dirname, '../..');

/** `syncline <args> | true`: the reader closes the pipe before the CLI writes; `$?` of syncline is printed. */
function synclineIntoClosedPipe(...args: string[]): Promise<CliResult> {
  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const command = [
    process.execPath,
    '--import',
    loader,
    join(ROOT, 'src/cli/main.ts'),
    '-c',
    configPath,
    ...args,
  ]
    .map((word) => `'${word}'`)
    .join(' ');
  const child = spawn('bash', ['-c', `${command} | true; echo "exit=\${PIPESTATUS[0]}"`], {
    cwd: fixture.dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child);
}

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  configPath = join(fixture.dir, 'syncline.yaml');
  writeFileSync(configPath, config());
  fixture.insertAccounts(plainAccounts(3));
});

afterEach(async () => {
  await fixture.close();
});

describe('validate', () => {
  it('says "configuration is valid" only when the live check found no error', async () => {
    writeFileSync(configPath, config({ fields: '{ name: nmae, qty: qty }' }));
    const invalid = await syncline('validate');
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).not.toMatch(/configuration is valid/);
    expect(invalid.stdout).toMatch(/configuration is not valid: 1 error to fix/);
    writeFileSync(configPath, config());
    const valid = await syncline('validate');
    expect(valid.code, valid.stdout).toBe(0);
    expect(valid.stdout.trim().split('\n').at(-1)).toMatch(
      /configuration is valid \(1 flow, 2 connections\)/,
    );
  });
});

describe('a reader that closes the output early (`| head -1`)', () => {
  it.each([['status'], ['audit']])('ends %s quietly, without an EPIPE stack trace', async (command) => {
    expect((await syncline('run', '--once')).code).toBe(0);
    const result = await synclineIntoClosedPipe(command);
    expect(result.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(result.stdout.trim()).toBe('exit=0');
  });
});

describe('resync', () => {
  it('refuses a cursor bound that is neither a number nor a time before the database sees it (exit 2)', async () => {
    for (const args of [
      ['--since', 'garbage'],
      ['--until', '2026-11-01'],
    ]) {
      const result = await syncline('resync', '--flow', 'customers', ...args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/REQUEST_INVALID/);
      expect(result.stderr).toMatch(new RegExp(`${args[0] ?? ''}: "${args[1] ?? ''}" is`));
    }
    expect(await fixture.state.listAudit({ limit: 10 })).toEqual([]);
  });
});

describe('resync of a key the source does not have', () => {
  it('says the key was not found, not "succeeded", and exits 1', async () => {
    const result = await syncline('resync', '--flow', 'customers', '--key', '999');
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/succeeded/);
    expect(result.stdout).toMatch(
      /customers: resync finished: 0 read, 0 written, 0 dead-lettered, 1 not found at the source/,
    );
    expect(result.stderr).toMatch(/key 999 does not exist in accounts/);
  });

  it('says "succeeded" when every key was written (exit 0)', async () => {
    const result = await syncline('resync', '--flow', 'customers', '--key', '1');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/customers: resync succeeded: 1 read, 1 written/);
  });
});

describe('a connection URL whose password holds an unencoded @ or #', () => {
  it.each([
    ['postgres', 'postgres://sync:p@ss#w0rd@127.0.0.1:1/crm'],
    ['mysql', 'mysql://sync:p#ss@w0rd@127.0.0.1:1/crm'],
  ])(
    'is refused at config parse (%s), saying to percent-encode it, without printing it',
    async (type, url) => {
      writeFileSync(configPath, config({ crm: `{ type: ${type}, url: "${url}" }` }));
      const result = await syncline('validate', '--offline');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /connections\.crm\.url: the password seems to contain @ or # unencoded; percent-encode it \(%40, %23\)/,
      );
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/w0rd|p@ss|p#ss/);
    },
  );
});

describe('a write the target refused', () => {
  it('is dead-lettered with the column the database named as its field', async () => {
    fixture.insertAccounts([{ id: 10, name: null, status: 'active', qty: 1, version: 10 }]);
    await syncline('run', '--once');
    const letters = await fixture.state.listDeadLetters({ flow: 'customers', limit: 10 });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ key: '10', kind: 'write', field: 'name' });
    expect((await syncline('dlq', 'list')).stdout).toMatch(/customers key=10 field=name write/);
  });
});

describe('schema-check warnings', () => {
  it('carry a stable id, and one acknowledged in the flow is not repeated by validate or run', async () => {
    const plain = await syncline('validate');
    expect(plain.stdout).toMatch(/warning flows\.customers\.fields\.name: .* \[W-NULL customers\.name\]/);
    expect(plain.stdout).toMatch(/live schema check: 0 errors, 1 warning/);
    expect((await syncline('run', '--once')).stderr).toMatch(/W-NULL customers\.name/);

    writeFileSync(configPath, config({ flowExtra: 'acknowledge: ["W-NULL customers.name"]' }));
    const acknowledged = await syncline('validate');
    expect(acknowledged.code, acknowledged.stdout).toBe(0);
    expect(acknowledged.stdout).not.toMatch(/warning flows/);
    expect(acknowledged.stdout).toMatch(/^acknowledged: 1 warning \(W-NULL customers\.name\)$/m);
    expect(acknowledged.stdout).toMatch(/live schema check: 0 errors, 0 warnings/);
    const run = await syncline('run', '--once');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/W-NULL/);
  });

  it('refuses an acknowledgement that is not a warning id, with its path', async () => {
    writeFileSync(configPath, config({ flowExtra: 'acknowledge: ["customers.name"]' }));
    const result = await syncline('validate', '--offline');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/flows\.customers\.acknowledge\[0\]: expected a warning id/);
  });
});
