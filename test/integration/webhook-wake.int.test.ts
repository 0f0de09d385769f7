import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, spawnCli } from '../support/cli.js';
import { plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';

// `syncline run --webhook`: POST /hooks/<flow> wakes a realtime flow whose safety poll is an hour
// away; the cycle still reads from the checkpoint, so the wake-up only saves latency.

let fixture: SqliteFlowFixture;
let configPath: string;

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  configPath = join(fixture.dir, 'syncline.yaml');
  writeFileSync(
    configPath,
    `
state: sqlite:${fixture.statePath}
connections:
  crm: { type: sqlite, path: ${join(fixture.dir, 'crm.db')} }
  erp: { type: sqlite, path: ${join(fixture.dir, 'erp.db')} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name, status: { from: status, map: { active: A, inactive: I }, default: I }, qty: qty }
    cadence: { realtime: true, pollInterval: 1h }
  nightly:
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name, status: { from: status, map: { active: A, inactive: I }, default: I }, qty: qty }
    cadence: { every: 1d }
    enabled: false
`,
  );
  fixture.insertAccounts(plainAccounts(3));
});

afterEach(async () => {
  await fixture.close();
});

describe('syncline run --webhook', () => {
  it('wakes a realtime flow on POST /hooks/<flow> long before its safety poll, and refuses bad requests', async () => {
    const port = await freePort();
    const child = spawnCli(['-c', configPath, 'run', '--webhook', `127.0.0.1:${port}`], {
      cwd: fixture.dir,
      env: { SYNCLINE_WEBHOOK_TOKEN: 's3cret-token' },
    });
    const outcome = collect(child);
    try {
      await eventually(() => fixture.customers().length === 3, 'the first cycle synced the first rows');
      fixture.insertAccounts(
        plainAccounts(5)
          .slice(3)
          .map((row) => ({ ...row, version: 100 + row.id })),
      );
      const url = `http://127.0.0.1:${port}/hooks/customers`;
      await eventually(async () => {
        try {
          return (await fetch(url, { method: 'POST' })).status === 401;
        } catch {
          return false; // the listener is not up yet
        }
      }, 'the listener answered');
      expect(fixture.customers()).toHaveLength(3);

      const woken = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer s3cret-token' } });
      expect(woken.status).toBe(202);
      expect(await woken.json()).toEqual({ flow: 'customers', status: 'woken' });
      await eventually(() => fixture.customers().length === 5, 'the woken cycle synced the new rows');

      const headers = { authorization: 'Bearer s3cret-token' };
      expect((await fetch(`http://127.0.0.1:${port}/hooks/nope`, { method: 'POST', headers })).status).toBe(
        404,
      );
      expect(
        (await fetch(`http://127.0.0.1:${port}/hooks/nightly`, { method: 'POST', headers })).status,
      ).toBe(409);
      expect((await fetch(url, { method: 'GET', headers })).status).toBe(405);
    } finally {
      child.kill('SIGTERM');
    }
    const result = await outcome;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('s3cret-token');
    const runs = await fixture.state.listRuns({ flow: 'customers', limit: 10 });
    expect(runs.some((run) => run.trigger === 'event' && run.counts.written === 2)).toBe(true);
  });
});
