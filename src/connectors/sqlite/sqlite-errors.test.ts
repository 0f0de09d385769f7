import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SyncError } from '../../core/errors.js';
import { toSqliteConnectorError } from './sqlite-errors.js';

const directory = mkdtempSync(join(tmpdir(), 'syncline-sqlite-errors-'));
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

const context = { path: '/data/erp.db', flow: 'customers', table: 'customers' };

describe('toSqliteConnectorError', () => {
  const db = new Database(':memory:');
  db.exec(
    'CREATE TABLE customers (id INTEGER PRIMARY KEY, code TEXT NOT NULL, c TEXT CHECK (length(c) <= 3))',
  );

  it('maps a NOT NULL or CHECK violation to a non-retryable constraint error naming table and record', () => {
    const notNull = thrownBy(() => db.prepare('INSERT INTO customers (id, code) VALUES (1, NULL)').run());
    expect(toSqliteConnectorError(notNull, { ...context, key: '1' })).toMatchObject({
      code: 'CONNECTOR_CONSTRAINT_VIOLATION',
      retryable: false,
      key: '1',
      field: 'code', // NOT NULL constraint failed: customers.code
    });
    const check = thrownBy(() =>
      db.prepare("INSERT INTO customers (id, code, c) VALUES (2, 'a', 'long')").run(),
    );
    const error = toSqliteConnectorError(check, context);
    expect(error.code).toBe('CONNECTOR_CONSTRAINT_VIOLATION');
    expect(error.message).toContain('customers');
  });

  it('maps missing tables and columns to their codes', () => {
    expect(
      toSqliteConnectorError(
        thrownBy(() => db.prepare('SELECT * FROM nope')),
        context,
      ).code,
    ).toBe('CONNECTOR_TABLE_NOT_FOUND');
    expect(
      toSqliteConnectorError(
        thrownBy(() => db.prepare('SELECT nope FROM customers')),
        context,
      ).code,
    ).toBe('CONNECTOR_COLUMN_NOT_FOUND');
  });

  it('maps SQLITE_BUSY (another writer holds the lock) to a retryable lock timeout', () => {
    const path = join(directory, 'busy.db');
    const holder = new Database(path);
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const waiter = new Database(path, { timeout: 0 });
    holder.exec('BEGIN IMMEDIATE');
    try {
      const busy = thrownBy(() => waiter.exec('BEGIN IMMEDIATE'));
      expect(toSqliteConnectorError(busy, context)).toMatchObject({
        code: 'CONNECTOR_LOCK_TIMEOUT',
        retryable: true,
      });
    } finally {
      holder.exec('ROLLBACK');
      waiter.close();
      holder.close();
    }
  });

  it('maps a file that cannot be opened to CONNECTOR_UNAVAILABLE naming the path', () => {
    const missing = join(directory, 'missing.db');
    const error = toSqliteConnectorError(
      thrownBy(() => new Database(missing, { fileMustExist: true })),
      { path: missing },
    );
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
    expect(error.message).toContain(missing);
  });

  it('passes a SyncError through unchanged', () => {
    const original = new SyncError('CONNECTOR_TIMEOUT', 'slow');
    expect(toSqliteConnectorError(original, context)).toBe(original);
  });
});
