import { describe, expect, it } from 'vitest';
import { syncConfigSchema, type FlowConfigInput } from '../config/config-schema.js';
import type { Connector, ConnectorCapabilities } from './connector.js';
import { flowContractIssues, referenceIssues } from './flow-contract.js';

/** A connector as the contract check sees it: its capabilities and name rules only. */
function connector(capabilities: Partial<ConnectorCapabilities>, rules: Partial<Connector> = {}): Connector {
  return {
    capabilities: { source: true, target: true, transactions: true, describe: false, ...capabilities },
    ...rules,
  } as Connector;
}

function parse(flows: Record<string, FlowConfigInput>) {
  return syncConfigSchema.parse({ connections: { crm: { type: 'x' }, erp: { type: 'y' } }, flows }).flows;
}

const orders: FlowConfigInput = {
  source: { connection: 'crm', table: 'orders', key: 'id', cursor: 'updated_at' },
  target: { connection: 'erp', model: 'sale.sale', key: 'reference' },
  fields: { description: 'note' },
};

function issuesOf(flow: FlowConfigInput, source: Connector, target: Connector): string[] {
  const config = parse({ orders: flow }).orders;
  if (config === undefined) throw new Error('no flow');
  return flowContractIssues('orders', config, { source, target }).map(
    (issue) => `${issue.path}: ${issue.message}`,
  );
}

describe('flowContractIssues', () => {
  it('passes a flow its connectors can run', () => {
    expect(issuesOf(orders, connector({}), connector({}))).toEqual([]);
  });

  it('warns when backfill lanes cannot apply, and not when they can', () => {
    const withLanes: FlowConfigInput = { ...orders, backfill: { lanes: 4 } };
    const splitting = connector(
      {},
      { planBackfill: () => Promise.resolve(undefined), readRange: async function* () {} },
    );
    expect(issuesOf(withLanes, splitting, connector({}))).toEqual([]);
    expect(issuesOf(withLanes, connector({}), connector({}))).toEqual([
      'flows.orders.backfill.lanes: connection "crm" cannot split its initial scan into key ranges: the backfill runs in one lane',
    ]);
    expect(issuesOf({ ...orders, backfill: { lanes: 1 } }, connector({}), connector({}))).toEqual([]);
  });

  it("reports the connector's answer on a name at the path the config gave it", () => {
    const target = connector(
      {},
      { checkObjectName: (name) => (name.includes('.') ? `"${name}" is no table` : undefined) },
    );
    expect(issuesOf(orders, connector({}), target)).toEqual([
      'flows.orders.target.model: "sale.sale" is no table',
    ]);
  });

  it('checks field names on the side that holds them', () => {
    const source = connector(
      {},
      { checkFieldName: (name) => (name === 'note' ? 'no notes here' : undefined) },
    );
    const target = connector(
      {},
      { checkFieldName: (name) => (name === 'description' ? 'no descriptions' : undefined) },
    );
    expect(issuesOf(orders, source, target)).toEqual([
      'flows.orders.fields.description: no descriptions',
      'flows.orders.fields.description: no notes here',
    ]);
  });

  it('wants a cursor only of a source that reads from one', () => {
    const flow = { ...orders, source: { ...orders.source, cursor: undefined } };
    expect(issuesOf(flow, connector({}), connector({}))).toEqual([
      expect.stringMatching(/^flows\.orders\.source\.cursor: required by connection "crm"/),
    ]);
    expect(issuesOf(flow, connector({ cursor: false }), connector({}))).toEqual([]);
    expect(issuesOf(orders, connector({ cursor: false }), connector({}))).toEqual([
      expect.stringMatching(/^flows\.orders\.source\.cursor: connection "crm" reads every record each cycle/),
    ]);
  });

  it('refuses sides that cannot read or write, lines and two-way flows their connectors cannot do', () => {
    const withLines: FlowConfigInput = {
      ...orders,
      lines: {
        lines: {
          source: { table: 'order_lines', key: 'id', parent: 'order_id' },
          fields: { quantity: 'qty' },
        },
      },
    };
    expect(
      issuesOf(withLines, connector({ source: false }), connector({ lines: true, writesLines: false })),
    ).toEqual([
      'flows.orders.source.connection: connection "crm" cannot be read from (its connector is not a source)',
      'flows.orders.lines: connection "crm" cannot read records with lines',
      'flows.orders.lines: connection "erp" cannot write records with lines',
    ]);
    expect(issuesOf(withLines, connector({ lines: true }), connector({ lines: true }))).toEqual([]);
    const twoWay: FlowConfigInput = {
      ...orders,
      direction: 'both',
      target: { ...orders.target, cursor: 'write_date' },
    };
    expect(issuesOf(twoWay, connector({ updates: true }), connector({}))).toEqual([
      'flows.orders.direction: "both" needs connection "erp" to update records in place, which it cannot',
    ]);
  });

  it('warns about a target that neither writes batches whole nor reports outcomes', () => {
    const config = parse({ orders }).orders;
    if (config === undefined) throw new Error('no flow');
    const issues = flowContractIssues('orders', config, {
      source: connector({}),
      target: connector({ transactions: false }),
    });
    expect(issues).toEqual([
      expect.objectContaining({ path: 'flows.orders.target.connection', severity: 'warning' }),
    ]);
    const outcomes = flowContractIssues('orders', config, {
      source: connector({}),
      target: connector({ transactions: false, recordOutcomes: true }),
    });
    expect(outcomes).toEqual([]);
  });
});

describe('referenceIssues', () => {
  const flows = parse({
    customers: {
      source: { connection: 'crm', table: 'accounts', key: 'id', cursor: 'updated_at' },
      target: { connection: 'erp', model: 'party.party', key: 'code' },
      fields: { name: 'name' },
    },
    orders: {
      ...orders,
      lines: {
        lines: {
          source: { table: 'order_lines', key: 'id', parent: 'order_id' },
          fields: { party: { from: 'account_id', ref: 'customers' } },
        },
      },
    },
  });

  it('accepts a ref to a flow whose target reports new ids with its outcomes', () => {
    expect(referenceIssues(flows, () => connector({ recordOutcomes: true }))).toEqual([]);
  });

  it('wants target.id of a referenced flow whose target reports no ids', () => {
    expect(referenceIssues(flows, () => connector({}))).toEqual([
      expect.objectContaining({ path: 'flows.orders.lines.lines.fields.party.ref' }),
    ]);
  });
});
