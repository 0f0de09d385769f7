import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteMigrations } from './sqlite-state-migrations.js';
import { migrateSqliteState } from './sqlite-state-schema.js';

const versionOne = sqliteMigrations.filter((migration) => migration.version === 1);
const upToVersionTwo = sqliteMigrations.filter((migration) => migration.version <= 2);
const upToVersionThree = sqliteMigrations.filter((migration) => migration.version <= 3);

/** A database at schema version 1 holding a key map entry and dead letters (ids 1 and 2; id 3 was used and removed). */
function versionOneDatabaseWithRows(): Database.Database {
  const db = new Database(':memory:');
  migrateSqliteState(db, ':memory:', versionOne);
  db.prepare(
    `INSERT INTO synced (flow, key, target_key, hash, deleted, synced_at)
     VALUES ('orders', '42', 'T-42', 'h42', 1, '2024-05-01T08:00:00.000Z')`,
  ).run();
  const letter = db.prepare(
    `INSERT INTO dead_letters (flow, key, field, kind, code, reason, payload, status, occurrences, created_at, updated_at)
     VALUES ('orders', ?, ?, ?, 'X', ?, ?, ?, ?, '2024-05-01T08:00:00.000Z', ?)`,
  );
  letter.run('a', 'total', 'validation', '总额无效', '{"id":"a"}', 'open', 3, '2024-05-01T09:00:00.000Z');
  letter.run('b', null, 'write', 'refused', '{"id":"b"}', 'replayed', 1, '2024-05-01T10:00:00.000Z');
  letter.run('c', null, 'write', 'refused', '{"id":"c"}', 'open', 1, '2024-05-01T11:00:00.000Z');
  db.prepare("DELETE FROM dead_letters WHERE key = 'c'").run();
  return db;
}

function indexesOf(db: Database.Database, table: string): string[] {
  const rows = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
    )
    .all(table) as { name: string }[];
  return rows.map((row) => row.name);
}

describe('migrateSqliteState', () => {
  it('applies each migration once, however often it runs', () => {
    const db = new Database(':memory:');
    expect(migrateSqliteState(db, ':memory:')).toBe(sqliteMigrations.length);
    expect(migrateSqliteState(db, ':memory:')).toBe(sqliteMigrations.length);
    const versions = db.prepare('SELECT version FROM schema_version ORDER BY version').all();
    expect(versions).toEqual(sqliteMigrations.map((m) => ({ version: m.version })));
    db.close();
  });

  it('applies only the steps newer than the recorded version', () => {
    const db = new Database(':memory:');
    const first = { version: 1, description: 'one', sql: 'CREATE TABLE a (x INTEGER)' };
    const second = { version: 2, description: 'two', sql: 'CREATE TABLE b (x INTEGER)' };
    migrateSqliteState(db, ':memory:', [first]);
    expect(migrateSqliteState(db, ':memory:', [first, second])).toBe(2);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").all()).toHaveLength(1);
    db.close();
  });

  it('refuses a file migrated by a newer Syncline', () => {
    const db = new Database(':memory:');
    migrateSqliteState(db, 'state.db', [{ version: 99, description: 'future', sql: 'SELECT 1' }]);
    expect(() => migrateSqliteState(db, 'state.db')).toThrow(/state\.db has schema version 99/);
    db.close();
  });
});

describe('migration to version 2', () => {
  it('keeps the key map and the dead letters of a version-1 database, ids included', () => {
    const db = versionOneDatabaseWithRows();
    const lettersBefore = db.prepare('SELECT * FROM dead_letters ORDER BY id').all();
    expect(migrateSqliteState(db, ':memory:', upToVersionTwo)).toBe(2);

    expect(db.prepare('SELECT * FROM dead_letters ORDER BY id').all()).toEqual(lettersBefore);
    expect(db.prepare('SELECT key, target_key, hash, deleted, target_id, base FROM synced').all()).toEqual([
      { key: '42', target_key: 'T-42', hash: 'h42', deleted: 1, target_id: null, base: null },
    ]);
    db.close();
  });

  it('accepts reference dead letters afterwards and still refuses an unknown kind', () => {
    const db = versionOneDatabaseWithRows();
    const insert = db.prepare(
      `INSERT INTO dead_letters (flow, key, kind, code, reason, payload, status, created_at, updated_at)
       VALUES ('orders', ?, ?, 'X', 'r', '{}', 'open', 'now', 'now')`,
    );
    expect(() => insert.run('d', 'reference')).toThrow(/CHECK/);
    migrateSqliteState(db, ':memory:');
    insert.run('d', 'reference');
    expect(() => insert.run('e', 'typo')).toThrow(/CHECK/);
    db.close();
  });

  it('never hands out an id of a removed dead letter again', () => {
    const db = versionOneDatabaseWithRows();
    migrateSqliteState(db, ':memory:');
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO dead_letters (flow, key, kind, code, reason, payload, status, created_at, updated_at)
         VALUES ('orders', 'd', 'write', 'X', 'r', '{}', 'open', 'now', 'now')`,
      )
      .run();
    expect(Number(lastInsertRowid)).toBe(4);
    db.close();
  });

  it('rebuilds the dead letter indexes, one open entry per key included', () => {
    const db = versionOneDatabaseWithRows();
    const indexesBefore = indexesOf(db, 'dead_letters');
    migrateSqliteState(db, ':memory:', upToVersionTwo);
    expect(indexesOf(db, 'dead_letters')).toEqual(indexesBefore);
    expect(() =>
      db
        .prepare(
          `INSERT INTO dead_letters (flow, key, kind, code, reason, payload, status, created_at, updated_at)
           VALUES ('orders', 'a', 'write', 'X', 'r', '{}', 'open', 'now', 'now')`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'dead_letters_v2%'").all()).toEqual([]);
    db.close();
  });
});

describe('migration to version 3', () => {
  it('gives existing leases token 1', () => {
    const db = new Database(':memory:');
    migrateSqliteState(db, ':memory:', upToVersionTwo);
    db.prepare(
      "INSERT INTO leases (flow, owner, expires_at) VALUES ('orders', 'old', '2000-01-01T00:00:00.000Z')",
    ).run();
    expect(migrateSqliteState(db, ':memory:', upToVersionThree)).toBe(3);
    expect(db.prepare('SELECT owner, token FROM leases').all()).toEqual([{ owner: 'old', token: 1 }]);
    db.close();
  });

  it('indexes dead letters and conflicts by flow, status and id for counts and pages', () => {
    const db = new Database(':memory:');
    migrateSqliteState(db, ':memory:');
    expect(indexesOf(db, 'dead_letters')).toEqual([
      'dead_letters_by_flow',
      'dead_letters_by_flow_status',
      'dead_letters_by_status',
      'dead_letters_one_open_per_key',
    ]);
    expect(indexesOf(db, 'conflicts')).toEqual([
      'conflicts_by_flow',
      'conflicts_by_flow_status',
      'conflicts_by_status',
      'conflicts_one_open_per_key',
    ]);
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM dead_letters WHERE flow = 'a' AND status = 'open' AND id < 9 ORDER BY id DESC LIMIT 10",
      )
      .all() as { detail: string }[];
    expect(plan.map((step) => step.detail).join('; ')).not.toContain('TEMP B-TREE');
    db.close();
  });
});

describe('migration to version 4', () => {
  it('keeps the dead letters of a version-3 database, without a content hash', () => {
    const db = new Database(':memory:');
    migrateSqliteState(db, ':memory:', upToVersionThree);
    db.prepare(
      `INSERT INTO dead_letters (flow, key, kind, code, reason, payload, status, created_at, updated_at)
       VALUES ('orders', '7', 'write', 'CONNECTOR_CONSTRAINT_VIOLATION', 'CHECK failed', '{}', 'open', 'x', 'x')`,
    ).run();
    expect(migrateSqliteState(db, ':memory:')).toBeGreaterThanOrEqual(4);
    expect(db.prepare('SELECT key, hash FROM dead_letters').all()).toEqual([{ key: '7', hash: null }]);
    db.close();
  });

  it('adds API tokens, one row per hash, listed by name', () => {
    const db = new Database(':memory:');
    migrateSqliteState(
      db,
      ':memory:',
      sqliteMigrations.filter((migration) => migration.version <= 4),
    );
    expect(migrateSqliteState(db, ':memory:')).toBeGreaterThanOrEqual(5);
    const insert = db.prepare(
      `INSERT INTO api_tokens (name, role, hash, prefix, created_at, created_by)
       VALUES (?, 'viewer', 'h1', 'sl_AbCd…', '2026-05-01T08:00:00.000Z', 'ops@host')`,
    );
    insert.run('grafana');
    expect(() => insert.run('other')).toThrow(/UNIQUE/);
    expect(indexesOf(db, 'api_tokens')).toEqual(['api_tokens_by_name']);
    db.close();
  });

  it('adds an index of runs by start and the alert history, one episode per rule, flow and start', () => {
    const db = new Database(':memory:');
    migrateSqliteState(
      db,
      ':memory:',
      sqliteMigrations.filter((migration) => migration.version <= 5),
    );
    expect(migrateSqliteState(db, ':memory:')).toBeGreaterThanOrEqual(6);
    expect(indexesOf(db, 'runs')).toContain('runs_by_started');
    const insert = db.prepare(
      `INSERT INTO alert_history (rule, flow, severity, status, starts_at, summary, updated_at)
       VALUES ('stale', 'orders', 'critical', 'firing', '2026-05-01T08:00:00.000Z', 's', 'x')`,
    );
    insert.run();
    expect(() => insert.run()).toThrow(/UNIQUE/);
    db.close();
  });
});

describe('migration to version 6', () => {
  it('adds the inbox: one event per inbox and event key, events without a key never clash', () => {
    const db = new Database(':memory:');
    migrateSqliteState(
      db,
      ':memory:',
      sqliteMigrations.filter((migration) => migration.version <= 5),
    );
    expect(migrateSqliteState(db, ':memory:')).toBeGreaterThanOrEqual(6);
    const insert = db.prepare(
      `INSERT INTO inbox_events (inbox, event_key, received_at, payload) VALUES (?, ?, '2026-05-01T08:00:00.000Z', '{}')`,
    );
    insert.run('hubspot', 'e1');
    insert.run('hubspot', null);
    insert.run('hubspot', null);
    insert.run('salesforce', 'e1');
    expect(() => insert.run('hubspot', 'e1')).toThrow(/UNIQUE/);
    expect(indexesOf(db, 'inbox_events')).toEqual(['inbox_events_by_inbox', 'inbox_events_by_key']);
    db.close();
  });
});

describe('migration to version 8', () => {
  it('keeps every key map entry of a version-7 database in a table without rowids, keyed by flow and key', () => {
    const db = new Database(':memory:');
    migrateSqliteState(
      db,
      ':memory:',
      sqliteMigrations.filter((migration) => migration.version <= 7),
    );
    const insert = db.prepare(
      `INSERT INTO synced (flow, key, target_key, hash, deleted, synced_at, target_id, base)
       VALUES (?, ?, ?, ?, ?, '2026-05-01T08:00:00.000Z', ?, ?)`,
    );
    insert.run('orders', '42', 'T-42', 'h42', 1, null, null);
    insert.run('orders', '7', 'T-7', 'h7', 0, '9001', '{"name":"张三"}');
    insert.run('invoices', '42', 'I-42', 'i42', 0, 'x', null);
    const select = 'SELECT * FROM synced ORDER BY flow, key';
    const before = db.prepare(select).all();

    expect(migrateSqliteState(db, ':memory:')).toBeGreaterThanOrEqual(8);
    expect(db.prepare(select).all()).toEqual(before);
    const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'synced'").get() as {
      sql: string;
    };
    expect(sql).toMatch(/WITHOUT ROWID/);
    expect(() => insert.run('orders', '7', 'T-7', 'h', 0, null, null)).toThrow(/UNIQUE/);
    db.close();
  });
});
