import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, spawnCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { plainAccounts, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';
import { freePort } from '../support/free-port.js';

// `syncline run --webhook` serves `webhooks:` inboxes too: an event that only names a record is
// stored, then wakes the flow whose source is the real system, and the cycle reads the system.

const SECRET = 'crm-hook-s3cret-Wq2';
let fixture: SqliteFlowFixture;
let configPath: string;

/** A scheme of its own: `sha256=` + hex HMAC-SHA256 of timestamp (epoch s) + body. */
function sign(body: string, timestamp: number): string {
  return `sha256=${createHmac('sha256', SECRET).update(`${timestamp}${body}`).digest('hex')}`;
}

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
webhooks:
  crm:
    signature:
      header: X-Crm-Signature
      prefix: sha256=
      secret: \${CRM_HOOK_SECRET}
      timestampHeader: X-Crm-Timestamp
      signed: timestamp+body
    wakes: [customers]
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: version, lookback: 0 }
    target: { connection: erp, table: customers, key: crm_id }
    fields: { name: name, status: { from: status, map: { active: A, inactive: I }, default: I }, qty: qty }
    cadence: { realtime: true, pollInterval: 1h }
`,
  );
  fixture.insertAccounts(plainAccounts(2));
});

afterEach(async () => {
  await fixture.close();
});

describe('syncline run --webhook with a webhooks: inbox', () => {
  it('stores an event that names a record, wakes the flow, and the cycle reads the system', async () => {
    const port = await freePort();
    const child = spawnCli(['-c', configPath, 'run', '--webhook', `127.0.0.1:${port}`], {
      cwd: fixture.dir,
      env: { CRM_HOOK_SECRET: SECRET },
    });
    const outcome = collect(child);
    try {
      await eventually(() => fixture.customers().length === 2, 'the first cycle synced the first rows');
      fixture.insertAccounts(
        plainAccounts(3)
          .slice(2)
          .map((row) => ({ ...row, version: 100 + row.id })),
      );
      const url = `http://127.0.0.1:${port}/hooks/crm`;
      const body = JSON.stringify({ object: 'account', id: 3, event: 'updated' });
      const timestamp = Math.floor(Date.now() / 1000);
      const send = (signature: string): Promise<Response> =>
        fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-crm-signature': signature,
            'x-crm-timestamp': String(timestamp),
          },
          body,
        });
      await eventually(async () => {
        try {
          return (await send('sha256=00')).status === 401;
        } catch {
          return false; // the listener is not up yet
        }
      }, 'the listener answered');
      expect(fixture.customers()).toHaveLength(2);

      const accepted = await send(sign(body, timestamp));
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual({ inbox: 'crm', stored: 1, duplicates: 0 });
      await eventually(
        () => fixture.customers().length === 3,
        'the woken cycle read the new row from the CRM',
      );

      // Replayed inside the tolerance: recognised by its signature, nothing new stored.
      expect(await (await send(sign(body, timestamp))).json()).toEqual({
        inbox: 'crm',
        stored: 0,
        duplicates: 1,
      });
      expect(await fixture.state.countInboxEvents('crm', 0)).toBe(1);
      const [event] = await fixture.state.readInboxEvents('crm', 0, 10);
      expect(event?.payload).toEqual({ object: 'account', id: 3, event: 'updated' });
      expect(Object.keys(event?.headers ?? {})).not.toContain('x-crm-signature');
    } finally {
      child.kill('SIGTERM');
    }
    const result = await outcome;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain(SECRET);
  });
});
