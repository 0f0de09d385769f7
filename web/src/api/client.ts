/** An error the API answered with (its code and message), or the network's. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

interface Cached {
  readonly etag: string;
  readonly body: unknown;
}

/**
 * Calls `/api/v1` with the session's token in the Authorization header (never in a URL). GETs that
 * answer with an ETag are asked again with If-None-Match: a 304 costs no body and no parse.
 */
export class ApiClient {
  readonly #token: string;
  readonly #onUnauthorized: () => void;
  readonly #cache = new Map<string, Cached>();

  constructor(token: string, onUnauthorized: () => void) {
    this.#token = token;
    this.#onUnauthorized = onUnauthorized;
  }

  async get<T>(path: string): Promise<T> {
    const cached = this.#cache.get(path);
    const response = await this.#send('GET', path, undefined, cached?.etag);
    if (response.status === 304 && cached !== undefined) return cached.body as T;
    const body = await this.#read(response);
    const etag = response.headers.get('etag');
    if (etag !== null) this.#cache.set(path, { etag, body });
    return body as T;
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return (await this.#read(await this.#send('POST', path, body))) as T;
  }

  #send(method: string, path: string, body: unknown, etag?: string): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (etag !== undefined) headers['if-none-match'] = etag;
    return fetch(`api/v1${path}`, {
      method,
      headers,
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async #read(response: Response): Promise<unknown> {
    const text = await response.text();
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    if (response.ok) return json;
    if (response.status === 401) this.#onUnauthorized();
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'HTTP', error?.message ?? `HTTP ${response.status}`);
  }
}
