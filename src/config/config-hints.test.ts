import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig } from './load-config.js';

const VALID = `
connections:
  crm: { type: postgres, url: "postgres://crm" }
  erp: { type: mysql, url: "mysql://root@localhost/erp" }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id, onDelete: { soft: is_deleted } }
    fields: { name: name }
    cadence: { every: 1d }
`;

function issuesOf(text: string): string[] {
  try {
    parseConfig(text, { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('config hints', () => {
  it('suggests "soft" for a misspelt key inside a union (onDelete: { sfot: … })', () => {
    expect(issuesOf(VALID.replace('{ soft: is_deleted }', '{ sfot: is_deleted }'))).toEqual([
      'flows.customers.target.onDelete.sfot: unknown key; did you mean "soft"?',
    ]);
  });

  it('asks for a unit when a duration is a bare number (every: 10)', () => {
    expect(issuesOf(VALID.replace('every: 1d', 'every: 10'))).toEqual([
      'flows.customers.cadence.every: a duration needs a unit: write 10s (or 10m)',
    ]);
  });
});

describe('config hints for values', () => {
  it('suggests the literal meant inside a union (onDelete: hrad)', () => {
    expect(issuesOf(VALID.replace('{ soft: is_deleted }', 'hrad'))).toEqual([
      'flows.customers.target.onDelete: "hrad" is not allowed here; did you mean "hard"?',
    ]);
  });

  it('says what a duration looks like when it is neither text nor a number', () => {
    expect(issuesOf(VALID.replace('every: 1d', 'every: true'))).toEqual([
      'flows.customers.cadence.every: expected a duration such as 500ms, 30s, 5m, 1h or 1d, got true',
    ]);
  });
});

describe('one pass', () => {
  it('reports an unknown connection name together with a malformed key elsewhere', () => {
    const text = VALID.replace('connection: erp', 'connection: epr').replace('every: 1d', 'every: often');
    expect(issuesOf(text)).toEqual([
      'flows.customers.cadence.every: expected a duration such as 500ms, 30s, 5m, 1h or 1d',
      'flows.customers.target.connection: no connection named "epr" under "connections" (have: crm, erp)',
    ]);
  });

  it('reports a validate rule on an unmapped column while another flow key is malformed', () => {
    const text = VALID.replace('fields: { name: name }', 'fields: { name: name }\n    validate: { nmae: { required: true } }\n    batch: many');
    expect(issuesOf(text)).toEqual([
      'flows.customers.batch: expected a number, got "many"',
      'flows.customers.validate.nmae: "nmae" is not a mapped target column (validation rules apply to the target columns under "fields")',
    ]);
  });
});
