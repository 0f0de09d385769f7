import { ConnectorError } from '../../core/errors.js';
import type { RestAuthConfig } from './rest-config.js';
import type { RestTransport } from './rest-transport.js';

/** Supplies the Authorization header of each request and renews it when the API refuses it. */
export interface RestAuth {
  /** The header value, fetching or renewing a token first when needed. */
  header(signal: AbortSignal): Promise<string | undefined>;
  /**
   * Called after a 401: forgets the token so the next `header` fetches a new one. True when that
   * can help (OAuth2), so the request is sent once more.
   */
  invalidate(): boolean;
}

/** The auth of a connection's config (none, bearer, basic or OAuth2 client credentials). */
export function createRestAuth(
  config: RestAuthConfig | undefined,
  transport: RestTransport,
  now: () => number = Date.now,
): RestAuth {
  if (config === undefined) return { header: () => Promise.resolve(undefined), invalidate: () => false };
  if (config.type === 'bearer')
    return { header: () => Promise.resolve(`Bearer ${config.token.reveal()}`), invalidate: () => false };
  if (config.type === 'basic') {
    const encoded = Buffer.from(`${config.username}:${config.password.reveal()}`).toString('base64');
    return { header: () => Promise.resolve(`Basic ${encoded}`), invalidate: () => false };
  }
  return new OAuth2ClientCredentials(config, transport, now);
}

type OAuth2Config = Extract<RestAuthConfig, { type: 'oauth2' }>;

/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4): one token at a time for the connection,
 * fetched on first use, renewed `refreshBeforeMs` before `expires_in` runs out and after a 401.
 * Concurrent requests share one token request.
 */
class OAuth2ClientCredentials implements RestAuth {
  readonly #config: OAuth2Config;
  readonly #transport: RestTransport;
  readonly #now: () => number;
  #token: { value: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(config: OAuth2Config, transport: RestTransport, now: () => number) {
    this.#config = config;
    this.#transport = transport;
    this.#now = now;
  }

  async header(signal: AbortSignal): Promise<string> {
    if (this.#token !== undefined && this.#now() < this.#token.renewAt) return `Bearer ${this.#token.value}`;
    this.#pending ??= this.#fetchToken(signal).finally(() => {
      this.#pending = undefined;
    });
    return `Bearer ${await this.#pending}`;
  }

  invalidate(): boolean {
    this.#token = undefined;
    return true;
  }

  async #fetchToken(signal: AbortSignal): Promise<string> {
    const config = this.#config;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (config.scope !== undefined) form.set('scope', config.scope);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (config.clientAuth === 'basic') {
      // RFC 6749 §2.3.1: id and secret are form-encoded before the Basic encoding.
      const id = encodeURIComponent(config.clientId.reveal());
      const secret = encodeURIComponent(config.clientSecret.reveal());
      headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    } else {
      form.set('client_id', config.clientId.reveal());
      form.set('client_secret', config.clientSecret.reveal());
    }
    const response = await this.#transport.send(
      {
        method: 'POST',
        url: new URL(config.tokenUrl),
        headers,
        body: form.toString(),
        label: 'POST token URL',
      },
      signal,
    );
    if (response.status >= 500 || response.status === 429) throw this.#transport.statusError(response);
    const body = response.json() as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (response.status !== 200 || typeof body?.access_token !== 'string') {
      throw new ConnectorError(
        'CONNECTOR_AUTH_FAILED',
        `the OAuth2 token URL of connection "${this.#transport.connection}" refused the client credentials: HTTP ${response.status}${excerpt(response.text)}`,
      );
    }
    const expiresInMs =
      typeof body.expires_in === 'number' ? body.expires_in * 1_000 : Number.POSITIVE_INFINITY;
    const lifetimeMs = Math.max(0, expiresInMs - config.refreshBeforeMs);
    this.#token = { value: body.access_token, renewAt: this.#now() + lifetimeMs };
    this.#transport.addSecret(body.access_token);
    return body.access_token;
  }
}

function excerpt(text: string): string {
  // The token endpoint's error (RFC 6749 §5.2) is `{"error":"invalid_client",…}`: short, no secret.
  const trimmed = text.trim().slice(0, 200);
  return trimmed === '' ? '' : `: ${trimmed}`;
}
