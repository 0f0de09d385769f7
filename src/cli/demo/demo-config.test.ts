import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load-config.js';
import { compileFlow } from '../../core/flow.js';
import { validateRecord } from '../../core/validation.js';
import { DEMO_TIERS, demoConfigText } from './demo-config.js';
import { DEMO_TABLE_PAIRS } from './demo-schema.js';

const config = parseConfig(
  demoConfigText({ crm: '/tmp/d/crm.db', erp: '/tmp/d/erp.db', state: '/tmp/d/state.db' }),
  {
    env: {},
  },
);

describe('demoConfigText', () => {
  it('writes a config the schema accepts, with one flow per table pair and a tier for each', () => {
    expect(Object.keys(config.flows).sort()).toEqual(DEMO_TABLE_PAIRS.map((pair) => pair.flow).sort());
    for (const pair of DEMO_TABLE_PAIRS) {
      expect(config.flows[pair.flow]?.source.table).toBe(pair.crmTable);
      expect(config.flows[pair.flow]?.target.table).toBe(pair.erpTable);
      expect(DEMO_TIERS[pair.flow]).toBeDefined();
    }
    expect(config.state).toBe('sqlite:/tmp/d/state.db');
    expect(config.connections.crm).toEqual({ type: 'sqlite', path: '/tmp/d/crm.db' });
  });

  it('gives the four tiers four different cadences', () => {
    const cadenceOf = (flow: string): string => JSON.stringify(config.flows[flow]?.cadence);
    const tiers = new Map<string, Set<string>>();
    for (const [flow, tier] of Object.entries(DEMO_TIERS)) {
      tiers.set(tier.label, (tiers.get(tier.label) ?? new Set()).add(cadenceOf(flow)));
    }
    expect(tiers.size).toBe(4);
    for (const cadences of tiers.values()) expect(cadences.size).toBe(1);
    expect(new Set([...tiers.values()].map((cadences) => [...cadences][0])).size).toBe(4);
    expect(config.flows.invoices?.batch).toBe(500);
  });

  it('maps customers with a dictionary, an exact decimal, validation rules and a soft delete', () => {
    const spec = config.flows.customers;
    expect(spec?.fields.status).toEqual({
      from: 'status',
      map: { active: 'A', inactive: 'I' },
      default: 'I',
    });
    expect(spec?.fields.credit_limit).toEqual({ from: 'credit_limit', type: 'decimal' });
    expect(spec?.target.onDelete).toEqual({ soft: 'is_deleted' });
    const flow = compileFlow('customers', spec!);
    const valid = {
      cust_name: '上海华联超市有限公司',
      email: 'caigou@hualian.example.cn',
      credit_limit: '500000.00',
    };
    expect(validateRecord(flow.rules, valid)).toBeUndefined();
    expect(validateRecord(flow.rules, { ...valid, email: 'li.na#huaxin.example.cn' })?.field).toBe('email');
    expect(validateRecord(flow.rules, { ...valid, cust_name: '' })?.field).toBe('cust_name');
    expect(validateRecord(flow.rules, { ...valid, cust_name: 'x'.repeat(101) })?.field).toBe('cust_name');
  });
});
