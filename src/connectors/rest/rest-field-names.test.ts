import { describe, expect, it } from 'vitest';
import type { SourceSpec, TargetSpec } from '../../core/connector.js';
import { silentLogger } from '../../core/logger.js';
import { restConfigSchema } from './rest-config.js';
import { RestConnector } from './rest-connector.js';

// Field names a spec gives are checked by the connection's own rules (checkFieldName) before any
// request: an empty cursor used to read as "no cursor", an empty column as the whole record.

const signal = new AbortController().signal;
// Port 9 (discard) answers nothing: a request sent would fail as CONNECTOR_UNAVAILABLE, not CONFIG_INVALID.
const connector = new RestConnector(restConfigSchema.parse({ type: 'rest', url: 'http://127.0.0.1:9' }), {
  name: 'api',
  logger: silentLogger,
});
const source: SourceSpec = {
  flow: 'f',
  table: 'customers',
  key: 'id',
  cursor: 'updated_at',
  deleted: undefined,
  columns: ['id', 'updated_at', 'name'],
  batchSize: 10,
  lookback: 0,
};
const target: TargetSpec = {
  flow: 'f',
  table: 'customers',
  key: 'id',
  columns: ['id', 'name'],
  types: {},
  onDelete: { mode: 'hard' },
};

async function readAll(spec: SourceSpec): Promise<void> {
  const batches = [];
  for await (const batch of connector.readChanges(spec, undefined, signal)) batches.push(batch);
}

describe('REST spec field names', () => {
  it('refuses an empty cursor, key, deleted field or column of a source, naming its role', async () => {
    for (const [role, spec] of [
      ['source.cursor', { ...source, cursor: '' }],
      ['source.key', { ...source, key: '' }],
      ['source.deleted', { ...source, deleted: '' }],
      ['source.columns', { ...source, columns: ['id', ''] }],
    ] as const) {
      await expect(readAll(spec), role).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        retryable: false,
        message: expect.stringContaining(role) as string,
      });
      await expect(connector.countPending(spec, undefined, 10, signal), role).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
      });
    }
    await expect(connector.readByKeys({ ...source, cursor: '' }, ['1'], signal)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('refuses a target column with a line break before sending anything', async () => {
    await expect(
      connector.writeBatch(
        { ...target, columns: ['id', 'bad\nname'] },
        [{ key: '1', op: 'upsert', values: { id: 1 } }],
        signal,
      ),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('target.columns') as string,
    });
  });
});
