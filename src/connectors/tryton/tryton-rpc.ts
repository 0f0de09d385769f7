import type { Logger } from '../../core/logger.js';
import { ConnectorError } from '../../core/errors.js';
import type { TrytonConfig } from './tryton-config.js';
import {
  toTrytonHttpError,
  toTrytonNetworkError,
  toTrytonRpcError,
  type TrytonErrorContext,
} from './tryton-errors.js';
import type { RpcValue } from './tryton-values.js';

type RpcContext = { [key: string]: RpcValue };

/** Preferences of the user that become part of every call's context. */
const PREFERENCE_KEYS = ['company', 'employee', 'language'] as const;

interface Session {
  readonly uid: number;
  readonly key: string;
  readonly context: RpcContext;
}

interface HttpAnswer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: string;
}

/**
 * A JSON-RPC client of one Tryton database: logs in once (`common.db.login`) and sends
 * `Authorization: Session base64(login:uid:session)`, with the user's preferences (company,
 * employee) and the configured context as every call's context. A session Tryton no longer
 * knows (HTTP 401) is renewed once by logging in again, then the call is retried. `exclusive`
 * runs writes one at a time: Tryton on SQLite breaks under concurrent writers.
 */
export class TrytonRpcClient {
  readonly #config: TrytonConfig;
  readonly #connection: string;
  readonly #logger: Logger;
  #session: Promise<Session> | undefined;
  #active: Session | undefined;
  #sessionKey: string | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  #nextId = 1;

  constructor(config: TrytonConfig, connection: string, logger: Logger) {
    this.#config = config;
    this.#connection = connection;
    this.#logger = logger;
  }

  /** The server's root URL (server-level methods such as `common.server.version`). */
  get rootUrl(): string {
    return new URL('/', this.#config.url).href;
  }

  /** Runs `work` after every earlier exclusive work of this client has finished (writes are serialized). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(work, work);
    this.#writes = run.catch(() => undefined);
    return run;
  }

  /**
   * Calls `model.<model>.<method>` (or any database method) with `params`, appending the context
   * (preferences, config `context`, then `extra`) as the last parameter. Renews a lost session once.
   */
  async call(
    method: string,
    params: readonly RpcValue[],
    signal: AbortSignal,
    extra: RpcContext = {},
  ): Promise<RpcValue> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.#login(signal);
      const context: RpcContext = { ...session.context, ...(this.#config.context as RpcContext), ...extra };
      const answer = await this.#post(
        this.#config.url,
        method,
        [...params, context],
        signal,
        this.#authorization(session),
      );
      if (answer.status === 401 && attempt === 0) {
        this.#logger.info('Tryton session expired; logging in again', { method });
        this.#forget(session);
        continue;
      }
      return this.#result(answer, method);
    }
  }

  /** Calls a server-level method (`common.server.version`) at the server root, without a session. */
  async server(method: string, params: readonly RpcValue[], signal: AbortSignal): Promise<RpcValue> {
    return this.#result(await this.#post(this.rootUrl, method, params, signal), method);
  }

  /** Ends the session (`common.db.logout`), if one was opened. Never throws. */
  async logout(signal: AbortSignal): Promise<void> {
    const pending = this.#session;
    this.#session = undefined;
    this.#active = undefined;
    if (pending === undefined) return;
    try {
      const session = await pending;
      await this.#post(this.#config.url, 'common.db.logout', [], signal, this.#authorization(session));
    } catch {
      // The session is forgotten either way; Tryton ends idle sessions by itself.
    }
  }

  #authorization(session: Session): string {
    return `Session ${Buffer.from(`${this.#config.user}:${session.uid}:${session.key}`).toString('base64')}`;
  }

  /** Drops a session Tryton refused, unless a concurrent call already replaced it. */
  #forget(session: Session): void {
    if (this.#active === session) {
      this.#session = undefined;
      this.#active = undefined;
    }
  }

  #login(signal: AbortSignal): Promise<Session> {
    if (this.#session !== undefined) return this.#session;
    const pending = this.#openSession(signal).then(
      (session) => {
        this.#active = session;
        return session;
      },
      (error: unknown) => {
        if (this.#session === pending) this.#session = undefined;
        throw error;
      },
    );
    this.#session = pending;
    return pending;
  }

  async #openSession(signal: AbortSignal): Promise<Session> {
    const password = this.#config.password.reveal();
    const method = 'common.db.login';
    const answer = await this.#post(
      this.#config.url,
      method,
      [this.#config.user, { password }, 'en'],
      signal,
    );
    if (answer.status === 401 || answer.status === 403)
      throw new ConnectorError(
        'CONNECTOR_AUTH_FAILED',
        `Tryton at connection "${this.#connection}" refused the login "${this.#config.user}" (HTTP ${answer.status})`,
      );
    const result = await this.#result(answer, method);
    if (!Array.isArray(result) || typeof result[0] !== 'number' || typeof result[1] !== 'string')
      throw new ConnectorError(
        'CONNECTOR_AUTH_FAILED',
        `Tryton at connection "${this.#connection}" refused the login "${this.#config.user}"`,
      );
    this.#sessionKey = result[1];
    const bare: Session = { uid: result[0], key: result[1], context: {} };
    const preferences = await this.#post(
      this.#config.url,
      'model.res.user.get_preferences',
      [true, {}],
      signal,
      this.#authorization(bare),
    );
    const values = await this.#result(preferences, 'model.res.user.get_preferences');
    const context: RpcContext = {};
    if (typeof values === 'object' && values !== null && !Array.isArray(values))
      for (const key of PREFERENCE_KEYS)
        if (values[key] !== undefined && values[key] !== null) context[key] = values[key];
    return { ...bare, context };
  }

  #errorContext(method: string): TrytonErrorContext {
    const secrets = [
      this.#config.password.reveal(),
      ...(this.#sessionKey === undefined ? [] : [this.#sessionKey]),
    ];
    return { connection: this.#connection, method, secrets };
  }

  async #result(answer: HttpAnswer, method: string): Promise<RpcValue> {
    if (answer.status !== 200)
      throw toTrytonHttpError(answer.status, answer.retryAfter, this.#errorContext(method));
    let parsed: { result?: RpcValue; error?: RpcValue };
    try {
      parsed = JSON.parse(answer.body) as typeof parsed;
    } catch (error) {
      throw new ConnectorError(
        'CONNECTOR_UNAVAILABLE',
        `${method} at connection "${this.#connection}": the answer is not JSON-RPC`,
        { cause: error },
      );
    }
    if (parsed.error !== undefined && parsed.error !== null)
      throw toTrytonRpcError(parsed.error, this.#errorContext(method));
    return await Promise.resolve(parsed.result ?? null);
  }

  async #post(
    url: string,
    method: string,
    params: readonly RpcValue[],
    signal: AbortSignal,
    authorization?: string,
  ): Promise<HttpAnswer> {
    signal.throwIfAborted();
    const timeout = AbortSignal.timeout(this.#config.timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(authorization === undefined ? {} : { Authorization: authorization }),
        },
        body: JSON.stringify({ id: this.#nextId++, method, params }),
        signal: combined,
      });
      const body = await response.text();
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
    } catch (error) {
      if (signal.aborted) throw error;
      throw toTrytonNetworkError(error, this.#errorContext(method), timeout.aborted, this.#config.timeoutMs);
    }
  }
}
