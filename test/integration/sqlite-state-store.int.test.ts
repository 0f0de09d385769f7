import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStoreError } from '../../src/core/errors.js';
import { reverseCheckpointName } from '../../src/core/state-store.js';
import { sqliteMigrations } from '../../src/state/sqlite/sqlite-state-migrations.js';
import { migrateSqliteState } from '../../src/state/sqlite/sqlite-state-schema.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { describeStateStoreConformance } from '../conformance/state-store-conformance.js';
import {
  auditInput,
  batch,
  conflict,
  deadLetter,
  fenceOf,
  reconciliation,
  runCounts,
  syncedRecord,
} from '../conformance/state-store-samples.js';

const run = promisify(execFile);
const storeModule = fileURLToPath(new URL('../../src/state/sqlite/sqlite-state-store.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describeStateStoreConformance('sqlite (temp file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'syncline-state-'));
  // A directory that does not exist yet: the store creates it.
  const store = new SqliteStateStore(join(dir, 'nested', 'state.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStateStore on a shared file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'syncline-state-shared-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const openStore = async (name: string): Promise<SqliteStateStore> => {
    const store = new SqliteStateStore(join(dir, name));
    await store.init();
    return store;
  };

  it('respects a lease held by another instance on the same file', async () => {
    const file = 'lease.db';
    const first = await openStore(file);
    const second = await openStore(file);
    try {
      const fenceA = await first.acquireLease('orders', 'worker-a', 60_000);
      expect(fenceA).toEqual({ flow: 'orders', owner: 'worker-a', token: 1 });
      expect(await second.acquireLease('orders', 'worker-b', 60_000)).toBeUndefined();
      await second.releaseLease('orders', 'worker-b');
      expect(await second.acquireLease('orders', 'worker-b', 60_000)).toBeUndefined();
      await first.releaseLease('orders', 'worker-a');
      expect(await second.acquireLease('orders', 'worker-b', 60_000)).toMatchObject({ token: 2 });
      expect(await first.acquireLease('orders', 'worker-a', 60_000)).toBeUndefined();
      const refused = await first.commitBatch(fenceA!, batch({ checkpoint: { cursor: 1 } })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({ code: 'LEASE_LOST', flow: 'orders' });
      expect(await second.getCheckpoint('orders')).toBeUndefined();
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('gives each lease to exactly one of two processes racing for it', async () => {
    const path = join(dir, 'race.db');
    const flows = 2000;
    await (await openStore('race.db')).close();
    const script = join(dir, 'race-worker.mjs');
    await writeFile(
      script,
      `import { SqliteStateStore } from ${JSON.stringify(storeModule)};
       const [path, owner, startAt, flows] = process.argv.slice(2);
       const store = new SqliteStateStore(path);
       await store.init();
       // Both start at one agreed instant, so their loops overlap and contend for the file's write lock.
       while (Date.now() < Number(startAt) - 20) await new Promise((r) => setTimeout(r, 5));
       while (Date.now() < Number(startAt));
       const won = [];
       for (let i = 0; i < Number(flows); i++) if (await store.acquireLease('flow-' + i, owner, 60000)) won.push(i);
       await store.close();
       process.stdout.write(JSON.stringify(won));`,
    );
    const startAt = String(Date.now() + 3000);
    const race = (owner: string) =>
      run(process.execPath, ['--import', 'tsx', script, path, owner, startAt, String(flows)], {
        cwd: repoRoot,
      });
    const [a, b] = await Promise.all([race('process-a'), race('process-b')]);
    const wonByA = JSON.parse(a.stdout) as number[];
    const wonByB = JSON.parse(b.stdout) as number[];
    expect(wonByA.filter((i) => wonByB.includes(i))).toEqual([]);
    expect([...wonByA, ...wonByB].sort((x, y) => x - y)).toEqual(Array.from({ length: flows }, (_, i) => i));
  });

  it('keeps its state across close and reopen', async () => {
    const before = await openStore('reopen.db');
    const fence = await fenceOf(before, 'customers');
    await before.commitBatch(
      fence,
      batch({
        synced: [syncedRecord('c-1'), syncedRecord('客户-2', 'h2', true)],
        deadLetters: [deadLetter('customers', 'c-3', '名称不能为空')],
        checkpoint: { cursor: '2024-05-01T08:00:00.000001+08:00', key: 'c-2' },
      }),
    );
    const runId = await before.startRun('customers', 'start');
    await before.finishRun(runId, {
      status: 'succeeded',
      counts: runCounts({ read: 3, written: 2, failed: 1 }),
    });
    await before.setFlowMeta('customers', 'cadence', { intervalMs: 86_400_000 });
    expect(await before.acquireLease('customers', fence.owner, 60_000)).toEqual(fence);
    await before.close();

    const after = await openStore('reopen.db');
    try {
      expect(await after.getCheckpoint('customers')).toEqual({
        cursor: '2024-05-01T08:00:00.000001+08:00',
        key: 'c-2',
      });
      expect([...(await after.getSynced('customers', ['c-1', '客户-2'])).keys()].sort()).toEqual([
        'c-1',
        '客户-2',
      ]);
      expect((await after.listDeadLetters({ flow: 'customers', limit: 5 }))[0]?.reason).toBe('名称不能为空');
      expect((await after.lastSuccessfulRun('customers'))?.id).toBe(runId);
      expect(await after.getFlowMeta('customers', 'cadence')).toEqual({ intervalMs: 86_400_000 });
      expect(await after.acquireLease('customers', 'worker-b', 60_000)).toBeUndefined();
      expect(await after.getLeaseHolder('customers')).toMatchObject({
        owner: fence.owner,
        token: fence.token,
      });
    } finally {
      await after.close();
    }
  });

  it('keeps conflicts, target ids, the reverse checkpoint, the audit log and reconciliations across reopen', async () => {
    const before = await openStore('reopen-two-way.db');
    await before.commitBatch(
      await fenceOf(before, 'contacts'),
      batch({
        synced: [{ ...syncedRecord('c-1'), targetId: '9001', base: { name: '张三' } }],
        conflicts: [conflict('contacts', 'c-2')],
        reverseCheckpoint: { cursor: 'r-7' },
      }),
    );
    const audit = await before.startAudit(auditInput('contacts'));
    await before.finishAudit(audit, 'succeeded', 'done');
    const reconciled = await before.recordReconciliation(reconciliation('contacts', { missing: 2 }));
    await before.close();

    const after = await openStore('reopen-two-way.db');
    try {
      expect((await after.getSynced('contacts', ['c-1'])).get('c-1')).toMatchObject({
        targetId: '9001',
        base: { name: '张三' },
      });
      expect((await after.getOpenConflicts('contacts', ['c-2'])).get('c-2')?.occurrences).toBe(1);
      expect(await after.getCheckpoint(reverseCheckpointName('contacts'))).toEqual({ cursor: 'r-7' });
      expect((await after.listAudit({ flow: 'contacts', limit: 1 }))[0]).toMatchObject({
        id: audit,
        result: 'succeeded',
      });
      expect((await after.listReconciliations({ flow: 'contacts', limit: 1 }))[0]?.id).toBe(reconciled);
    } finally {
      await after.close();
    }
  });

  it('upgrades a version-1 file, keeping its key map and dead letters', async () => {
    const path = join(dir, 'version-1.db');
    const old = new Database(path);
    migrateSqliteState(
      old,
      path,
      sqliteMigrations.filter((migration) => migration.version === 1),
    );
    old
      .prepare(
        `INSERT INTO synced (flow, key, target_key, hash, deleted, synced_at)
         VALUES ('orders', '42', 'T-42', 'h42', 0, '2024-05-01T08:00:00.000Z')`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO dead_letters (flow, key, field, kind, code, reason, payload, status, occurrences, created_at,
           updated_at)
         VALUES ('orders', '43', 'total', 'validation', 'VALIDATION_FAILED', '总额无效', '{"id":"43"}', 'open', 2,
           '2024-05-01T08:00:00.000Z', '2024-05-01T09:00:00.000Z')`,
      )
      .run();
    old
      .prepare(
        "INSERT INTO leases (flow, owner, expires_at) VALUES ('orders', 'old-worker', '2999-01-01T00:00:00.000Z')",
      )
      .run();
    old.close();

    const store = await openStore('version-1.db');
    try {
      expect(await store.getLeaseHolder('orders')).toMatchObject({ owner: 'old-worker', token: 1 });
      await store.releaseLease('orders', 'old-worker');
      expect((await store.getSynced('orders', ['42'])).get('42')).toStrictEqual({
        key: '42',
        targetKey: 'T-42',
        hash: 'h42',
        deleted: false,
      });
      const [letter] = await store.listDeadLetters({ flow: 'orders', limit: 10 });
      expect(letter).toEqual({
        id: 1,
        flow: 'orders',
        key: '43',
        field: 'total',
        kind: 'validation',
        code: 'VALIDATION_FAILED',
        reason: '总额无效',
        payload: { id: '43' },
        status: 'open',
        occurrences: 2,
        createdAt: '2024-05-01T08:00:00.000Z',
        updatedAt: '2024-05-01T09:00:00.000Z',
      });
      await store.commitBatch(
        await fenceOf(store, 'orders'),
        batch({
          synced: [{ ...syncedRecord('42'), targetId: '7' }],
          deadLetters: [{ ...deadLetter('orders', '43'), kind: 'reference' }],
        }),
      );
      expect((await store.getSynced('orders', ['42'])).get('42')?.targetId).toBe('7');
      expect(await store.getDeadLetter(1)).toMatchObject({ kind: 'reference', occurrences: 3 });
    } finally {
      await store.close();
    }
  });

  it('writes in WAL mode and records the schema version once', async () => {
    const store = await openStore('wal.db');
    await store.init();
    await store.close();
    const db = new Database(join(dir, 'wal.db'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(
        sqliteMigrations.map((migration) => ({ version: migration.version })),
      );
    } finally {
      db.close();
    }
  });

  it('names the file when it is not a SQLite database', async () => {
    const path = join(dir, 'not-a-database.db');
    await writeFile(path, 'this is a text file, not a database '.repeat(100));
    const store = new SqliteStateStore(path);
    const error = await store.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as StateStoreError).message).toContain(path);
    expect((error as StateStoreError).retryable).toBe(false);
    await store.close();
  });

  it('reports a retryable error naming the file when another connection holds the write lock', async () => {
    const store = await openStore('busy.db');
    const fence = await fenceOf(store, 'orders');
    const locker = new Database(join(dir, 'busy.db'));
    locker.exec('BEGIN IMMEDIATE');
    try {
      const error = await store.commitBatch(fence, batch({ checkpoint: { cursor: 1 } })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StateStoreError);
      expect((error as StateStoreError).retryable).toBe(true);
      expect((error as StateStoreError).message).toContain(join(dir, 'busy.db'));
      expect((error as StateStoreError).message).toContain('SQLITE_BUSY');
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    await store.commitBatch(fence, batch({ checkpoint: { cursor: 1 } }));
    expect(await store.getCheckpoint('orders')).toEqual({ cursor: 1 });
    await store.close();
  });

  it('refuses calls before init() and after close()', async () => {
    const store = new SqliteStateStore(join(dir, 'closed.db'));
    await expect(store.getCheckpoint('orders')).rejects.toThrow(/not open/);
    await store.init();
    await store.close();
    await store.close();
    await expect(store.getCheckpoint('orders')).rejects.toBeInstanceOf(StateStoreError);
  });
});
