import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig } from './load-config.js';

const VALID = `
state: sqlite:.syncline/state.db
connections:
  crm: { type: postgres, url: \${CRM_DATABASE_URL} }
  erp: { type: mysql, url: "mysql://root@localhost/erp" }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at, deleted: is_deleted }
    target: { connection: erp, table: customers, key: crm_id, onDelete: { soft: is_deleted } }
    batch: 1000
    fields:
      code: external_code
      name: name
      credit_limit: { from: credit_limit, type: decimal }
      status: { from: status, map: { active: A, inactive: I }, default: I }
    validate:
      name: { required: true, maxLength: 255 }
    cadence: { every: 1d }
`;

function issuesOf(
  text: string,
  env: Record<string, string> = { CRM_DATABASE_URL: 'postgres://x' },
): string[] {
  try {
    parseConfig(text, { env });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('accepts the config contract of DESIGN.md and resolves ${ENV} references', () => {
    const config = parseConfig(VALID, { env: { CRM_DATABASE_URL: 'postgres://crm' } });
    expect(config.connections.crm).toEqual({ type: 'postgres', url: 'postgres://crm' });
    expect(config.flows.customers?.fields.status).toEqual({
      from: 'status',
      map: { active: 'A', inactive: 'I' },
      default: 'I',
    });
  });

  it('names the path of an unset environment variable', () => {
    expect(issuesOf(VALID, {})).toEqual([
      'connections.crm.url: environment variable CRM_DATABASE_URL is not set (referenced as ${CRM_DATABASE_URL}); set it or write ${CRM_DATABASE_URL:-default}',
    ]);
  });

  it('rejects a typo with its path and suggests the key meant', () => {
    expect(issuesOf(VALID.replace('batch: 1000', 'bacth: 1000'))).toEqual([
      'flows.customers.bacth: unknown key; did you mean "batch"?',
    ]);
  });

  it('reports a map that is not an object with its full path', () => {
    expect(issuesOf(VALID.replace('map: { active: A, inactive: I }', 'map: active'))).toEqual([
      'flows.customers.fields.status.map: expected an object, got "active"',
    ]);
  });

  it('rejects a table name no system accepts (spaces) before anything runs', () => {
    const issues = issuesOf(VALID.replace('table: accounts', 'table: "accounts; drop table x"'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^flows\.customers\.source\.table: must not contain spaces/);
  });

  it('reports every problem at once', () => {
    const text = VALID.replace('cursor: updated_at', 'cursor: 42')
      .replace('every: 1d', 'every: soon')
      .replace('connection: erp', 'connection: sap');
    expect(issuesOf(text).sort()).toEqual([
      'flows.customers.cadence.every: expected a duration such as 500ms, 30s, 5m, 1h or 1d',
      'flows.customers.source.cursor: expected a string, got 42',
      'flows.customers.target.connection: no connection named "sap" under "connections" (have: crm, erp)',
    ]);
    expect(issuesOf(VALID.replace('connection: erp', 'connection: sap'))).toEqual([
      'flows.customers.target.connection: no connection named "sap" under "connections" (have: crm, erp)',
    ]);
  });

  it('rejects validation rules on a column that is not mapped', () => {
    expect(issuesOf(VALID.replace('name: { required: true', 'nam: { required: true'))).toEqual([
      'flows.customers.validate.nam: "nam" is not a mapped target column (validation rules apply to the target columns under "fields")',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = issuesOf('connections:\n  crm: { type: postgres\nflows: {}\n');
    expect(issues[0]).toMatch(/^line \d+: /);
  });
});
