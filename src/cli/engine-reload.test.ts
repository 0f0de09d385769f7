import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { createConsoleLogger } from './console-logger.js';
import { openEngine, type Engine } from './engine.js';

let dir: string;
let engine: Engine | undefined;
let output: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-reload-'));
  output = '';
  for (const [file, ddl] of [
    ['crm.db', 'CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, status TEXT, version INTEGER)'],
    ['erp.db', 'CREATE TABLE customers (crm_id INTEGER PRIMARY KEY, name TEXT, status TEXT)'],
    ['erp2.db', 'CREATE TABLE customers (crm_id INTEGER PRIMARY KEY, name TEXT, status TEXT)'],
  ] as const) {
    const db = new Database(join(dir, file));
    db.exec(ddl);
    db.close();
  }
});

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(options: { erp?: string; statusMap?: string; extra?: string } = {}): string {
  const path = join(dir, 'syncline.yaml');
  writeFileSync(
    path,
    `
state: sqlite:${join(dir, 'state.db')}
connections:
  crm: { type: sqlite, path: ${join(dir, 'crm.db')} }
  erp: { type: sqlite, path: ${join(dir, options.erp ?? 'erp.db')} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version }
    target: { connection: erp, table: customers, key: crm_id }
    fields:
      name: name
      status: { from: status, map: ${options.statusMap ?? '{ active: A }'}, default: I }
${options.extra ?? ''}`,
  );
  return path;
}

async function open(path: string): Promise<Engine> {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  engine = await openEngine(path, (secrets) =>
    createConsoleLogger({ format: 'text', level: 'info', secrets, stream }),
  );
  return engine;
}

describe('Engine reloader', () => {
  it('keeps the connector of an unchanged connection, makes a new one for a changed one and closes the old one when retired', async () => {
    const path = writeConfig();
    const opened = await open(path);
    const crm = opened.connector('crm');
    const erp = opened.connector('erp');
    const closeErp = vi.spyOn(erp, 'close');
    const before = opened.context;

    writeConfig({ erp: 'erp2.db', statusMap: '{ active: A, vip: V }' });
    const prepared = await opened.reloader.prepareReload(AbortSignal.timeout(10_000));
    expect(prepared.summary).toMatchObject({
      changedFlows: [{ flow: 'customers', changes: ['fields.status map changed'] }],
      changedConnections: ['erp'],
    });
    prepared.commit();
    expect(opened.context).toBe(prepared.context);
    expect(opened.flow('customers').mapping.fields[1]?.dictionary?.get('vip')).toBe('V');
    expect(opened.connector('crm')).toBe(crm);
    expect(opened.connector('erp')).not.toBe(erp);
    expect(closeErp).not.toHaveBeenCalled();
    await before.retire?.();
    expect(closeErp).toHaveBeenCalledTimes(1);
  });

  it('refuses a config with a bad key or a table the live schema lacks, naming the key path, and keeps the config in use', async () => {
    const path = writeConfig();
    const opened = await open(path);
    const before = opened.context;

    writeConfig({ extra: '    batch: lots' });
    const bad = await opened.reloader
      .prepareReload(AbortSignal.timeout(10_000))
      .catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(ConfigError);
    expect((bad as ConfigError).issues.map((issue) => issue.path)).toEqual(['flows.customers.batch']);

    writeConfig({ erp: 'crm.db' });
    const missing = await opened.reloader
      .prepareReload(AbortSignal.timeout(10_000))
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).message).toMatch(/customers/);
    expect(opened.context).toBe(before);
  });
});
