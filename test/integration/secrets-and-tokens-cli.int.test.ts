import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleLogger } from '../../src/cli/console-logger.js';
import { loadEngineConfig } from '../../src/cli/engine.js';
import { encryptSecret } from '../../src/config/secret-cipher.js';
import { collect, runCli, type CliResult } from '../support/cli.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// `syncline secret encrypt` and `syncline token …` from source, and a config whose PostgreSQL URL
// is encrypted at rest: it connects, and its password appears in no output. The test server
// trusts local connections, so any password works, and the one given here must never be printed.

const ROOT = resolve(import.meta.dirname, '../..');
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const masterKey = randomBytes(32).toString('base64');
const PASSWORD = `Pw-${randomBytes(6).toString('hex')}`;

let fixture: SqliteFlowFixture;
let source: TestDatabase;
let configPath: string;
let encryptedUrl: string;

/** `syncline <args>` with `input` piped to its stdin. */
function synclineWithInput(
  args: readonly string[],
  input: string,
  env: Record<string, string>,
): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: fixture.dir,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(input);
  return collect(child);
}

function syncline(...args: string[]): Promise<CliResult> {
  return runCli(['-c', configPath, ...args], {
    cwd: fixture.dir,
    env: { SYNCLINE_MASTER_KEY: masterKey, SYNCLINE_ACTOR: 'tester@ops' },
  });
}

beforeAll(async () => {
  fixture = await SqliteFlowFixture.create();
  source = await createPostgresDatabase('secrets');
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  await client.query(
    `CREATE TABLE accounts (id integer PRIMARY KEY, name text, status text, qty integer NOT NULL, version integer NOT NULL);
     INSERT INTO accounts VALUES (1, 'Acme', 'active', 3, 1), (2, 'Globex', 'inactive', 5, 2);`,
  );
  await client.end();
  const url = new URL(source.url);
  url.password = PASSWORD;
  encryptedUrl = encryptSecret(url.toString(), Buffer.from(masterKey, 'base64'));
  configPath = join(fixture.dir, 'syncline.yaml');
  writeFileSync(
    configPath,
    `state: sqlite:${fixture.statePath}
connections:
  crm: { type: postgres, url: "${encryptedUrl}" }
  erp: { type: sqlite, path: ${join(fixture.dir, 'erp.db')} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name, status: status, qty: qty }
    cadence: { every: 1h }
`,
  );
});

afterAll(async () => {
  await fixture.close();
  await source.drop();
});

describe('syncline secret encrypt', () => {
  it('encrypts a value piped on stdin', async () => {
    const result = await synclineWithInput(['secret', 'encrypt'], 'hunter2-piped\n', {
      SYNCLINE_MASTER_KEY: masterKey,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^enc:v1:[A-Za-z0-9+/=]+\n$/);
    expect(result.stdout + result.stderr).not.toContain('hunter2-piped');
  });

  it('takes --value with a warning about shell history', async () => {
    const result = await synclineWithInput(['secret', 'encrypt', '--value', 'hunter2-flag'], '', {
      SYNCLINE_MASTER_KEY: masterKey,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/shell history/);
    expect(result.stdout).toMatch(/^enc:v1:/);
  });

  it('refuses a malformed master key with how to make one (exit 2)', async () => {
    const result = await synclineWithInput(['secret', 'encrypt'], 'x', { SYNCLINE_MASTER_KEY: 'short-key' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('openssl rand -base64 32');
    expect(result.stderr).not.toContain('short-key');
  });
});

describe('a config with an enc: PostgreSQL URL', () => {
  it('connects and syncs, and the password appears in no output, at debug level in text and JSON', async () => {
    const validated = await syncline('--log-level', 'debug', 'validate');
    expect(validated.code, validated.stderr).toBe(0);
    const ran = await syncline('--log-level', 'debug', '--log-format', 'json', 'run', '--once');
    expect(ran.code, ran.stderr).toBe(0);
    expect(fixture.customers().map((row) => row.name)).toEqual(['Acme', 'Globex']);
    for (const output of [validated, ran]) {
      expect(output.stdout + output.stderr).not.toContain(PASSWORD);
      expect(output.stdout + output.stderr).not.toContain(encryptedUrl);
    }
  });

  it('fails with the key path, not the value, when SYNCLINE_MASTER_KEY is missing (exit 2)', async () => {
    const result = await runCli(['-c', configPath, 'validate', '--offline'], { cwd: fixture.dir, env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /connections\.crm\.url: this value is encrypted .*SYNCLINE_MASTER_KEY is not set/,
    );
    expect(result.stderr).not.toContain(encryptedUrl);
  });

  it('puts the decrypted values on the redaction list, so a log line never shows them', () => {
    const saved = process.env.SYNCLINE_MASTER_KEY;
    process.env.SYNCLINE_MASTER_KEY = masterKey;
    try {
      const { secrets, config } = loadEngineConfig(configPath);
      const captured = new PassThrough();
      let log = '';
      captured.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const logger = createConsoleLogger({ format: 'text', level: 'debug', secrets, stream: captured });
      const url = String(config.connections.crm?.url);
      logger.error(`driver said: connect ${url} failed`, {
        password: PASSWORD,
        raw: encodeURIComponent(PASSWORD),
      });
      logger.info('plain', { echoed: `password "${PASSWORD}" rejected` });
      expect(log).toContain('[redacted]');
      expect(log).not.toContain(PASSWORD);
      expect(secrets).toContain(masterKey);

      // A key no connector schema marks secret (a SQLite path) is redacted too once it was encrypted.
      const erpPath = join(fixture.dir, 'erp.db');
      const encryptedPath = encryptSecret(erpPath, Buffer.from(masterKey, 'base64'));
      const otherConfig = join(fixture.dir, 'encrypted-path.yaml');
      writeFileSync(
        otherConfig,
        readFileSync(configPath, 'utf8').replace(`path: ${erpPath}`, `path: "${encryptedPath}"`),
      );
      expect(loadEngineConfig(otherConfig).secrets).toContain(erpPath);
    } finally {
      if (saved === undefined) delete process.env.SYNCLINE_MASTER_KEY;
      else process.env.SYNCLINE_MASTER_KEY = saved;
    }
  });
});

describe('syncline token', () => {
  it('creates a token shown once as the last line, lists it without the token, and revokes it', async () => {
    const created = await syncline(
      'token',
      'create',
      '--name',
      'grafana',
      '--role',
      'viewer',
      '--expires',
      '90d',
    );
    expect(created.code, created.stderr).toBe(0);
    const lines = created.stdout.trimEnd().split('\n');
    const token = lines.at(-1) ?? '';
    expect(token).toMatch(/^sl_[0-9A-Za-z]{32}$/);
    expect(lines.at(-2)).toMatch(/cannot be shown again/);

    const listed = await syncline('token', 'list');
    expect(listed.stdout).toMatch(/grafana\s+viewer\s+sl_\w{4}…\s+active/);
    const json = await syncline('token', 'list', '--json');
    const { tokens } = JSON.parse(json.stdout) as { tokens: { name: string; expiresAt?: string }[] };
    expect(tokens.map((entry) => entry.name)).toEqual(['grafana']);
    expect(tokens[0]?.expiresAt).toBeDefined();
    for (const output of [listed, json]) expect(output.stdout).not.toContain(token.slice(3));

    const again = await syncline('token', 'create', '--name', 'grafana', '--role', 'admin');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/REQUEST_INVALID.*already named "grafana"/);

    const revoked = await syncline('token', 'revoke', 'grafana');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/Revoked token "grafana"/);
    const unknown = await syncline('token', 'revoke', 'nobody');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/TOKEN_NOT_FOUND/);

    const audit = await syncline('audit', '--json');
    const actions = (JSON.parse(audit.stdout) as { audit: { action: string; actor: string }[] }).audit;
    expect(actions.filter((entry) => entry.action.startsWith('token.')).map((entry) => entry.action)).toEqual(
      ['token.revoke', 'token.revoke', 'token.create', 'token.create'],
    );
    expect(audit.stdout).not.toContain(token);
  });

  it('refuses an unknown role and a bad --expires (exit 2)', async () => {
    expect((await syncline('token', 'create', '--name', 'x', '--role', 'root')).code).toBe(2);
    const badExpiry = await syncline(
      'token',
      'create',
      '--name',
      'x',
      '--role',
      'viewer',
      '--expires',
      'soon',
    );
    expect(badExpiry.code).toBe(2);
    expect(badExpiry.stderr).toMatch(/--expires "soon" is not a duration/);
  });
});
