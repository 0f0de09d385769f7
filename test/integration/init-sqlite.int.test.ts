import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorkspace, runCli, type Workspace } from '../support/cli.js';

// `syncline init --from <SQLite file> --to <SQLite file>`: the same proposal from two files, with
// camelCase and prefixed names, run end to end without a server.

let workspace: Workspace;

beforeAll(() => {
  workspace = createWorkspace();
  const crm = new Database(join(workspace.dir, 'crm.db'));
  crm.exec(`CREATE TABLE crm_Accounts (
      id INTEGER PRIMARY KEY, accountName TEXT NOT NULL, lastModified TIMESTAMPTZ NOT NULL);
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
    INSERT INTO crm_Accounts VALUES (1, 'Acme', '2026-11-11T12:00:00.000+00:00');`);
  crm.close();
  const erp = new Database(join(workspace.dir, 'erp.db'));
  erp.exec(`CREATE TABLE customers (
      id INTEGER PRIMARY KEY, crm_id INTEGER NOT NULL UNIQUE, name VARCHAR(80) NOT NULL);`);
  erp.close();
});

afterAll(() => {
  workspace.remove();
});

it('proposes, validates and runs a flow between two SQLite files', async () => {
  const init = await runCli(['init', '--from', 'crm.db', '--to', 'sqlite:erp.db'], { cwd: workspace.dir });
  expect(init.code, init.stderr).toBe(0);
  expect(init.stdout).not.toMatch(/set .*DATABASE_URL/);
  const text = readFileSync(workspace.configPath, 'utf8');
  expect(text).toContain('crm: { type: sqlite, path: crm.db }');
  expect(text).toContain('source: { connection: crm, table: crm_Accounts, key: id, cursor: lastModified }');
  expect(text).toContain('name: accountName');
  expect(text).toContain('# Tables of crm no table of erp matched: notes');

  const validate = await runCli(['validate'], { cwd: workspace.dir });
  expect(validate.code, `${validate.stdout}\n${validate.stderr}`).toBe(0);
  const run = await runCli(['run', '--once'], { cwd: workspace.dir });
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  const erp = new Database(join(workspace.dir, 'erp.db'), { readonly: true });
  try {
    expect(erp.prepare('SELECT crm_id, name FROM customers').all()).toEqual([{ crm_id: 1, name: 'Acme' }]);
  } finally {
    erp.close();
  }
});
