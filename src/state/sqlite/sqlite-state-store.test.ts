import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StateStoreError, SyncError } from '../../core/errors.js';
import { sqliteErrorCode, toSqliteStateError } from './sqlite-state-errors.js';
import { decodeRow, encodeRow } from '../row-json.js';
import { checkLimit } from '../state-checks.js';
import { countSql, listSql } from './sqlite-state-list-queries.js';
import { deadLetterFromRow, runFromRow, type DeadLetterRow, type RunRow } from '../state-rows.js';
import {
  syncedFromRow,
  SYNCED_PARAMS_PER_ROW,
  writeSyncedParams,
  type SyncedParam,
  utcNow,
} from './sqlite-state-rows.js';

const context = {
  file: '/var/lib/syncline/state.db',
  operation: 'commit a batch of flow "orders"',
  flow: 'orders',
};

describe('toSqliteStateError', () => {
  it('makes SQLITE_BUSY a retryable error naming the file, the operation and the lock wait', () => {
    const error = toSqliteStateError(new Database.SqliteError('database is locked', 'SQLITE_BUSY'), context);
    expect(error).toBeInstanceOf(StateStoreError);
    expect(error.retryable).toBe(true);
    expect(error.flow).toBe('orders');
    expect(error.message).toContain('/var/lib/syncline/state.db');
    expect(error.message).toContain('commit a batch of flow "orders"');
    expect(error.message).toContain('5000 ms');
    expect(error.message).toContain('SQLITE_BUSY');
  });

  it('maps extended codes by their primary code', () => {
    const error = toSqliteStateError(new Database.SqliteError('snapshot', 'SQLITE_BUSY_SNAPSHOT'), context);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('another Syncline process');
  });

  it.each([
    ['SQLITE_READONLY', 'read-only'],
    ['SQLITE_CANTOPEN', 'cannot be opened'],
    ['SQLITE_NOTADB', 'not a SQLite database'],
    ['SQLITE_CORRUPT', 'damaged'],
    ['SQLITE_CONSTRAINT_UNIQUE', 'constraint'],
    ['SQLITE_ERROR', 'SQLite reported an error'],
  ])('makes %s a final error that says why', (code, words) => {
    const error = toSqliteStateError(new Database.SqliteError('driver text', code), context);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(words);
    expect(error.message).toContain('driver text');
  });

  it('makes a full disk and an I/O error retryable', () => {
    expect(toSqliteStateError(new Database.SqliteError('full', 'SQLITE_FULL'), context).retryable).toBe(true);
    expect(toSqliteStateError(new Database.SqliteError('io', 'SQLITE_IOERR_WRITE'), context).retryable).toBe(
      true,
    );
  });

  it('makes a value that is not JSON a final error', () => {
    let thrown: unknown;
    try {
      JSON.stringify({ cursor: 1n });
    } catch (error) {
      thrown = error;
    }
    const error = toSqliteStateError(thrown, context);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('not plain JSON');
  });

  it('passes a SyncError through unchanged', () => {
    const original = new SyncError('FLOW_BUSY', 'busy');
    expect(toSqliteStateError(original, context)).toBe(original);
  });

  it('recognises only SQLite result codes', () => {
    expect(sqliteErrorCode(new Database.SqliteError('x', 'SQLITE_BUSY'))).toBe('SQLITE_BUSY');
    expect(sqliteErrorCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
    expect(sqliteErrorCode('SQLITE_BUSY')).toBeUndefined();
  });
});

describe('stored rows (dead letter payloads, conflict versions)', () => {
  it('round-trip binary values as Buffers and everything else as JSON', () => {
    const payload = {
      id: '42',
      photo: new Uint8Array([0, 1, 254, 255]),
      file: Buffer.from('文件'),
      total: '12.3400',
      meta: { 名称: '张三 👋', tags: ['a'] },
      gone: null,
    };
    const decoded = decodeRow(encodeRow(payload));
    expect(decoded).toEqual({ ...payload, photo: Buffer.from([0, 1, 254, 255]) });
    expect(decoded.photo).toBeInstanceOf(Uint8Array);
  });

  it('leaves an object that only looks like a marker alone when it has other keys', () => {
    const payload = { json: { $binary: 'AQI=', other: 1 } };
    expect(decodeRow(encodeRow(payload))).toEqual(payload);
  });
});

describe('row decoding', () => {
  it('turns a synced row into a record with a boolean delete flag, leaving out a missing target id and base', () => {
    const record = syncedFromRow({
      key: 'k',
      target_key: 't',
      hash: 'h',
      deleted: 1,
      target_id: null,
      base: null,
    });
    expect(record).toEqual({ key: 'k', targetKey: 't', hash: 'h', deleted: true });
    expect('targetId' in record).toBe(false);
    expect('base' in record).toBe(false);
  });

  it('round-trips the target id and base of a synced record', () => {
    const record = {
      key: 'k',
      targetKey: 't',
      hash: 'h',
      deleted: false,
      targetId: '9001',
      base: { name: '张三', note: null },
    };
    const params: SyncedParam[] = ['other record', null, null, null, null, null, null];
    writeSyncedParams(params, 1, record);
    expect(params).toHaveLength(1 + SYNCED_PARAMS_PER_ROW);
    const [first, , , , deleted, targetId, base] = params;
    expect(first).toBe('other record');
    expect(deleted).toBe(0);
    const row = {
      key: 'k',
      target_key: 't',
      hash: 'h',
      deleted: 0,
      target_id: targetId as string | null,
      base: base as string | null,
    };
    expect(syncedFromRow(row)).toEqual(record);
  });

  it('stores NULL for an omitted target id and base, so the stored ones are kept', () => {
    const params: SyncedParam[] = [];
    writeSyncedParams(params, 0, { key: 'k', targetKey: 't', hash: 'h', deleted: false });
    const [, , , , targetId, base] = params;
    expect(targetId).toBeNull();
    expect(base).toBeNull();
  });

  it('turns a running run row into a record without end, duration or error', () => {
    const row: RunRow = {
      id: 1,
      flow: 'orders',
      trigger: 'manual',
      status: 'running',
      started_at: '2024-05-01T00:00:00.000Z',
      finished_at: null,
      duration_ms: null,
      read_count: 0,
      written_count: 0,
      unchanged_count: 0,
      quarantined_count: 0,
      failed_count: 0,
      deleted_count: 0,
      error: null,
    };
    const run = runFromRow(row);
    expect(run.finishedAt).toBeUndefined();
    expect(run.durationMs).toBeUndefined();
    expect(run.error).toBeUndefined();
  });

  it('leaves out the field of a dead letter row that has none', () => {
    const row: DeadLetterRow = {
      id: 1,
      flow: 'orders',
      key: 'k',
      field: null,
      kind: 'write',
      code: 'X',
      reason: 'r',
      payload: '{"id":"k"}',
      status: 'open',
      occurrences: 1,
      hash: null,
      created_at: '2024-05-01T00:00:00.000Z',
      updated_at: '2024-05-01T00:00:00.000Z',
    };
    expect('field' in deadLetterFromRow(row)).toBe(false);
  });

  it('writes timestamps as ISO 8601 in UTC', () => {
    expect(utcNow(new Date(Date.UTC(2024, 4, 1, 8, 0, 0, 5)))).toBe('2024-05-01T08:00:00.005Z');
  });
});

describe('list queries', () => {
  it('filters only by what is given, pages by id and orders newest first', () => {
    expect(listSql('SELECT id FROM runs', { filters: {} })).toBe(
      'SELECT id FROM runs ORDER BY id DESC LIMIT ?',
    );
    expect(listSql('SELECT id FROM runs', { filters: { flow: 'a', status: undefined } })).toContain(
      'WHERE flow = ? ORDER BY',
    );
    expect(
      listSql('SELECT id FROM dead_letters', {
        filters: { flow: 'a', status: 'open' },
        beforeId: 7,
        keys: ['k'],
      }),
    ).toBe(
      'SELECT id FROM dead_letters WHERE flow = ? AND status = ? AND id < ? AND key IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT ?',
    );
  });

  it('counts with the same filters', () => {
    expect(countSql('conflicts', { filters: { flow: 'a', status: undefined } })).toBe(
      'SELECT count(*) AS count FROM conflicts WHERE flow = ?',
    );
  });

  it('refuses a limit that is not a whole number of rows', () => {
    expect(checkLimit(0)).toBe(0);
    expect(() => checkLimit(-1)).toThrow(StateStoreError);
    expect(() => checkLimit(1.5)).toThrow(/not a whole number/);
  });
});
