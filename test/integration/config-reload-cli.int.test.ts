import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, spawnCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// `syncline run` from source on the embedded stack while its syncline.yaml is edited.

let fixture: SqliteFlowFixture;
let configPath: string;

function config(options: { statusMap: string; cadence?: string }): string {
  return `
state: sqlite:${fixture.statePath}
connections:
  crm: { type: sqlite, path: ${join(fixture.dir, 'crm.db')} }
  erp: { type: sqlite, path: ${join(fixture.dir, 'erp.db')} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: customers, key: crm_id }
    batch: 4
    fields:
      name: name
      status: { from: status, map: ${options.statusMap}, default: I }
      qty: qty
    retry: { attempts: 1, initialDelay: 1ms, maxDelay: 5ms }
    cadence: ${options.cadence ?? '{ every: 1s }'}
`;
}

const POLL = { tries: 600, everyMs: 100 };

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  configPath = join(fixture.dir, 'syncline.yaml');
  writeFileSync(configPath, config({ statusMap: '{ active: A, inactive: I }' }));
  fixture.insertAccounts(plainAccounts(3));
});

afterEach(async () => {
  await fixture.close();
});

function statusOf(id: number): string | null | undefined {
  return fixture.customers().find((row) => row.crm_id === id)?.status;
}

describe('syncline run while its config is edited', () => {
  it('applies an added map entry at the next cycle and logs the change; refuses an invalid edit (and on SIGHUP) with its reason and keeps the config in use', async () => {
    const child = spawnCli(['-c', configPath, 'run'], { cwd: fixture.dir });
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = collect(child);
    try {
      await eventually(() => fixture.customers().length === 3, 'the first cycle wrote the accounts', POLL);

      writeFileSync(configPath, config({ statusMap: '{ active: A, inactive: I, vip: V }' }));
      await eventually(
        () => /config reloaded: flow customers: fields\.status map changed/.test(log),
        'the reload is logged with what changed',
        POLL,
      );
      fixture.insertAccounts([{ id: 4, name: 'Big one', status: 'vip', qty: 4, version: 4 }]);
      await eventually(() => statusOf(4) === 'V', 'the next cycle wrote the newly mapped value', POLL);

      writeFileSync(
        configPath,
        config({ statusMap: '{ active: A, inactive: I, vip: V }', cadence: '{ every: soon }' }),
      );
      await eventually(() => /config not reloaded/.test(log), 'the invalid edit is refused', POLL);
      expect(log).toMatch(/flows\.customers\.cadence/);
      expect(log).toMatch(/the config in use keeps running/);

      // SIGHUP reads the file again too: still invalid, still refused.
      child.kill('SIGHUP');
      await eventually(
        () => /SIGHUP: reading/.test(log) && log.split('config not reloaded').length === 3,
        'SIGHUP read the file again and refused it again',
        POLL,
      );

      fixture.insertAccounts([{ id: 5, name: 'Another', status: 'vip', qty: 5, version: 5 }]);
      await eventually(() => statusOf(5) === 'V', 'the config in use still syncs a later change', POLL);

      const audit = await fixture.state.listAudit({ action: 'config.reload', limit: 10 });
      expect(audit.map((entry) => entry.result)).toEqual(['failed', 'failed', 'succeeded']);
    } finally {
      child.kill('SIGTERM');
    }
    const bound = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const result = await exited;
    clearTimeout(bound);
    expect(result.code, result.stderr).toBe(0);
  });
});
