import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restConnector, sourceSpec } from '../support/rest-api-fixture.js';
import { makeSelfSignedCertificate } from '../support/self-signed.js';

// TLS of a REST connection: a self-signed certificate is refused by default, trusted with `tls.ca`,
// and accepted unverified only with the explicit `tls.insecure: true`.

let dir: string;
let server: Server;
let url: string;
const items = sourceSpec('items', 'id', 'updated', []);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syncline-rest-tls-'));
  makeSelfSignedCertificate(dir);
  server = createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (_request, response) => {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end('[{"id":1,"updated":"2026-12-01T08:00:00Z"}]');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function read(entry: Record<string, unknown>): Promise<number> {
  const connector = restConnector({ url, ...entry });
  try {
    let count = 0;
    for await (const batch of connector.readChanges(items, undefined, new AbortController().signal))
      count += batch.changes.length;
    return count;
  } finally {
    await connector.close();
  }
}

describe('REST over TLS', () => {
  it('verifies certificates by default and names why one is refused', async () => {
    await expect(read({})).rejects.toMatchObject({
      code: 'CONNECTOR_UNAVAILABLE',
      message: expect.stringMatching(/self[- ]signed certificate/) as string,
    });
  });

  it('trusts a private CA given as tls.ca', async () => {
    expect(await read({ tls: { ca: join(dir, 'cert.pem') } })).toBe(1);
  });

  it('skips verification only when tls.insecure is true', async () => {
    expect(await read({ tls: { insecure: true } })).toBe(1);
  });
});
