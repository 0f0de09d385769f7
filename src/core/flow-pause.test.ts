import { describe, expect, it } from 'vitest';
import { clearPause, PAUSE_META, readPause, writePause } from './flow-pause.js';
import type { StateStore } from './state-store.js';
import type { JsonValue } from './values.js';

/** The flow-meta part of a state store, in memory. */
function metaStore(): StateStore {
  const meta = new Map<string, JsonValue>();
  const store: Pick<StateStore, 'getFlowMeta' | 'setFlowMeta'> = {
    getFlowMeta: (flow, name) => Promise.resolve(meta.get(`${flow}/${name}`)),
    setFlowMeta: (flow, name, value) => {
      meta.set(`${flow}/${name}`, value);
      return Promise.resolve();
    },
  };
  return store as StateStore;
}

describe('flow pause', () => {
  it('reads back a pause with who, when and why, and forgets it once cleared', async () => {
    const state = metaStore();
    expect(await readPause(state, 'stock')).toBeUndefined();
    await writePause(state, 'stock', { by: 'ops', at: '2026-12-03T07:00:00.000Z', reason: 'ERP upgrade' });
    expect(await readPause(state, 'stock')).toEqual({
      by: 'ops',
      at: '2026-12-03T07:00:00.000Z',
      reason: 'ERP upgrade',
    });
    expect(await readPause(state, 'orders')).toBeUndefined();
    await clearPause(state, 'stock');
    expect(await readPause(state, 'stock')).toBeUndefined();
  });

  it('counts a malformed entry as not paused', async () => {
    const state = metaStore();
    await state.setFlowMeta('stock', PAUSE_META, { by: 7 });
    expect(await readPause(state, 'stock')).toBeUndefined();
    await state.setFlowMeta('stock', PAUSE_META, 'paused');
    expect(await readPause(state, 'stock')).toBeUndefined();
  });
});
