import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// Issue 12, part 1: `validate` checks each flow against its connectors before anything is read or
// written: names by the system's own rules (SQL identifiers for SQLite), and the capabilities the
// flow relies on (a cursor, a target that writes, lines). Each answer carries the config path.

let fixture: SqliteFlowFixture;
let configPath: string;

function config(options: {
  source?: string;
  target?: string;
  fields?: string;
  erp?: string;
  extra?: string;
}): string {
  return `
state: sqlite:${fixture.statePath}
connections:
  crm: { type: sqlite, path: ${join(fixture.dir, 'crm.db')} }
  erp: ${options.erp ?? `{ type: sqlite, path: ${join(fixture.dir, 'erp.db')} }`}
flows:
  customers:
    source: ${options.source ?? '{ connection: crm, table: accounts, key: id, cursor: version }'}
    target: ${options.target ?? '{ connection: erp, table: customers, key: crm_id }'}
    fields: ${options.fields ?? '{ name: name, qty: qty }'}
    ${options.extra ?? ''}
`;
}

async function validate(text: string): Promise<CliResult> {
  writeFileSync(configPath, text);
  return runCli(['-c', configPath, 'validate', '--offline'], { cwd: fixture.dir });
}

beforeAll(async () => {
  fixture = await SqliteFlowFixture.create();
  configPath = join(fixture.dir, 'syncline.yaml');
});

afterAll(async () => {
  await fixture.close();
});

describe('validate checks each flow against its connectors', () => {
  it('accepts a flow its connectors can run, written with table or with model', async () => {
    expect((await validate(config({}))).code).toBe(0);
    const model = await validate(config({ target: '{ connection: erp, model: customers, key: crm_id }' }));
    expect(model.code, model.stderr).toBe(0);
  });

  it("reports names the system's rules refuse, with their paths", async () => {
    const result = await validate(
      config({
        target: '{ connection: erp, object: /crm/v3/objects/deals, key: crm_id }',
        fields: '{ name: properties.name, qty: qty }',
      }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'flows.customers.target.object: "/crm/v3/objects/deals" is not a SQLite table name Syncline accepts',
    );
    expect(result.stderr).toContain(
      'flows.customers.fields.name: "properties.name" is not a SQLite column name Syncline accepts',
    );
  });

  it('requires a cursor of a source that reads from one', async () => {
    const result = await validate(config({ source: '{ connection: crm, table: accounts, key: id }' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/flows\.customers\.source\.cursor: required by connection "crm"/);
  });

  it('refuses a target that cannot be written, and lines a connection cannot write', async () => {
    const result = await validate(
      config({
        erp: `{ type: sqlite, path: ${join(fixture.dir, 'erp.db')}, readonly: true }`,
        extra: `lines:
      lines:
        source: { table: order_lines, key: id, parent: order_id }
        fields: { quantity: qty }`,
      }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /flows\.customers\.target\.connection: connection "erp" cannot be written to/,
    );
    expect(result.stderr).toMatch(
      /flows\.customers\.lines: connection "erp" cannot write records with lines/,
    );
  });

  it('asks for exactly one of table, model or object', async () => {
    const none = await validate(config({ target: '{ connection: erp, key: crm_id }' }));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/flows\.customers\.target: name the object with exactly one of "table"/);
    const two = await validate(
      config({ target: '{ connection: erp, table: customers, model: customers, key: crm_id }' }),
    );
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(
      /flows\.customers\.target\.model: give exactly one of "table", "model" or "object", not "table" and "model"/,
    );
  });
});
