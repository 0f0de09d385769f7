import http from 'node:http';
import https from 'node:https';
import type { ConnectorError } from '../../core/errors.js';
import { toRestNetworkError, toRestStatusError } from './rest-errors.js';

/** One HTTP request as the transport sends it. */
export interface RestRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  /** The body, already serialised. */
  readonly body?: string;
  /** What the request is, for messages: `GET /crm/v3/objects/deals`; never the full URL. */
  readonly label: string;
}

/** An HTTP answer, its body read. */
export interface RestResponse {
  readonly status: number;
  readonly label: string;
  readonly text: string;
  /** A response header (lower-case name), the first value when repeated. */
  header(name: string): string | undefined;
  /** The body as JSON, or undefined when it is empty or not JSON. */
  json(): unknown;
}

/** Settings of the transport of one connection. */
export interface RestTransportOptions {
  readonly connection: string;
  readonly timeoutMs: number;
  readonly tls: { readonly ca?: string; readonly insecure: boolean };
  /** Texts to mask in every message (the base URL, header values, credentials). */
  readonly secrets: readonly string[];
}

/**
 * Sends HTTP requests of one connection over node:http(s) with keep-alive agents: certificate
 * verification on unless `tls.insecure`, an extra CA when given, a limit per request. A request
 * that gets no answer becomes a retryable ConnectorError; an answer is returned whatever its status.
 */
export class RestTransport {
  readonly connection: string;
  readonly #timeoutMs: number;
  readonly #secrets: string[];
  readonly #httpAgent = new http.Agent({ keepAlive: true });
  readonly #httpsAgent: https.Agent;

  constructor(options: RestTransportOptions) {
    this.connection = options.connection;
    this.#timeoutMs = options.timeoutMs;
    this.#secrets = options.secrets.filter((secret) => secret !== '');
    this.#httpsAgent = new https.Agent({
      keepAlive: true,
      rejectUnauthorized: !options.tls.insecure,
      ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca }),
    });
  }

  /** Masks a value learnt at run time (an OAuth2 access token) in every later message. */
  addSecret(secret: string): void {
    if (secret !== '' && !this.#secrets.includes(secret)) this.#secrets.push(secret);
  }

  get secrets(): readonly string[] {
    return this.#secrets;
  }

  /** The mapped error of an answer that is not a success. */
  statusError(response: RestResponse): ConnectorError {
    return toRestStatusError(response.status, response.text, response.header('retry-after') ?? null, {
      connection: this.connection,
      request: response.label,
      secrets: this.#secrets,
    });
  }

  async send(request: RestRequest, signal: AbortSignal): Promise<RestResponse> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    try {
      return await this.#exchange(request, combined);
    } catch (error) {
      throw toRestNetworkError(
        error,
        { connection: this.connection, request: request.label, secrets: this.#secrets },
        timeout.aborted && !signal.aborted,
        this.#timeoutMs,
      );
    }
  }

  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  #exchange(request: RestRequest, signal: AbortSignal): Promise<RestResponse> {
    const isHttps = request.url.protocol === 'https:';
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    return new Promise((resolve, reject) => {
      const outgoing = (isHttps ? https : http).request(
        request.url,
        { method: request.method, headers, agent: isHttps ? this.#httpsAgent : this.#httpAgent, signal },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve(restResponse(incoming.statusCode ?? 0, request.label, text, incoming.headers));
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
  }
}

/** An answer from its parts (also used by tests). */
export function restResponse(
  status: number,
  label: string,
  text: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): RestResponse {
  let parsed: { value: unknown } | undefined;
  return {
    status,
    label,
    text,
    header: (name) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    json: () => {
      if (parsed === undefined) {
        try {
          parsed = { value: text.trim() === '' ? undefined : (JSON.parse(text) as unknown) };
        } catch {
          parsed = { value: undefined };
        }
      }
      return parsed.value;
    },
  };
}
