import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// Errors that used to mislead (issue 9, item 3), through the real CLI on the embedded stack.

let fixture: SqliteFlowFixture;
let configPath: string;

function config(options: { fields?: string; extra?: string } = {}): string {
  return `
state: sqlite:${fixture.statePath}
connections:
  crm: { type: sqlite, path: ${join(fixture.dir, 'crm.db')} }
  erp: { type: sqlite, path: ${join(fixture.dir, 'erp.db')} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: customers, key: crm_id }
    fields: ${options.fields ?? '{ name: name, qty: qty }'}
    retry: { attempts: 1, initialDelay: 1ms, maxDelay: 5ms }
    cadence: { every: 1h }
${options.extra ?? ''}`;
}

function syncline(...args: string[]): Promise<CliResult> {
  return runCli(['-c', configPath, ...args], { cwd: fixture.dir });
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
    expect(valid.stdout.trim().split('\n').at(-1)).toMatch(/configuration is valid \(1 flow, 2 connections\)/);
  });
});
