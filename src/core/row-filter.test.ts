import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import type { Change } from './connector.js';
import { compileFlow, type Flow } from './flow.js';
import { mapChange } from './mapping.js';
import { applyRowFilter } from './row-filter.js';
import type { SyncedRecord } from './state-store.js';

function flowWith(filter: string, onDelete = '{ soft: is_deleted }'): Flow {
  const config = parseConfig(
    `
connections: { crm: { type: postgres }, erp: { type: mysql } }
flows:
  deals:
    source: { connection: crm, table: deals, key: id, cursor: updated_at }
    target: { connection: erp, table: erp_deals, key: crm_id, onDelete: ${onDelete} }
    filter: ${JSON.stringify(filter)}
    fields:
      full_name: { expr: "concat(first_name, ' ', last_name)" }
`,
    { env: {} },
  );
  const spec = config.flows.deals;
  if (spec === undefined) throw new Error('no flow');
  return compileFlow('deals', spec);
}

/** A key map holding these keys as synced (deleted when flagged). */
function keyMap(entries: Record<string, boolean>) {
  return {
    getSynced: (_flow: string, keys: readonly string[]) =>
      Promise.resolve(
        new Map<string, SyncedRecord>(
          keys.flatMap((key) => {
            const deleted = entries[key];
            return deleted === undefined ? [] : [[key, { key, targetKey: key, hash: 'h', deleted }]];
          }),
        ),
      ),
  };
}

function change(id: number, status: string | null): Change {
  return { key: String(id), op: 'upsert', row: { id, status, first_name: 'Ada', last_name: 'L' } };
}

describe('applyRowFilter', () => {
  it('reads the columns of computed fields and of the filter', () => {
    expect(flowWith("status = 'won'").source.columns).toEqual([
      'id',
      'updated_at',
      'first_name',
      'last_name',
      'status',
    ]);
  });

  it('keeps matching rows, skips rows never synced, and turns synced rows that left the filter into deletes', async () => {
    const flow = flowWith("status = 'won'");
    const result = await applyRowFilter(flow, keyMap({ '2': false, '4': true }), [
      change(1, 'won'),
      change(2, 'lost'),
      change(3, 'lost'),
      change(4, null),
    ]);
    expect(result.skipped).toBe(2);
    expect(result.deadLetters).toEqual([]);
    expect(result.changes.map((c) => [c.key, c.op])).toEqual([
      ['1', 'upsert'],
      ['2', 'delete'],
    ]);
    // Under onDelete: soft the delete is an upsert that sets the flag, with the latest values.
    const left = result.changes[1];
    expect(left && mapChange(flow.mapping, left)).toMatchObject({
      ok: true,
      record: { op: 'upsert', values: { crm_id: 2, full_name: 'Ada L', is_deleted: true } },
    });
  });

  it('hard-deletes or ignores a row that left the filter, by onDelete', async () => {
    for (const [onDelete, expected] of [
      ['hard', 'delete'],
      ['ignore', undefined],
    ] as const) {
      const flow = flowWith("status = 'won'", onDelete);
      const [left] = (await applyRowFilter(flow, keyMap({ '2': false }), [change(2, 'lost')])).changes;
      const mapped = left && mapChange(flow.mapping, left);
      expect(mapped?.ok === true ? mapped.record?.op : 'failed').toBe(expected);
    }
  });

  it('quarantines a row whose filter cannot be evaluated, naming the filter', async () => {
    const result = await applyRowFilter(flowWith('status'), keyMap({}), [change(1, 'won')]);
    expect(result.changes).toEqual([]);
    expect(result.deadLetters).toMatchObject([
      { key: '1', kind: 'validation', reason: 'filter "status": gives text "won", not true or false' },
    ]);
  });
});
