import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../../src/api/api-server.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { createToken } from '../../src/operations/tokens.js';
import { FakeRuntime } from '../support/fake-runtime.js';
import { customersFlowConfig, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';

// What the dashboard reads from the API: who the token is, the wall screen in one request (with
// an ETag, so an unchanged answer costs a 304), runs bucketed in the state store, alert history.

let fixture: SqliteFlowFixture;
let app: FastifyInstance;
let token = '';

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await app.inject({
    method: 'GET',
    url: path,
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  const json: Record<string, unknown> =
    response.body === '' ? {} : (JSON.parse(response.body) as Record<string, unknown>);
  return { status: response.statusCode, headers: response.headers, json };
}

async function finishedRun(
  trigger: 'schedule' | 'replay',
  status: 'succeeded' | 'failed',
  written: number,
): Promise<void> {
  const id = await fixture.state.startRun('customers', trigger);
  await fixture.state.finishRun(id, {
    status,
    counts: { read: written, written, unchanged: 0, quarantined: 1, failed: 0, deleted: 0 },
  });
}

beforeAll(async () => {
  fixture = await SqliteFlowFixture.create();
  const flows = [
    compileFlow('customers', {
      ...customersFlowConfig(),
      cadence: { everyMs: 300_000, freshnessMs: 600_000 },
    }),
  ];
  const operations = { ...fixture.operations(flows), runtime: new FakeRuntime() };
  token = (await createToken(operations, { actor: 'test', name: 'wall', role: 'viewer' })).token;
  app = await buildApiServer({
    operations,
    logger: silentLogger,
    version: 'test',
    secrets: () => [],
    configView: () => ({}),
  });
});

afterAll(async () => {
  await app.close();
  await fixture.close();
});

describe('the dashboard API', () => {
  it("tells a token's name and role, and the server's zone", async () => {
    const session = await get('/api/v1/session');
    expect(session.status).toBe(200);
    expect(session.json).toMatchObject({ name: 'wall', role: 'viewer' });
    expect(typeof session.json.serverTimeZone).toBe('string');
  });

  it("answers the wall screen in one request: today's totals and a tile per flow, counted in the store", async () => {
    await finishedRun('schedule', 'succeeded', 4);
    await finishedRun('schedule', 'failed', 0);
    await finishedRun('replay', 'succeeded', 2);
    const overview = await get('/api/v1/overview?tz=Asia/Shanghai');
    expect(overview.status).toBe(200);
    expect(overview.json).toMatchObject({
      timeZone: 'Asia/Shanghai',
      totals: { today: { cycles: 2, succeeded: 1, failed: 1, written: 6, quarantined: 3 } },
      alertsFiring: { critical: 0, warning: 0, info: 0 },
    });
    const [tile] = overview.json.flows as Record<string, unknown>[];
    expect(tile).toMatchObject({
      flow: 'customers',
      tier: 'minutes',
      objectiveMs: 600_000,
      isObjectiveConfigured: true,
    });
    expect(tile?.today).toMatchObject({ written: 6, cycles: 2 });
    const series = overview.json.series as { bucketMs: number; flows: { points: { written: number }[] }[] };
    expect(series.bucketMs).toBe(900_000);
    expect(series.flows[0]?.points).toHaveLength(97);
    expect(series.flows[0]?.points.reduce((sum, point) => sum + point.written, 0)).toBe(6);
  });

  it('answers 304 while nothing changed, and the new overview once a run finished', async () => {
    const first = await get('/api/v1/overview?tz=UTC');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const again = await get('/api/v1/overview?tz=UTC', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    await finishedRun('schedule', 'succeeded', 1);
    const changed = await get('/api/v1/overview?tz=UTC', { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('refuses a time zone that is not one, naming it', async () => {
    const bad = await get('/api/v1/overview?tz=Mars/Olympus');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('Mars/Olympus');
  });

  it('lists alert episodes, firing and resolved, and counts the firing ones by severity', async () => {
    const startsAt = new Date().toISOString();
    await fixture.state.recordAlert({
      rule: 'stale',
      flow: 'customers',
      severity: 'critical',
      status: 'firing',
      startsAt,
      summary: 'late',
    });
    await fixture.state.recordAlert({
      rule: 'dlq',
      flow: 'customers',
      severity: 'warning',
      status: 'resolved',
      startsAt,
      endsAt: startsAt,
      summary: 'ok',
    });
    const firing = await get('/api/v1/alerts?status=firing');
    expect(firing.json).toMatchObject({
      total: 1,
      items: [{ rule: 'stale', severity: 'critical', status: 'firing' }],
    });
    expect((await get('/api/v1/alerts')).json.total).toBe(2);
    expect((await get('/api/v1/overview')).json.alertsFiring).toEqual({ critical: 1, warning: 0, info: 0 });
  });

  it('sums runs per bucket over the hours asked, and refuses a bucket under a minute', async () => {
    const activity = await get('/api/v1/activity?hours=1&bucket=600000');
    const points = (activity.json.flows as { points: { cycles: number }[] }[])[0]?.points ?? [];
    expect(points).toHaveLength(7);
    expect(points.reduce((sum, point) => sum + point.cycles, 0)).toBe(3);
    expect((await get('/api/v1/activity?bucket=1000')).status).toBe(400);
  });

  it('says how to build the dashboard when it is not built', async () => {
    const root = await app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(404);
    expect(root.body).toContain('npm run build');
  });
});
