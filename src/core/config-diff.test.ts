import { describe, expect, it } from 'vitest';
import { compileCadence } from '../config/cadence-schema.js';
import type { FlowConfig } from '../config/config-schema.js';
import {
  describeConfigChange,
  diffConfig,
  emptyConfigChange,
  flowsToRestart,
  isConfigUnchanged,
} from './config-diff.js';
import { compileFlow, type Flow } from './flow.js';

function orders(changes: Partial<FlowConfig> = {}): FlowConfig {
  return {
    source: { connection: 'crm', table: 'orders', key: 'id', cursor: 'updated_at' },
    target: { connection: 'erp', table: 'sales_orders', key: 'crm_id' },
    fields: {
      number: 'number',
      status: { from: 'status', map: { open: 'O', won: 'W' }, default: 'O' },
    },
    cadence: compileCadence({ every: '5m' }),
    ...changes,
  };
}

function flows(configs: Record<string, FlowConfig>): Flow[] {
  return Object.entries(configs).map(([name, config]) => compileFlow(name, config));
}

describe('diffConfig', () => {
  it('finds nothing between two compilations of the same config', () => {
    const summary = diffConfig(
      { flows: flows({ orders: orders() }), connections: { crm: 'a', erp: 'b' } },
      { flows: flows({ orders: orders() }), connections: { crm: 'a', erp: 'b' } },
    );
    expect(summary).toEqual(emptyConfigChange());
    expect(isConfigUnchanged(summary)).toBe(true);
    expect(describeConfigChange(summary)).toEqual([]);
  });

  it('names a changed map and a changed cadence of a flow in the config words', () => {
    const after = orders({
      fields: {
        number: 'number',
        status: { from: 'status', map: { open: 'O', won: 'W', lost: 'L' }, default: 'O' },
      },
      cadence: compileCadence({ every: '1m' }),
    });
    const summary = diffConfig({ flows: flows({ orders: orders() }) }, { flows: flows({ orders: after }) });
    expect(summary.changedFlows).toEqual([
      { flow: 'orders', changes: ['fields.status map changed', 'cadence every 5m → 1m'] },
    ]);
    expect(describeConfigChange(summary)).toEqual([
      'flow orders: fields.status map changed; cadence every 5m → 1m',
    ]);
    expect(isConfigUnchanged(summary)).toBe(false);
  });

  it('names added and removed fields, a changed table, batch and validation rule', () => {
    const after = orders({
      source: { connection: 'crm', table: 'deals', key: 'id', cursor: 'updated_at' },
      fields: { number: 'number', total: { from: 'amount', type: 'decimal' } },
      batch: 200,
      validate: { number: { required: true } },
    });
    const [change] = diffConfig(
      { flows: flows({ orders: orders() }) },
      { flows: flows({ orders: after }) },
    ).changedFlows;
    expect(change?.changes).toEqual([
      'source.table orders → deals',
      'batch 1000 → 200',
      'validate changed',
      'fields.total added',
      'fields.status removed',
    ]);
  });

  it('lists added and removed flows, and added, removed and changed connections', () => {
    const summary = diffConfig(
      { flows: flows({ orders: orders(), stock: orders() }), connections: { crm: 'a', erp: 'b', old: 'c' } },
      {
        flows: flows({ orders: orders(), invoices: orders() }),
        connections: { crm: 'a', erp: 'B', new: 'd' },
      },
    );
    expect(summary).toEqual({
      addedFlows: ['invoices'],
      removedFlows: ['stock'],
      changedFlows: [],
      addedConnections: ['new'],
      removedConnections: ['old'],
      changedConnections: ['erp'],
      changedWebhooks: [],
    });
    expect(describeConfigChange(summary)).toEqual([
      'flow invoices added',
      'flow stock removed (stops after its running cycle)',
      'connection erp changed (new connector)',
      'connection new added',
      'connection old removed',
    ]);
  });

  it('says which webhook inboxes were added, removed or changed, so a reload of only webhooks: is not "unchanged"', () => {
    const summary = diffConfig(
      { flows: flows({ orders: orders() }), webhooks: { hubspot: 'a', shop: 'b' } },
      { flows: flows({ orders: orders() }), webhooks: { hubspot: 'A', scales: 'c' } },
    );
    expect(summary.changedWebhooks).toEqual(['hubspot', 'shop', 'scales']);
    expect(isConfigUnchanged(summary)).toBe(false);
    expect(describeConfigChange(summary)).toContain('webhook inbox hubspot added, removed or changed');
    expect(
      isConfigUnchanged(diffConfig({ flows: [], webhooks: { a: 'x' } }, { flows: [], webhooks: { a: 'x' } })),
    ).toBe(true);
  });

  it('restarts the changed flows and the flows of a changed connection, not the others', () => {
    const after = flows({
      orders: orders({ cadence: compileCadence({ realtime: true }) }),
      invoices: orders({ target: { connection: 'billing', table: 'invoices', key: 'crm_id' } }),
      stock: orders({ target: { connection: 'wms', table: 'stock', key: 'sku' } }),
    });
    const summary = diffConfig(
      {
        flows: flows({
          orders: orders(),
          invoices: orders({ target: { connection: 'billing', table: 'invoices', key: 'crm_id' } }),
          stock: orders({ target: { connection: 'wms', table: 'stock', key: 'sku' } }),
        }),
        connections: { crm: 'a', erp: 'b', billing: 'c', wms: 'd' },
      },
      { flows: after, connections: { crm: 'a', erp: 'b', billing: 'C', wms: 'd' } },
    );
    expect(summary.changedFlows).toEqual([{ flow: 'orders', changes: ['cadence every 5m → realtime'] }]);
    expect([...flowsToRestart(summary, after)].sort()).toEqual(['invoices', 'orders']);
  });

  it('says a flow was disabled, and ignores connections when a side has no fingerprints', () => {
    const summary = diffConfig(
      { flows: flows({ orders: orders() }), connections: { crm: 'a' } },
      { flows: flows({ orders: orders({ enabled: false }) }) },
    );
    expect(summary.changedFlows).toEqual([{ flow: 'orders', changes: ['enabled true → false'] }]);
    expect(summary.changedConnections).toEqual([]);
  });
});
