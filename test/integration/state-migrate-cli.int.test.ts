import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresMigrations } from '../../src/state/postgres/postgres-state-migrations.js';
import { sqliteMigrations } from '../../src/state/sqlite/sqlite-state-migrations.js';
import { runCli, type CliResult } from '../support/cli.js';
import { plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';
import { createPostgresDatabase, postgresTestPool, type TestDatabase } from '../support/databases.js';

// `syncline migrate` from source against a PostgreSQL state (a schema of a test database) and a
// SQLite one. The test server trusts local connections, so any password works; the one in the
// URL must never be printed.

const PASSWORD = `Pw-${randomBytes(6).toString('hex')}`;
let dir: string;
let database: TestDatabase;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-migrate-'));
  database = await createPostgresDatabase('migratecli');
});

afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** A config file whose `state:` is `state`, with no connections or flows. */
function configWithState(name: string, state: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `state: ${JSON.stringify(state)}\nconnections: {}\nflows: {}\n`);
  return path;
}

function syncline(config: string, ...args: string[]): Promise<CliResult> {
  return runCli(['-c', config, ...args], { cwd: dir, env: { SYNCLINE_ACTOR: 'tester@ops' } });
}

/** The test database's URL with a password, in `schema`. */
function postgresState(schema: string, port?: number): string {
  const url = new URL(database.url);
  url.password = PASSWORD;
  if (port !== undefined) url.port = String(port);
  url.searchParams.set('schema', schema);
  return url.toString();
}

describe('syncline migrate, and the CLI on a PostgreSQL state', () => {
  it('migrates a PostgreSQL state schema, then finds it up to date; the engine opens it', async () => {
    const config = configWithState('postgres', postgresState('cli_state'));
    const first = await syncline(config, 'migrate');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const newest = postgresMigrations.at(-1)!.version;
    expect(first.stdout).toContain(
      `state schema at version ${newest} (applied: ${postgresMigrations.length} migration`,
    );
    expect(first.stdout).toContain(postgresMigrations[0]!.name);

    const again = await syncline(config, 'migrate', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ from: newest, to: newest, applied: [] });
    expect((await syncline(config, 'migrate')).stdout).toBe(`state schema up to date at version ${newest}\n`);

    // Any command now keeps its state there: a token created by one process is listed by another.
    expect((await syncline(config, 'token', 'create', '--name', 'ci', '--role', 'viewer')).code).toBe(0);
    const listed = await syncline(config, 'token', 'list', '--json');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('"ci"');
    const admin = postgresTestPool({ connectionString: database.url, max: 1 });
    try {
      const { rows } = await admin.query<{ name: string }>('SELECT name FROM cli_state.api_tokens');
      expect(rows).toEqual([{ name: 'ci' }]);
    } finally {
      await admin.end();
    }
  });

  it('refuses a PostgreSQL schema newer than this version, exit 1, without printing the password', async () => {
    const config = configWithState('newer', postgresState('cli_newer'));
    expect((await syncline(config, 'migrate')).code).toBe(0);
    const admin = postgresTestPool({ connectionString: database.url, max: 1 });
    try {
      await admin.query(`INSERT INTO cli_newer.syncline_migrations (version, name) VALUES (99, 'future')`);
    } finally {
      await admin.end();
    }
    const refused = await syncline(config, 'migrate');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/STATE_STORE_FAILED: .*is at version 99, newer than this Syncline knows/);
    expect(refused.stderr + refused.stdout).not.toContain(PASSWORD);
  });

  it('names an unreachable PostgreSQL server with the password masked, exit 1', async () => {
    const config = configWithState('unreachable', postgresState('cli_x', 1));
    const failed = await syncline(config, 'migrate');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('could not migrate the schema');
    expect(failed.stderr + failed.stdout).not.toContain(PASSWORD);
  });

  it('migrates a SQLite state file, then finds it up to date', async () => {
    const config = configWithState('sqlite', `sqlite:${join(dir, 'nested', 'state.db')}`);
    const first = await syncline(config, 'migrate');
    expect(first.code).toBe(0);
    const newest = sqliteMigrations.at(-1)!.version;
    expect(first.stdout).toContain(
      `state schema at version ${newest} (applied: ${sqliteMigrations.length} migrations from version 0)`,
    );
    const again = await syncline(config, 'migrate', '--json');
    expect(JSON.parse(again.stdout)).toEqual({ from: newest, to: newest, applied: [] });
  });

  it('runs a flow whose state lives in PostgreSQL: checkpoint, key map and run history', async () => {
    const fixture = await SqliteFlowFixture.create();
    try {
      fixture.insertAccounts(plainAccounts(5));
      const config = join(fixture.dir, 'syncline.yaml');
      writeFileSync(
        config,
        `state: "${postgresState('cli_run')}"
connections:
  crm: { type: sqlite, path: ${join(fixture.dir, 'crm.db')} }
  erp: { type: sqlite, path: ${join(fixture.dir, 'erp.db')} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name, status: status, qty: qty }
    cadence: { every: 1h }
`,
      );
      const first = await runCli(['-c', config, 'run', '--once'], { cwd: fixture.dir });
      expect(first.stderr + first.stdout).not.toContain(PASSWORD);
      expect(first.code).toBe(0);
      const admin = postgresTestPool({ connectionString: database.url, max: 1 });
      try {
        const synced = await admin.query<{ count: string }>('SELECT count(*) FROM cli_run.synced');
        expect(Number(synced.rows[0]?.count)).toBe(5);
        const runs = await admin.query<{ status: string; written_count: string }>(
          'SELECT status, written_count FROM cli_run.runs',
        );
        expect(runs.rows.map((row) => [row.status, Number(row.written_count)])).toEqual([['succeeded', 5]]);
        const checkpoint = await admin.query<{ checkpoint: string }>(
          'SELECT checkpoint FROM cli_run.checkpoints',
        );
        expect(JSON.parse(checkpoint.rows[0]?.checkpoint ?? 'null')).toMatchObject({ cursor: 5 });
      } finally {
        await admin.end();
      }
      const status = await runCli(['-c', config, 'status', '--json'], { cwd: fixture.dir });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('customers');
    } finally {
      await fixture.close();
    }
  });

  it('refuses a state URL of another kind, exit 2', async () => {
    const refused = await syncline(configWithState('mysql', 'mysql://root@127.0.0.1/state'), 'migrate');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('STATE_STORE_UNSUPPORTED');
    expect(refused.stderr).toContain('"postgres://');
  });
});
