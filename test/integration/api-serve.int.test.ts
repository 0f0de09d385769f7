import { join } from 'node:path';
import { validate as validateOpenApi } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type Workspace } from '../support/cli.js';
import { createToken, startServe, type RunningServe } from '../support/serve.js';
import { createCrmErpDatabases, type CrmErpDatabases } from '../support/crm-erp-databases.js';
import { eventually } from '../support/eventually.js';

// `syncline serve` against a PostgreSQL CRM and a MariaDB ERP: roles, refusals, validation, the
// body limit, the audit trail, OpenAPI, and no secret in anything it says.

const PASSWORD = 'pg-s3cret-Xy9';

const CONFIG = `state: sqlite:\${STATE_PATH}
connections:
  crm: { type: postgres, url: \${CRM_URL} }
  erp: { type: mysql, url: \${ERP_URL} }
flows:
  customers:
    source: { connection: crm, table: accounts, key: id, cursor: updated_at }
    target: { connection: erp, table: customers, key: crm_id }
    fields:
      name: name
    cadence: { every: 1h }
`;

let db: CrmErpDatabases;
let workspace: Workspace;
let server: RunningServe;
let base: string;
const tokens: Record<'viewer' | 'operator' | 'admin', string> = { viewer: '', operator: '', admin: '' };
/** Every response body seen, scanned for secrets at the end. */
const seen: string[] = [];

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: string } = {},
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  seen.push(text);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (metrics): the text is there.
  }
  return { status: response.status, json, text };
}

beforeAll(async () => {
  db = await createCrmErpDatabases('api');
  await db.crm.query(
    'CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())',
  );
  await db.crm.query("INSERT INTO accounts (id, name) VALUES (1, 'Ada'), (2, 'Grace')");
  await db.erp.query(
    'CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY, crm_id int UNIQUE, name varchar(100))',
  );
  workspace = createWorkspace();
  workspace.writeConfig(CONFIG);
  const crmUrl = db.crmUrl.replace('postgres://postgres@', `postgres://postgres:${PASSWORD}@`);
  const env = { STATE_PATH: join(workspace.dir, 'state.db'), CRM_URL: crmUrl, ERP_URL: db.erpUrl };
  for (const role of ['viewer', 'operator', 'admin'] as const)
    tokens[role] = await createToken(workspace, env, `${role}-bot`, role);
  server = await startServe(workspace, env);
  base = server.base;
});

afterAll(async () => {
  await server.stop();
  workspace.remove();
  await db.drop();
});

describe('syncline serve: health and the OpenAPI document', () => {
  it('answers /healthz and /readyz without a token, and /readyz checks every connection', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect((ready.json.checks as { name: string; ok: boolean }[]).map((check) => check.name).sort()).toEqual([
      'connection:crm',
      'connection:erp',
      'state',
    ]);
  });

  it('publishes an OpenAPI 3 document that validates', async () => {
    const document = await call('GET', '/api/v1/openapi.json');
    expect(document.status).toBe(200);
    expect(String(document.json.openapi)).toMatch(/^3\./);
    await expect(validateOpenApi(structuredClone(document.json) as never)).resolves.toBeDefined();
    expect(Object.keys(document.json.paths as object)).toContain('/api/v1/flows/{flow}/resync');
  });
});

describe('syncline serve: tokens and roles', () => {
  it('refuses a request without a token (401) and one with an unknown token (401)', async () => {
    const none = await call('GET', '/api/v1/flows');
    expect(none.status).toBe(401);
    expect(none.json.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await call('GET', '/api/v1/flows', { token: 'sl_not-a-real-token' })).status).toBe(401);
  });

  it("lets a viewer read and refuses a viewer's POST …/run (403)", async () => {
    const flows = await call('GET', '/api/v1/flows', { token: tokens.viewer });
    expect(flows.status).toBe(200);
    expect((flows.json.flows as { flow: string }[]).map((flow) => flow.flow)).toEqual(['customers']);
    const refused = await call('POST', '/api/v1/flows/customers/run', { token: tokens.viewer });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lets an operator run a flow now, and the rows arrive', async () => {
    const run = await call('POST', '/api/v1/flows/customers/run', { token: tokens.operator });
    expect(run.status, run.text).toBe(202);
    await eventually(
      async () => (await db.erpRows('SELECT crm_id FROM customers')).length === 2,
      'the rows reach the ERP',
    );
  });

  it('resyncs chosen keys, and a key range given nested or at the top level', async () => {
    for (const body of [{ keys: [1] }, { range: { fromKey: 1, toKey: 2 } }, { fromKey: 1, toKey: 2 }]) {
      const resync = await call('POST', '/api/v1/flows/customers/resync', {
        token: tokens.operator,
        body: JSON.stringify(body),
      });
      expect(resync.status, resync.text).toBe(200);
      expect(resync.json).toMatchObject({ status: 'succeeded', mode: 'keys' in body ? 'keys' : 'range' });
    }
  });

  it('names the bad field of a malformed body (400) and refuses an oversized one (413)', async () => {
    const bad = await call('POST', '/api/v1/flows/customers/resync', {
      token: tokens.operator,
      body: JSON.stringify({ keys: 'one' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'REQUEST_INVALID' });
    expect(JSON.stringify(bad.json.error)).toContain('keys');
    const hugeBody = JSON.stringify({ keys: Array.from({ length: 200_000 }, (_, index) => `key-${index}`) });
    // The server answers 413 as soon as it sees the length and closes the connection; a client still
    // sending its 2.6 MB may see the reset before the answer ("fetch failed"). Try again then.
    let huge: Awaited<ReturnType<typeof call>> | undefined;
    for (let attempt = 1; huge === undefined; attempt += 1) {
      try {
        huge = await call('POST', '/api/v1/flows/customers/resync', {
          token: tokens.operator,
          body: hugeBody,
        });
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
    expect(huge.status).toBe(413);
    expect(huge.json.error).toMatchObject({ code: 'REQUEST_TOO_LARGE' });
  });

  it('answers an unknown flow with 404 FLOW_UNKNOWN and an unknown path with ROUTE_NOT_FOUND', async () => {
    const flow = await call('POST', '/api/v1/flows/nope/pause', { token: tokens.operator });
    expect(flow.status).toBe(404);
    expect(flow.json.error).toMatchObject({ code: 'FLOW_UNKNOWN' });
    expect((await call('GET', '/api/v1/nothing', { token: tokens.viewer })).json.error).toMatchObject({
      code: 'ROUTE_NOT_FOUND',
    });
  });

  it('pauses and resumes a flow for an operator; the flow shows its pause meanwhile', async () => {
    const paused = await call('POST', '/api/v1/flows/customers/pause', {
      token: tokens.operator,
      body: JSON.stringify({ reason: 'ERP upgrade' }),
    });
    expect(paused.status, paused.text).toBe(200);
    const flow = await call('GET', '/api/v1/flows/customers', { token: tokens.viewer });
    expect(flow.json.flow).toMatchObject({ paused: { by: 'operator-bot', reason: 'ERP upgrade' } });
    expect((await call('POST', '/api/v1/flows/customers/resume', { token: tokens.operator })).status).toBe(
      200,
    );
  });

  it('leaves an audit entry for each action and each refusal, with the token name', async () => {
    const audit = await call('GET', '/api/v1/audit?limit=100', { token: tokens.viewer });
    const entries = audit.json.items as { action: string; actor: string; result: string }[];
    expect(entries.filter((entry) => entry.action === 'api.refused').map((entry) => entry.actor)).toEqual(
      expect.arrayContaining(['anonymous', 'viewer-bot']),
    );
    expect(entries).toContainEqual(expect.objectContaining({ action: 'flow.run', actor: 'operator-bot' }));
    expect(entries).toContainEqual(expect.objectContaining({ action: 'flow.pause', actor: 'operator-bot' }));
    expect(entries).toContainEqual(expect.objectContaining({ action: 'flow.resume', actor: 'operator-bot' }));
  });

  it('shows the config with every secret masked', async () => {
    const config = await call('GET', '/api/v1/config', { token: tokens.viewer });
    expect(config.status).toBe(200);
    expect(config.text).toContain('${CRM_URL}');
  });
});

describe('syncline serve: config, cadence and metrics', () => {
  it('reloads the config for an admin only, and says when nothing changed', async () => {
    expect((await call('POST', '/api/v1/config/reload', { token: tokens.operator })).status).toBe(403);
    const reload = await call('POST', '/api/v1/config/reload', { token: tokens.admin });
    expect(reload.status, reload.text).toBe(200);
    expect(reload.json).toMatchObject({ status: 'unchanged' });
  });

  it('overrides the cadence for a while, shows it in the flow, audits it with before and after, and ends it', async () => {
    const bad = await call('POST', '/api/v1/flows/customers/cadence', {
      token: tokens.operator,
      body: JSON.stringify({ every: 10, for: '2h' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ field: 'body.every' });
    const set = await call('POST', '/api/v1/flows/customers/cadence', {
      token: tokens.operator,
      body: JSON.stringify({ every: '10s', for: '2h' }),
    });
    expect(set.status, set.text).toBe(200);
    expect(set.json).toMatchObject({ everyMs: 10_000, by: 'operator-bot' });
    const flow = await call('GET', '/api/v1/flows/customers', { token: tokens.viewer });
    expect(flow.json.flow).toMatchObject({ cadenceOverride: { everyMs: 10_000 } });
    const audit = await call('GET', '/api/v1/audit?action=cadence.override', { token: tokens.viewer });
    const entries = audit.json.items as { actor: string; details: { before: unknown; after: unknown } }[];
    expect(entries.map((entry) => [entry.actor, entry.details.before])).toEqual([['operator-bot', null]]);
    expect(entries[0]?.details.after).toMatchObject({ everyMs: 10_000 });
    expect((await call('DELETE', '/api/v1/flows/customers/cadence', { token: tokens.operator })).status).toBe(
      200,
    );
    const after = await call('GET', '/api/v1/flows/customers', { token: tokens.viewer });
    expect((after.json.flow as Record<string, unknown>).cadenceOverride).toBeUndefined();
  });

  it('serves Prometheus metrics to a token, with the records the flow wrote', async () => {
    expect((await call('GET', '/metrics')).status).toBe(401);
    const metrics = await call('GET', '/metrics', { token: tokens.viewer });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^syncline_records_total\{flow="customers",outcome="written"\} 2$/m);
    expect(metrics.text).toMatch(/^syncline_build_info\{/m);
  });
});

describe('syncline serve: secrets', () => {
  it('never says a password or a token in any response or log line', async () => {
    await call('GET', '/metrics', { token: tokens.viewer });
    const everything = [...seen, server.log()].join('\n');
    expect(everything).not.toContain(PASSWORD);
    for (const token of Object.values(tokens)) expect(everything).not.toContain(token);
  });
});
