import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/core/connector.js';
import { RestApiServer } from '../support/rest-api-server.js';
import { TEST_API_OBJECTS, restConnector, seedIssues, sourceSpec } from '../support/rest-api-fixture.js';

// OAuth2 client credentials against the test API's token endpoint (RFC 6749 §4.4), and the
// per-connection rate limit shared by every flow reading through one connector.

let api: RestApiServer;
let connector: Connector;
const signal = new AbortController().signal;
const issues = sourceSpec('issues', 'number', 'updated_at', ['title']);

function oauthConnector(entry: Record<string, unknown> = {}): Connector {
  return restConnector({
    url: api.url,
    auth: {
      type: 'oauth2',
      tokenUrl: `${api.url}/oauth/token`,
      clientId: api.clientId,
      clientSecret: api.clientSecret,
      scope: 'crm.objects.deals.read',
    },
    objects: TEST_API_OBJECTS,
    ...entry,
  });
}

async function count(source = issues, using = connector): Promise<number> {
  let total = 0;
  for await (const batch of using.readChanges(source, undefined, signal)) total += batch.changes.length;
  return total;
}

beforeEach(async () => {
  api = new RestApiServer({ mode: 'oauth' });
  await api.listen();
  seedIssues(api.state, 20);
});

afterEach(async () => {
  await connector.close();
  await api.close();
});

describe('OAuth2 client credentials', () => {
  it('fetches one token for many requests, and after a 401 on an expired token refreshes it once and retries', async () => {
    connector = oauthConnector();
    expect(await count()).toBe(20);
    expect(api.tokenRequests).toBe(1);
    api.expireTokens();
    expect(await count()).toBe(20);
    expect(api.tokenRequests).toBe(2);
    expect(api.requests.filter((request) => request.status === 401)).toHaveLength(1);
  });

  it('renews the token before it expires, without a 401', async () => {
    api.tokenLifetimeSeconds = 60;
    connector = oauthConnector({
      auth: {
        type: 'oauth2',
        tokenUrl: `${api.url}/oauth/token`,
        clientId: api.clientId,
        clientSecret: api.clientSecret,
        refreshBefore: '1m',
      },
    });
    await count();
    await count();
    // A token living 1 min, renewed 1 min before it expires, is renewed before every request.
    expect(api.tokenRequests).toBe(api.seen('GET', '/repos/').length);
    expect(api.tokenRequests).toBe(6);
    expect(api.requests.filter((request) => request.status === 401)).toHaveLength(0);
  });

  it('fails with a non-retryable auth error when the token URL refuses the client, naming no secret', async () => {
    connector = oauthConnector({
      auth: {
        type: 'oauth2',
        tokenUrl: `${api.url}/oauth/token`,
        clientId: api.clientId,
        clientSecret: 'wrong-s3cret',
      },
    });
    const error: unknown = await count().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CONNECTOR_AUTH_FAILED', retryable: false });
    expect((error as Error).message).toContain('invalid_client');
    expect((error as Error).message).not.toContain('wrong-s3cret');
  });

  it('reports a 401 that a fresh token does not cure as an auth failure', async () => {
    connector = restConnector({
      url: api.url,
      auth: { type: 'bearer', token: 'revoked' },
      objects: TEST_API_OBJECTS,
    });
    await expect(count()).rejects.toMatchObject({ code: 'CONNECTOR_AUTH_FAILED', retryable: false });
    expect(api.requests.filter((request) => request.status === 401)).toHaveLength(1);
  });
});

describe('per-connection rate limit', () => {
  it('keeps every flow of the connection together within the limit in any window', async () => {
    connector = oauthConnector({ rateLimit: { requests: 4, per: '500ms' } });
    // Two flows reading through the one connector of their connection, at the same time.
    const [a, b] = await Promise.all([count(issues), count({ ...issues, flow: 'other' })]);
    expect(a + b).toBe(40);
    const times = api.requests
      .filter((request) => request.path.startsWith('/repos/'))
      .map((request) => request.at);
    expect(times).toHaveLength(6);
    // Starts are spaced at the client; a few ms of arrival jitter at the server are allowed for.
    for (const at of times)
      expect(times.filter((other) => other >= at && other < at + 480).length).toBeLessThanOrEqual(4);
    expect(times.filter((other) => other < (times[0] ?? 0) + 480)).toHaveLength(4);
  });
});
