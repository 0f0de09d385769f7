import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../../src/api/api-server.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import { LocalRuntime } from '../../src/runtime/local/local-runtime.js';
import { customersFlowConfig, SqliteFlowFixture } from '../support/sqlite-flow-fixture.js';
import { makeSelfSignedCertificate } from '../support/self-signed.js';

// `server: { tls: { cert, key } }`: the admin API speaks HTTPS with the given PEM files.

let dir: string;
let fixture: SqliteFlowFixture;
let app: FastifyInstance;
let port = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-tls-'));
  makeSelfSignedCertificate(dir);
  fixture = await SqliteFlowFixture.create();
  const flow = compileFlow('customers', customersFlowConfig());
  const engine = {
    flows: [flow],
    state: fixture.state,
    logger: silentLogger,
    portsFor: () => fixture.ports(),
  };
  const runtime = new LocalRuntime(engine);
  app = await buildApiServer({
    operations: {
      ...engine,
      connector: (name) => (name === 'crm' ? fixture.source : fixture.target),
      runtime,
    },
    logger: silentLogger,
    version: 'test',
    secrets: () => [],
    configView: () => ({}),
    tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
});

afterAll(async () => {
  await app.close();
  await fixture.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ca = readFileSync(join(dir, 'cert.pem'));
    const req = request({ host: '127.0.0.1', port, path, ca }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('syncline serve with server.tls', () => {
  it('answers over HTTPS with the configured certificate, and still asks for a token', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: '{"status":"ok"}' });
    const flows = await get('/api/v1/flows');
    expect(flows.status).toBe(401);
    expect(JSON.parse(flows.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });
});
