import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig } from './load-config.js';

function config(flowBody: string): string {
  return `
connections:
  crm: { type: postgres, url: "postgres://crm" }
  erp: { type: mysql, url: "mysql://erp" }
flows:
  deals:
    source: { connection: crm, table: deals, key: id, cursor: updated_at }
    target: { connection: erp, table: erp_deals, key: crm_id, cursor: updated_at }
${flowBody}
`;
}

function issuesOf(text: string): string[] {
  try {
    parseConfig(text, { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('computed fields and row filters in syncline.yaml', () => {
  it('parses expr fields and a filter once, listing the columns they read', () => {
    const parsed = parseConfig(
      config(`    filter: "status = 'won'"
    fields:
      full_name: { expr: "concat(first_name, ' ', last_name)", type: string }
      code: { expr: "'CRM-' || code" }`),
      { env: {} },
    );
    const flow = parsed.flows.deals;
    expect(flow?.filter?.columns).toEqual(['status']);
    const fullName = flow?.fields.full_name;
    expect(typeof fullName === 'object' && fullName.expr?.columns).toEqual(['first_name', 'last_name']);
  });

  it('rejects a syntax error with the key path and the character position', () => {
    expect(
      issuesOf(
        config(`    filter: "status = 'won"
    fields:
      full_name: { expr: "concat(first_name ' ', last_name)" }`),
      ),
    ).toEqual([
      `flows.deals.fields.full_name.expr: expected "," or ")", found text ' ' (at character 19 of "concat(first_name ' ', last_name)")`,
      `flows.deals.filter: text is not closed with ' (at character 10 of "status = 'won")`,
    ]);
  });

  it('holds the columns an expression names to the identifier rule', () => {
    const long = 'c'.repeat(64);
    expect(issuesOf(config(`    fields:\n      a: { expr: "upper(${long})" }`))).toEqual([
      `flows.deals.fields.a.expr: column "${long}" in "upper(${long})" must be a plain name: a letter or "_", then letters, digits, "_" or "$", at most 63 bytes`,
    ]);
  });

  it('needs exactly one of from, value or expr, and ref only with from', () => {
    expect(
      issuesOf(
        config(`    fields:
      a: { from: a, expr: "b" }
      c: { expr: "c", ref: other }`),
      ),
    ).toEqual(
      expect.arrayContaining([
        'flows.deals.fields.a: give exactly one of "from" (a source column), "value" (a constant) or "expr" (an expression)',
        'flows.deals.fields.c.ref: "ref" translates a source column\'s value: give it with "from", not "value" or "expr"',
      ]),
    );
  });

  it('refuses computed fields and a filter in a two-way flow', () => {
    expect(
      issuesOf(
        config(`    direction: both
    filter: "status = 'won'"
    fields:
      name: name
      full_name: { expr: "name || '!'" }`),
      ),
    ).toEqual(
      expect.arrayContaining([
        'flows.deals.filter: a row filter applies to one-way flows only: a target row outside it could not be told from a deleted one; sync the rows in a one-way flow',
        'flows.deals.fields.full_name.expr: a computed field cannot be mapped back to the source; remove it from this two-way flow and write it in a one-way flow on the same tables',
      ]),
    );
  });

  it('suggests expr and filter for a typo', () => {
    expect(issuesOf(config(`    fitler: "a = 1"\n    fields: { b: { exrp: "b" } }`))).toEqual(
      expect.arrayContaining([
        'flows.deals.fitler: unknown key; did you mean "filter"?',
        'flows.deals.fields.b.exrp: unknown key; did you mean "expr"?',
      ]),
    );
  });
});
