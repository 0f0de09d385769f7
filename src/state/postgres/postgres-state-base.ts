import type pg from 'pg';
import type {
  AlertEpisode,
  AlertEpisodeInput,
  AlertHistoryStatus,
  AlertHistoryStore,
} from '../../core/alert-history.js';
import { StateStoreError } from '../../core/errors.js';
import type { InboxAppendResult, InboxEvent, InboxEventInput, InboxStore } from '../../core/inbox.js';
import type { RunActivityBucket, RunActivityFilter, RunActivityStore } from '../../core/run-activity.js';
import type { StateMigrationResult } from '../../core/state-migration.js';
import type { PageFilter } from '../../core/state-store.js';
import type { StoredToken, TokenInput, TokenStore } from '../../core/token-store.js';
import { countPostgresAlerts, listPostgresAlerts, recordPostgresAlert } from './postgres-state-alerts.js';
import { postgresRunActivity } from './postgres-state-activity.js';
import { openPostgresStatePool, type PostgresStateOptions } from './postgres-state-connection.js';
import { toPostgresStateError } from './postgres-state-errors.js';
import * as inbox from './postgres-state-inbox.js';
import { migratePostgresSchema } from './postgres-state-schema.js';
import * as tokens from './postgres-state-tokens.js';
import { parsePostgresStateUrl, type PostgresStateUrl } from './postgres-state-url.js';

/**
 * The PostgreSQL state store's pool and lifecycle (init migrates, close ends the pool, every call
 * maps its errors), and the parts of the StateStore beside flows: API tokens, the inbox, run
 * activity and alert history. PostgresStateStore adds the rest.
 */
export class PostgresStateBase implements TokenStore, InboxStore, RunActivityStore, AlertHistoryStore {
  /** The URL, password masked: what messages name. */
  readonly display: string;
  /** The schema holding the tables (`?schema=`, default `public`). */
  readonly schema: string;
  readonly #url: PostgresStateUrl;
  readonly #options: PostgresStateOptions;
  #pool: pg.Pool | undefined;
  /** What the last `init()` did to the schema. */
  #migration: StateMigrationResult | undefined;

  /**
   * `url` is `postgres://` or `postgresql://`, with an optional `?schema=` (created when
   * missing). Nothing connects before `init()`.
   */
  constructor(url: string, options: PostgresStateOptions = {}) {
    this.#url = parsePostgresStateUrl(url);
    this.#options = options;
    this.display = this.#url.display;
    this.schema = this.#url.schema;
  }

  /** What the last `init()` did to the schema (versions and migrations applied), once it ran. */
  get migration(): StateMigrationResult | undefined {
    return this.#migration;
  }

  async init(): Promise<void> {
    this.#pool ??= openPostgresStatePool(this.#url, this.#options);
    const pool = this.#pool;
    this.#migration = await this.attempt('open and migrate the schema', undefined, () =>
      migratePostgresSchema(pool, this.#url),
    );
  }

  runActivity(filter: RunActivityFilter): Promise<RunActivityBucket[]> {
    return this.attempt('sum runs by time', filter.flow, (pool) => postgresRunActivity(pool, filter));
  }

  recordAlert(episode: AlertEpisodeInput): Promise<void> {
    return this.attempt(`record alert ${episode.rule} of flow "${episode.flow}"`, episode.flow, (pool) =>
      recordPostgresAlert(pool, episode),
    );
  }

  listAlerts(filter: { status?: AlertHistoryStatus; flow?: string } & PageFilter): Promise<AlertEpisode[]> {
    return this.attempt('list alerts', filter.flow, (pool) => listPostgresAlerts(pool, filter));
  }

  countAlerts(filter: { status?: AlertHistoryStatus; severity?: string; flow?: string }): Promise<number> {
    return this.attempt('count alerts', filter.flow, (pool) => countPostgresAlerts(pool, filter));
  }

  saveToken(token: TokenInput): Promise<boolean> {
    return this.attempt(`store the token "${token.name}"`, undefined, (pool) =>
      tokens.savePostgresToken(pool, token),
    );
  }

  findTokenByHash(hash: string): Promise<StoredToken | undefined> {
    return this.attempt('look up a token', undefined, (pool) => tokens.findPostgresToken(pool, hash));
  }

  listTokens(): Promise<StoredToken[]> {
    return this.attempt('list tokens', undefined, (pool) => tokens.listPostgresTokens(pool));
  }

  revokeToken(name: string, at: string): Promise<StoredToken | undefined> {
    return this.attempt(`revoke the token "${name}"`, undefined, (pool) =>
      tokens.revokePostgresToken(pool, name, at),
    );
  }

  touchToken(hash: string, at: string): Promise<void> {
    return this.attempt('record the use of a token', undefined, (pool) =>
      tokens.touchPostgresToken(pool, hash, at),
    );
  }

  appendInboxEvents(events: readonly InboxEventInput[]): Promise<InboxAppendResult[]> {
    const inboxes = [...new Set(events.map((event) => event.inbox))].join(', ');
    return this.attempt(`store ${events.length} event(s) in inbox ${inboxes}`, undefined, (pool) =>
      inbox.appendPostgresInboxEvents(pool, events),
    );
  }

  readInboxEvents(name: string, afterId: number, limit: number): Promise<InboxEvent[]> {
    return this.attempt(`read inbox "${name}"`, undefined, (pool) =>
      inbox.readPostgresInboxEvents(pool, name, afterId, limit),
    );
  }

  countInboxEvents(name: string, afterId: number): Promise<number> {
    return this.attempt(`count the events of inbox "${name}"`, undefined, (pool) =>
      inbox.countPostgresInboxEvents(pool, name, afterId),
    );
  }

  markInboxConsumed(name: string, reader: string, throughId: number): Promise<void> {
    return this.attempt(`record what ${reader} consumed of inbox "${name}"`, undefined, (pool) =>
      inbox.markPostgresInboxConsumed(pool, name, reader, throughId),
    );
  }

  pruneInboxEvents(name: string, receivedBefore: string): Promise<number> {
    return this.attempt(`prune inbox "${name}"`, undefined, (pool) =>
      inbox.prunePostgresInboxEvents(pool, name, receivedBefore),
    );
  }

  /** Ends the pool's sessions; calls after it are refused. Safe to call twice. */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool !== undefined) await this.attempt('close', undefined, () => pool.end(), pool);
  }

  /** The rows of one statement. */
  protected async rows<Row extends object>(
    operation: string,
    flow: string | undefined,
    sql: string,
    values: unknown[],
  ): Promise<Row[]> {
    return this.attempt(operation, flow, async (pool) => (await pool.query<Row>(sql, values)).rows);
  }

  /** Runs `action` on the open pool; anything thrown becomes a StateStoreError naming the store (password masked). */
  protected async attempt<T>(
    operation: string,
    flow: string | undefined,
    action: (pool: pg.Pool) => Promise<T>,
    pool: pg.Pool | undefined = this.#pool,
  ): Promise<T> {
    const flowOption = flow === undefined ? {} : { flow };
    try {
      if (pool === undefined)
        throw new StateStoreError(
          `State store ${this.display}: could not ${operation}: it is not open (call init() first)`,
          {
            retryable: false,
            ...flowOption,
          },
        );
      return await action(pool);
    } catch (error) {
      throw toPostgresStateError(error, {
        store: this.display,
        operation,
        secrets: this.#url.secrets,
        ...flowOption,
      });
    }
  }
}
