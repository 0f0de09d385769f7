import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STARTER_CONFIG } from '../../src/cli/commands/init.js';
import type { FlowStatus } from '../../src/cli/commands/status.js';
import { collect, createWorkspace, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';
import { eventually } from '../support/eventually.js';

// The real CLI, from source, on the embedded stack only: SQLite connections and SQLite state.

let fixture: SqliteFlowFixture;
let configPath: string;

function config(options: { cadence?: string; crm?: string; flowName?: string } = {}): string {
  return `
state: sqlite:${fixture.statePath}
connections:
  crm: ${options.crm ?? `{ type: sqlite, path: ${join(fixture.dir, 'crm.db')} }`}
  erp: { type: sqlite, path: ${join(fixture.dir, 'erp.db')} }
flows:
  ${options.flowName ?? 'customers'}:
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: customers, key: crm_id }
    batch: 4
    fields:
      name: name
      status: { from: status, map: { active: A, inactive: I }, default: I }
      qty: qty
    retry: { attempts: 1, initialDelay: 1ms, maxDelay: 5ms }
    cadence: ${options.cadence ?? '{ every: 1h }'}
`;
}

function syncline(...args: string[]): Promise<CliResult> {
  return runCli(['-c', configPath, ...args], { cwd: fixture.dir });
}

async function succeededRuns(): Promise<number> {
  const runs = await fixture.state.listRuns({ flow: 'customers', limit: 1_000 });
  return runs.filter((run) => run.status === 'succeeded').length;
}

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  configPath = join(fixture.dir, 'syncline.yaml');
  writeFileSync(configPath, config());
  fixture.insertAccounts(plainAccounts(6));
});

afterEach(async () => {
  await fixture.close();
});

describe('syncline init', () => {
  it('writes a starter config that validate --offline accepts, and refuses to overwrite it without --force (exit 2)', async () => {
    const workspace = createWorkspace();
    try {
      const env = {
        CRM_DATABASE_URL: 'postgres://crm:pw@127.0.0.1:1/crm',
        ERP_DATABASE_URL: 'mysql://erp:pw@127.0.0.1:1/erp',
      };
      const init = await runCli(['init'], { cwd: workspace.dir });
      expect(init.code, init.stderr).toBe(0);
      const written = join(workspace.dir, 'syncline.yaml');
      expect(readFileSync(written, 'utf8')).toBe(STARTER_CONFIG);

      const validate = await runCli(['validate', '--offline'], { cwd: workspace.dir, env });
      expect(validate.code, validate.stderr).toBe(0);
      expect(validate.stdout).toMatch(/configuration is valid \(1 flow, 2 connections\)/);

      writeFileSync(written, `${STARTER_CONFIG}# edited by hand\n`);
      const again = await runCli(['init'], { cwd: workspace.dir });
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already exists; pass --force/);
      expect(readFileSync(written, 'utf8')).toContain('# edited by hand');

      const forced = await runCli(['init', '--force'], { cwd: workspace.dir });
      expect(forced.code, forced.stderr).toBe(0);
      expect(readFileSync(written, 'utf8')).toBe(STARTER_CONFIG);
    } finally {
      workspace.remove();
    }
  });
});

describe('syncline run', () => {
  it('runs cycles on its cadence while rows arrive, exits 0 on SIGTERM, and a last run --once leaves the target equal to the source', async () => {
    writeFileSync(configPath, config({ cadence: '{ every: 1s }' }));
    const child = spawnCli(['-c', configPath, 'run'], { cwd: fixture.dir });
    const exited = collect(child);
    await eventually(async () => (await succeededRuns()) >= 1, 'the first cycle succeeded', {
      tries: 600,
      everyMs: 100,
    });
    fixture.insertAccounts(plainAccounts(12).slice(6, 9));
    await eventually(() => fixture.customers().length === 9, 'the rows inserted while running arrived', {
      tries: 600,
      everyMs: 100,
    });
    fixture.insertAccounts(plainAccounts(12).slice(9));
    await eventually(async () => (await succeededRuns()) >= 3, 'two more cycles succeeded', {
      tries: 600,
      everyMs: 100,
    });

    child.kill('SIGTERM');
    const bound = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const result = await exited;
    clearTimeout(bound);
    expect(result.signal, result.stderr).toBeNull();
    expect(result.code, result.stderr).toBe(0);
    const runs = await fixture.state.listRuns({ flow: 'customers', limit: 1_000 });
    expect(runs.filter((run) => run.status === 'succeeded').length).toBeGreaterThanOrEqual(2);
    expect(runs.filter((run) => run.status === 'running' || run.status === 'failed')).toEqual([]);

    const status = await syncline('status', '--json');
    expect(status.code, status.stderr).toBe(0);
    const [flow] = (JSON.parse(status.stdout) as { flows: FlowStatus[] }).flows;
    expect(flow).toMatchObject({ flow: 'customers', openDeadLetters: 0 });
    expect(flow?.lastRun?.status).toMatch(/^(succeeded|aborted)$/);
    expect(flow?.lastSuccessAt).toBeDefined();

    const once = await syncline('run', '--once');
    expect(once.code, once.stderr).toBe(0);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });

  it('exits 1 when a cycle fails: the target stays locked by another connection past every retry', async () => {
    fixture.executeOnTarget('BEGIN IMMEDIATE');
    let locked: CliResult;
    try {
      locked = await syncline('run', '--once');
    } finally {
      fixture.executeOnTarget('ROLLBACK');
    }
    expect(locked.code, locked.stderr).toBe(1);
    expect(locked.stderr).toMatch(/CONNECTOR_LOCK_TIMEOUT/);
    expect(locked.stderr).toMatch(/customers/);
    expect(fixture.customers()).toEqual([]);
    const [run] = await fixture.state.listRuns({ flow: 'customers', limit: 1 });
    expect(run).toMatchObject({ status: 'failed', error: { code: 'CONNECTOR_LOCK_TIMEOUT' } });

    const retried = await syncline('run', '--once');
    expect(retried.code, retried.stderr).toBe(0);
    expect(fixture.customers()).toEqual(fixture.expectedCustomers());
  });
});

describe('syncline status', () => {
  it('lists each flow with its last cycle in text', async () => {
    expect((await syncline('run', '--once')).code).toBe(0);
    const status = await syncline('status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^flow\s+cadence\s+last cycle/m);
    expect(status.stdout).toMatch(/^customers\s+\{every:1h\}\s+succeeded /m);
  });
});

describe('syncline exit code 2: bad config or usage, nothing runs', () => {
  it('rejects an unknown --flow name and names the flows there are', async () => {
    const result = await syncline('run', '--once', '--flow', 'invoices');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invoices/);
    expect(result.stderr).toMatch(/customers/);
    expect(await fixture.state.listRuns({ limit: 10 })).toEqual([]);
  });

  it('rejects a connection its connector cannot use, with the path of the bad key', async () => {
    writeFileSync(configPath, config({ crm: '{ type: sqlite, file: ./crm.db }' }));
    for (const command of [
      ['validate', '--offline'],
      ['run', '--once'],
    ]) {
      const result = await syncline(...command);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/connections\.crm/);
    }
  });

  it('refuses to run when the target table was dropped after validate, naming the table', async () => {
    expect((await syncline('validate')).code).toBe(0);
    fixture.executeOnTarget('DROP TABLE customers');
    const result = await syncline('run', '--once');
    expect(result.code).toBe(2);
    expect(`${result.stdout}${result.stderr}`).toMatch(/customers/);
    expect(await fixture.state.listRuns({ limit: 10 })).toEqual([]);
  });
});

describe('invariant 7: secrets never reach logs', () => {
  it.each([
    ['postgres', 'postgres://user:s3cretPW@127.0.0.1:1/db'],
    ['mysql', 'mysql://user:s3cretPW@127.0.0.1:1/db'],
  ])(
    'never prints the password of a %s connection URL, while the error names the flow and the host',
    async (type, url) => {
      writeFileSync(configPath, config({ crm: `{ type: ${type}, url: "${url}" }` }));
      const invocations = [
        ['validate'],
        ['--log-level', 'debug', 'validate'],
        ['run', '--once'],
        ['--log-level', 'debug', '--log-format', 'json', 'run', '--once'],
      ];
      for (const args of invocations) {
        const result = await syncline(...args);
        const output = `${result.stdout}${result.stderr}`;
        expect(result.code, output).not.toBe(0);
        expect(output).not.toContain('s3cretPW');
        expect(output).toMatch(/flows\.customers|flow=customers|"flow":"customers"/);
        expect(output).toMatch(/127\.0\.0\.1:1/);
      }
    },
  );
});
