import { ConnectorError } from '../../core/errors.js';
import type { Secret } from '../../config/secret.js';
import { createRestAuth, type RestAuth } from './rest-auth.js';
import type { RestConfig } from './rest-config.js';
import { RestIdempotencyKeys } from './rest-idempotency.js';
import { RestRateLimiter } from './rest-rate-limiter.js';
import { RestTransport, type RestResponse } from './rest-transport.js';

/** A request below the base URL. */
export interface RestCall {
  readonly method: string;
  /** A path below the base URL (`/crm/v3/objects/deals`), or an absolute URL of the same origin (a `Link` header's). */
  readonly path: string | URL;
  readonly query?: Readonly<Record<string, string>>;
  /** A JSON body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The requests of one connection: base URL, configured headers and auth, the connection's rate
 * limit, and one more attempt after a 401 when the auth can renew its token (OAuth2). Answers of
 * any status are returned; callers decide what each status means for them.
 */
export class RestClient {
  readonly transport: RestTransport;
  /** The connection's idempotency keys, shared by every flow writing through it. */
  readonly idempotency = new RestIdempotencyKeys();
  readonly #base: URL;
  readonly #headers: Readonly<Record<string, Secret>>;
  readonly #auth: RestAuth;
  readonly #limiter: RestRateLimiter | undefined;

  constructor(config: RestConfig, connection: string) {
    this.#base = new URL(config.url.reveal());
    this.#headers = config.headers ?? {};
    const secrets = [config.url.reveal(), ...Object.values(this.#headers).map((value) => value.reveal())];
    if (config.auth?.type === 'bearer') secrets.push(config.auth.token.reveal());
    if (config.auth?.type === 'basic') secrets.push(config.auth.password.reveal());
    if (config.auth?.type === 'oauth2') secrets.push(config.auth.clientSecret.reveal());
    this.transport = new RestTransport({ connection, timeoutMs: config.timeoutMs, tls: config.tls, secrets });
    this.#auth = createRestAuth(config.auth, this.transport);
    this.#limiter =
      config.rateLimit === undefined
        ? undefined
        : new RestRateLimiter(config.rateLimit.requests, config.rateLimit.per);
  }

  /** The URL of a path below the base URL, with its query. */
  url(path: string, query: Readonly<Record<string, string>> = {}): URL {
    const url = new URL(this.#base.href);
    url.pathname = `${this.#base.pathname.replace(/\/+$/, '')}${path}`;
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url;
  }

  async send(call: RestCall, signal: AbortSignal): Promise<RestResponse> {
    const url = call.path instanceof URL ? this.#sameOrigin(call.path) : this.url(call.path, call.query);
    const label = `${call.method} ${url.pathname}`;
    const headers: Record<string, string> = { ...call.headers };
    for (const [name, value] of Object.entries(this.#headers)) headers[name.toLowerCase()] = value.reveal();
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    for (let attempt = 1; ; attempt += 1) {
      await this.#limiter?.acquire(signal);
      const authorization = await this.#auth.header(signal);
      if (authorization !== undefined) headers.authorization = authorization;
      const response = await this.transport.send(
        { method: call.method, url, headers, label, ...(body === undefined ? {} : { body }) },
        signal,
      );
      // A token that expired early or was revoked: renew it once and send again.
      if (response.status === 401 && attempt === 1 && this.#auth.invalidate()) continue;
      return response;
    }
  }

  /** Sends and requires a 2xx answer; any other status throws its mapped error. */
  async sendOk(call: RestCall, signal: AbortSignal): Promise<RestResponse> {
    const response = await this.send(call, signal);
    if (response.status < 200 || response.status >= 300) throw this.transport.statusError(response);
    return response;
  }

  close(): void {
    this.transport.close();
  }

  /** A URL the API handed us (a `Link` header): followed only on the base URL's origin, so credentials never leave it. */
  #sameOrigin(url: URL): URL {
    if (url.origin !== this.#base.origin)
      throw new ConnectorError(
        'CONNECTOR_QUERY_FAILED',
        `connection "${this.transport.connection}": the API pointed to ${url.origin}${url.pathname}, outside the base URL's origin; not followed, so no credential leaves it`,
        { retryable: false },
      );
    return url;
  }
}
