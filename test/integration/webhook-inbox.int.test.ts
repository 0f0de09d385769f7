import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, type Workspace } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { startServe, type RunningServe } from '../support/serve.js';

// `syncline serve` with a HubSpot webhook inbox feeding a flow into a SQLite ERP: refused requests
// store nothing, an accepted event is committed before the 200 and survives a SIGKILL right after it.

const SECRET = 'hubspot-app-s3cret-Qz7';

const CONFIG = `state: sqlite:state.db
connections:
  hooks: { type: webhook }
  erp: { type: sqlite, path: erp.db }
webhooks:
  hubspot:
    signature: { preset: hubspot-v3, secret: \${HUBSPOT_APP_SECRET} }
    maxBody: 2kb
    eventKey: eventId
    wakes: [deals]
flows:
  deals:
    source: { connection: hooks, table: hubspot, key: objectId, cursor: occurredAt }
    target: { connection: erp, table: deals, key: hubspot_id }
    fields: { stage: propertyValue, changed_at: occurredAt }
    cadence: { realtime: true, pollInterval: 1h }
`;

let workspace: Workspace;
let server: RunningServe | undefined;
const env = { HUBSPOT_APP_SECRET: SECRET };

/**
 * HubSpot's v3 signature, as its docs define it
 * (https://developers.hubspot.com/docs/api/webhooks/validating-requests): base64 of HMAC-SHA256,
 * keyed with the app secret, over method + URI + body + timestamp (epoch ms).
 */
function hubspotSignature(uri: string, body: string, timestamp: number): string {
  return createHmac('sha256', SECRET).update(`POST${uri}${body}${timestamp}`).digest('base64');
}

/** A HubSpot-style batch of one deal stage change. */
function dealEvent(objectId: number, eventId: number, stage: string): string {
  return JSON.stringify([
    {
      eventId,
      subscriptionId: 9001,
      portalId: 62515,
      appId: 1160452,
      occurredAt: 1_700_000_000_000 + eventId,
      subscriptionType: 'deal.propertyChange',
      attemptNumber: 0,
      objectId,
      propertyName: 'dealstage',
      propertyValue: stage,
      changeSource: 'CRM_UI',
    },
  ]);
}

function post(
  base: string,
  body: string,
  options: { timestamp?: number; signature?: string } = {},
): Promise<Response> {
  const uri = `${base}/hooks/hubspot`;
  const timestamp = options.timestamp ?? Date.now();
  return fetch(uri, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': String(timestamp),
      'x-hubspot-signature-v3': options.signature ?? hubspotSignature(uri, body, timestamp),
    },
    body,
  });
}

function stored(): { inbox: string; event_key: string; payload: string; headers: string }[] {
  const db = new Database(join(workspace.dir, 'state.db'), { readonly: true });
  try {
    return db
      .prepare('SELECT inbox, event_key, payload, headers FROM inbox_events ORDER BY id')
      .all() as never;
  } finally {
    db.close();
  }
}

function deals(): { hubspot_id: string; stage: string }[] {
  const db = new Database(join(workspace.dir, 'erp.db'), { readonly: true });
  try {
    return db.prepare('SELECT hubspot_id, stage FROM deals ORDER BY hubspot_id').all() as never;
  } finally {
    db.close();
  }
}

beforeEach(() => {
  workspace = createWorkspace();
  workspace.writeConfig(CONFIG);
  const erp = new Database(join(workspace.dir, 'erp.db'));
  erp.exec('CREATE TABLE deals (hubspot_id TEXT PRIMARY KEY, stage TEXT, changed_at INTEGER)');
  erp.close();
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
  workspace.remove();
});

describe('webhook inbox in syncline serve', () => {
  it('refuses a bad signature, a stale timestamp and an oversized body, storing nothing', async () => {
    server = await startServe(workspace, env);
    const body = dealEvent(101, 1, 'closedwon');
    const badSignature = await post(server.base, body, {
      signature: hubspotSignature('http://elsewhere/hooks/hubspot', body, Date.now()),
    });
    expect(badSignature.status).toBe(401);
    expect(await badSignature.text()).toContain('does not match');

    const sixMinutesAgo = Date.now() - 6 * 60_000;
    const stale = await post(server.base, body, { timestamp: sixMinutesAgo });
    expect(stale.status).toBe(401);
    expect(await stale.text()).toContain('stale or replayed');

    const unsigned = await fetch(`${server.base}/hooks/hubspot`, { method: 'POST', body });
    expect(unsigned.status).toBe(401);

    const oversized = await post(
      server.base,
      JSON.stringify([{ eventId: 2, objectId: 7, note: 'x'.repeat(3000) }]),
    );
    expect(oversized.status).toBe(413);

    expect(stored()).toEqual([]);
    expect(server.log()).not.toContain(SECRET);
  });

  it('stores an event before its 200, keeps it through a SIGKILL right after, and syncs it after the restart', async () => {
    server = await startServe(workspace, env);
    const body = dealEvent(202, 11, 'contractsent');
    const timestamp = Date.now();
    const accepted = await post(server.base, body, { timestamp });
    await server.kill();
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ inbox: 'hubspot', stored: 1, duplicates: 0 });
    const [event] = stored();
    expect(event).toMatchObject({ inbox: 'hubspot', event_key: 'id:11' });
    expect(JSON.parse(event!.payload)).toMatchObject({ objectId: 202, propertyValue: 'contractsent' });
    expect(event!.headers).not.toMatch(/signature/i);

    server = await startServe(workspace, env);
    await eventually(() => deals().length === 1, 'the restarted flow synced the stored event');
    expect(deals()).toEqual([{ hubspot_id: '202', stage: 'contractsent' }]);

    // The same request replayed inside the tolerance, and HubSpot's redelivery of the event, store nothing new.
    const replayed = await post(server.base, body, { timestamp });
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toEqual({ inbox: 'hubspot', stored: 0, duplicates: 1 });
    expect(stored()).toHaveLength(1);

    const next = await post(server.base, dealEvent(202, 12, 'closedwon'));
    expect(await next.json()).toEqual({ inbox: 'hubspot', stored: 1, duplicates: 0 });
    await eventually(() => deals()[0]?.stage === 'closedwon', 'the woken flow synced the next event');
  });
});
