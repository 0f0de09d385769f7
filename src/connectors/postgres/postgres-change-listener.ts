import type pg from 'pg';
import type { Logger } from '../../core/logger.js';
import { redactText } from '../../config/secret.js';
import { CHANGE_CHANNEL } from './postgres-change-events.js';
import { errorReason } from './postgres-errors.js';

/** Tuning of the listening session; the defaults suit production, tests shorten them. */
export interface ChangeListenerOptions {
  /** First reconnect delay after the session is lost, doubled per failed try. Default 100 ms. */
  readonly reconnectInitialMs?: number;
  /** Longest reconnect delay. Default 10 s. */
  readonly reconnectMaxMs?: number;
  /** How often an idle session is checked with `SELECT 1`, to notice a silently dead link. Default 30 s. */
  readonly heartbeatMs?: number;
}

/** Who is told about a table's events. */
interface Subscriber {
  /** The table changed (or events may have been missed). */
  readonly onChange: () => void;
  /** The session was restored after a loss; called before `onChange`. */
  readonly onReconnect: () => void;
}

const DEFAULTS = { reconnectInitialMs: 100, reconnectMaxMs: 10_000, heartbeatMs: 30_000 } as const;

/**
 * One dedicated session (not from the pool) that LISTENs on the change channel for every watched
 * table of a connection. It connects when the first table is watched and disconnects when the
 * last watch closes. A lost session is reconnected with exponential back-off; after a reconnect
 * every subscriber is woken once, because events sent meanwhile are gone.
 */
export class PostgresChangeListener {
  readonly #connect: () => pg.Client;
  readonly #logger: Logger;
  readonly #secrets: () => readonly string[];
  readonly #options: Required<ChangeListenerOptions>;
  /** Subscribers by `schema.table`, the payload the trigger sends. */
  readonly #subscribers = new Map<string, Set<Subscriber>>();
  #client: pg.Client | undefined;
  #opening: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #failures = 0;
  #wasLost = false;
  #isClosed = false;

  constructor(
    connect: () => pg.Client,
    logger: Logger,
    secrets: () => readonly string[],
    options: ChangeListenerOptions = {},
  ) {
    this.#connect = connect;
    this.#logger = logger;
    this.#secrets = secrets;
    this.#options = { ...DEFAULTS, ...options };
  }

  /**
   * Watches a table (`schema.table`). Resolves once the session listens, or after the first try
   * failed (it keeps trying in the background). The returned function stops the watch.
   */
  async subscribe(table: string, subscriber: Subscriber): Promise<() => Promise<void>> {
    if (this.#isClosed) throw new Error('the change listener is closed');
    let set = this.#subscribers.get(table);
    if (set === undefined) this.#subscribers.set(table, (set = new Set()));
    set.add(subscriber);
    if (this.#client === undefined && this.#retryTimer === undefined) await this.#open();
    return async () => {
      set.delete(subscriber);
      if (set.size === 0) this.#subscribers.delete(table);
      if (this.#subscribers.size === 0) await this.#disconnect();
    };
  }

  /** Disconnects for good. */
  async close(): Promise<void> {
    this.#isClosed = true;
    this.#subscribers.clear();
    await this.#disconnect();
  }

  #open(): Promise<void> {
    this.#opening ??= this.#tryConnect().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async #tryConnect(): Promise<void> {
    const client = this.#connect();
    client.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload !== undefined)
        this.#dispatch(message.payload);
    });
    client.on('error', (error) => {
      this.#lost(client, error);
    });
    client.on('end', () => {
      this.#lost(client, undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      this.#scheduleRetry(error);
      return;
    }
    if (this.#isClosed || this.#subscribers.size === 0) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#failures = 0;
    this.#startHeartbeat(client);
    if (this.#wasLost) {
      this.#wasLost = false;
      this.#logger.info(
        'change-event listener reconnected; waking its flows, as events may have been missed',
      );
      for (const set of [...this.#subscribers.values()]) {
        for (const subscriber of [...set]) {
          subscriber.onReconnect();
          subscriber.onChange();
        }
      }
    }
  }

  #dispatch(table: string): void {
    const set = this.#subscribers.get(table);
    if (set === undefined) return;
    for (const subscriber of [...set]) subscriber.onChange();
  }

  /** The session failed or ended; unless we ended it, reconnect. */
  #lost(client: pg.Client, error: unknown): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    this.#stopHeartbeat();
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.#isClosed || this.#subscribers.size === 0) return;
    this.#scheduleRetry(error ?? new Error('the connection ended'));
  }

  #scheduleRetry(error: unknown): void {
    if (this.#isClosed || this.#subscribers.size === 0 || this.#retryTimer !== undefined) return;
    this.#wasLost = true;
    const delay = Math.min(
      this.#options.reconnectMaxMs,
      this.#options.reconnectInitialMs * 2 ** Math.min(this.#failures, 20),
    );
    this.#failures += 1;
    const reason = redactText(errorReason(error), this.#secrets());
    const message = `change-event listener is not connected (${reason}); retrying in ${delay} ms, the safety poll covers the gap`;
    if (this.#failures === 1) this.#logger.warn(message);
    else this.#logger.debug(message);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#open();
    }, delay);
    this.#retryTimer.unref();
  }

  #startHeartbeat(client: pg.Client): void {
    this.#heartbeat = setInterval(() => {
      const timeout = setTimeout(() => {
        this.#lost(client, new Error(`no answer to a heartbeat within ${this.#options.heartbeatMs} ms`));
      }, this.#options.heartbeatMs);
      timeout.unref();
      client.query('SELECT 1').then(
        () => {
          clearTimeout(timeout);
        },
        (error: unknown) => {
          clearTimeout(timeout);
          this.#lost(client, error);
        },
      );
    }, this.#options.heartbeatMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  async #disconnect(): Promise<void> {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#stopHeartbeat();
    await this.#opening;
    const client = this.#client;
    this.#client = undefined;
    this.#wasLost = false;
    this.#failures = 0;
    if (client === undefined) return;
    client.removeAllListeners();
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
  }
}
