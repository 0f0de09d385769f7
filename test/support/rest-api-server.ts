import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleCrmRoute } from './rest-api-hubspot.js';
import { handleIssuesRoute, handleProductsRoute, handleTableRoute } from './rest-api-routes.js';
import type { ApiState } from './rest-api-state.js';

// A test HTTP API for the REST connector. Each route follows a published API's documented
// semantics (see rest-api-hubspot.ts and rest-api-routes.ts); this file holds what they share:
// - OAuth 2.0 client credentials (RFC 6749 §4.4, token errors §5.2) at POST /oauth/token, client
//   authentication by HTTP Basic (§2.3.1); bearer tokens checked per RFC 6750 (401 with
//   `WWW-Authenticate: Bearer error="invalid_token"` for an expired or unknown token).
// - Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header, as Stripe documents it): a
//   POST/PUT/PATCH repeated with the same key and payload gets the stored answer and is not applied
//   again; the same key with another payload is 422.
// - Injected faults: the next requests answer 429 with Retry-After, or 5xx, either before the
//   request is applied or after it (an answer lost on the way back).

/** A fault the next matching requests meet. */
export interface Fault {
  readonly status: number;
  /** `Retry-After` header value (seconds or an HTTP date). */
  readonly retryAfter?: string;
  /** How many requests meet it. */
  times: number;
  /** Only requests of this method and path prefix. */
  readonly method?: string;
  readonly pathPrefix?: string;
  /** `after`: the request is applied, then its answer replaced (lost). Default `before`. */
  readonly when?: 'before' | 'after';
}

/** A request the server saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly at: number;
  readonly status: number;
  readonly idempotencyKey: string | undefined;
}

/** What a route answers. */
export interface RouteAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const CLIENT_ID = 'syncline-test';
const CLIENT_SECRET = 'client-s3cret';

export class RestApiServer {
  readonly state: ApiState = {
    crm: new Map(),
    schemas: new Map(),
    issues: [],
    products: new Map(),
    orders: [],
    tables: new Map(),
    nextId: 1000,
    clock: 0,
  };
  readonly requests: SeenRequest[] = [];
  readonly faults: Fault[] = [];
  /** Issued access tokens → expiry (epoch ms). */
  readonly tokens = new Map<string, number>();
  tokenRequests = 0;
  /** Seconds an issued token lives (`expires_in`). */
  tokenLifetimeSeconds = 3600;
  /** `oauth` (tokens from /oauth/token) or a fixed bearer token. */
  readonly auth: { readonly mode: 'oauth' } | { readonly mode: 'bearer'; readonly token: string };
  readonly clientId = CLIENT_ID;
  readonly clientSecret = CLIENT_SECRET;
  readonly #idempotent = new Map<string, { digest: string; answer: RouteAnswer }>();
  readonly #server: Server;
  #url = '';

  constructor(auth: RestApiServer['auth'] = { mode: 'bearer', token: 'test-token' }) {
    this.auth = auth;
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  get url(): string {
    return this.#url;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.#url;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }

  /** Makes every issued token invalid, as if it had expired early: the next API request gets 401. */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  /** Requests of a method whose path starts with a prefix. */
  seen(method: string, pathPrefix: string): SeenRequest[] {
    return this.requests.filter(
      (request) => request.method === method && request.path.startsWith(pathPrefix),
    );
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', this.#url);
    const method = request.method ?? 'GET';
    const idempotencyKey = header(request, 'idempotency-key');
    const answer = await this.#answer(request, method, url, text, idempotencyKey);
    this.requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      at: Date.now(),
      status: answer.status,
      idempotencyKey,
    });
    const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      ...(body === '' ? {} : { 'content-type': 'application/json' }),
      ...answer.headers,
    });
    response.end(body);
  }

  async #answer(
    request: IncomingMessage,
    method: string,
    url: URL,
    text: string,
    idempotencyKey: string | undefined,
  ): Promise<RouteAnswer> {
    if (method === 'POST' && url.pathname === '/oauth/token') return this.#issueToken(request, text);
    const fault = this.#takeFault(method, url.pathname);
    if (fault?.when !== 'after' && fault !== undefined) return faultAnswer(fault);
    const unauthorized = this.#checkAuth(request);
    if (unauthorized !== undefined) return unauthorized;
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      return {
        status: 400,
        body: { status: 'error', message: 'Invalid JSON body', category: 'VALIDATION_ERROR' },
      };
    }
    const isWrite = method !== 'GET' && method !== 'DELETE';
    const digest = createHash('sha256').update(`${method} ${url.pathname}\n${text}`).digest('hex');
    if (isWrite && idempotencyKey !== undefined) {
      const stored = this.#idempotent.get(idempotencyKey);
      if (stored !== undefined) {
        if (stored.digest !== digest)
          return { status: 422, body: { message: 'Idempotency-Key reused with a different request' } };
        return fault === undefined ? stored.answer : faultAnswer(fault);
      }
    }
    await Promise.resolve();
    const answer = handleCrmRoute(this.state, method, url, body) ??
      handleIssuesRoute(this.state, method, url, this.#url) ??
      handleProductsRoute(this.state, method, url, body) ??
      handleTableRoute(this.state, method, url, body) ?? {
        status: 404,
        body: { message: `no route ${method} ${url.pathname}` },
      };
    if (isWrite && idempotencyKey !== undefined && answer.status < 500)
      this.#idempotent.set(idempotencyKey, { digest, answer });
    return fault === undefined ? answer : faultAnswer(fault);
  }

  #takeFault(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (candidate) =>
        candidate.times > 0 &&
        (candidate.method === undefined || candidate.method === method) &&
        (candidate.pathPrefix === undefined || path.startsWith(candidate.pathPrefix)),
    );
    if (fault !== undefined) fault.times -= 1;
    return fault;
  }

  #checkAuth(request: IncomingMessage): RouteAnswer | undefined {
    const given = /^Bearer (.+)$/.exec(header(request, 'authorization') ?? '')?.[1];
    const valid =
      this.auth.mode === 'bearer'
        ? given === this.auth.token
        : given !== undefined && (this.tokens.get(given) ?? 0) > Date.now();
    if (valid) return undefined;
    return {
      status: 401,
      headers: {
        'www-authenticate': 'Bearer error="invalid_token", error_description="The access token expired"',
      },
      body: {
        status: 'error',
        message: 'Authentication credentials not found or expired',
        category: 'INVALID_AUTHENTICATION',
      },
    };
  }

  #issueToken(request: IncomingMessage, text: string): RouteAnswer {
    this.tokenRequests += 1;
    const form = new URLSearchParams(text);
    const basic = /^Basic (.+)$/.exec(header(request, 'authorization') ?? '')?.[1];
    const [id, secret] = Buffer.from(basic ?? '', 'base64')
      .toString('utf8')
      .split(':')
      .map(decodeURIComponent);
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (id !== CLIENT_ID || secret !== CLIENT_SECRET)
      return { status: 401, body: { error: 'invalid_client' } };
    const token = randomUUID();
    this.tokens.set(token, Date.now() + this.tokenLifetimeSeconds * 1_000);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { access_token: token, token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds },
    };
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function faultAnswer(fault: Fault): RouteAnswer {
  return {
    status: fault.status,
    ...(fault.retryAfter === undefined ? {} : { headers: { 'retry-after': fault.retryAfter } }),
    body:
      fault.status === 429
        ? { status: 'error', message: 'You have reached your secondly limit.', category: 'RATE_LIMITS' }
        : { status: 'error', message: 'Internal error', category: 'INTERNAL_ERROR' },
  };
}
